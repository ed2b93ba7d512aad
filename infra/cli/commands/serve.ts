// `editledger serve`: the long-running service. One process runs the HTTP API (infra/http/server.ts), the trainer
// consumer (materializing per its policy) and, when configured, Kafka ingestion, over the same ledger session.
// SIGTERM / SIGINT: stop accepting, finish in-flight requests, the running job and the current batch, save the
// cursors, exit 0.
import { readFileSync } from 'node:fs';
import { JobRegistry } from '../../http/jobs.ts';
import { buildServer, LOOPBACK_HOSTS } from '../../http/server.ts';
import { ExitCode } from '../command.ts';
import type { NumberRule } from '../flag-spec.ts';
import { modelExitCode, withModels } from '../model-session.ts';
import { defineCommand } from '../subcommand.ts';
import { resolveServeSettings, SERVE_DEFAULTS } from '../serve-settings.ts';
import { startKafka } from './serve-kafka.ts';
import { createApiServices } from './serve-services.ts';
import { claimHome, runningService } from '../service-marker.ts';

export { createApiServices, type ServiceOptions } from './serve-services.ts';

const POSITIVE: NumberRule = { ok: (n) => n > 0, rule: 'a number > 0' };

export const command = defineCommand({
  name: 'serve',
  summary: 'run the HTTP API, the trainer consumer and (optionally) Kafka ingestion as one service',
  description: `
Serves the ledger over HTTP (routes under /v1; OpenAPI at /v1/openapi.json, docs at /docs) and runs the trainer
consumer in the same process. Every route except /healthz, /readyz, /metrics and the docs needs an API token
(Authorization: Bearer <token>; create one with \`editledger token create --name N --role R\`); its role decides
what it may do (submitter: submit, retract; approver: materialize, verify, promote, roll back; auditor: read;
admin: everything and tokens). Events written through the API record the token as their actor.
Binds 127.0.0.1 by default. Stop with SIGTERM or Ctrl-C: in-flight requests, the running job and the current
ingestion batch finish first.`,
  flags: {
    config: {
      type: 'string',
      placeholder: 'FILE',
      description: 'a YAML or JSON file of settings named like these flags (flags and EDITLEDGER_SERVE_* win)',
    },
    host: { type: 'string', placeholder: 'H', description: 'address to listen on (default 127.0.0.1)' },
    port: {
      type: 'integer',
      check: { ok: (n) => n >= 0 && n <= 65535, rule: 'an integer from 0 to 65535' },
      description: `port to listen on (0 picks a free one; the URL is printed; default ${SERVE_DEFAULTS.port})`,
    },
    'tls-cert': { type: 'string', placeholder: 'FILE', description: 'PEM certificate: serve HTTPS' },
    'tls-key': { type: 'string', placeholder: 'FILE', description: 'PEM private key for --tls-cert' },
    'max-body': {
      type: 'integer',
      placeholder: 'BYTES',
      check: { ok: (n) => n >= 1024, rule: 'an integer >= 1024' },
      description: `largest request body, 413 beyond it (default ${SERVE_DEFAULTS['max-body']})`,
    },
    'max-in-flight': {
      type: 'integer',
      placeholder: 'BYTES',
      check: { ok: (n) => n >= 1024, rule: 'an integer >= 1024' },
      description: `request body bytes processed at once, 503 beyond it (default ${SERVE_DEFAULTS['max-in-flight']})`,
    },
    'rate-limit': {
      type: 'number',
      placeholder: 'N',
      check: { ok: (n) => n >= 0, rule: 'a number >= 0' },
      description: `requests per second per token, burst 4x, 0 = no limit (default ${SERVE_DEFAULTS['rate-limit']})`,
    },
    'request-timeout': {
      type: 'number',
      placeholder: 'SECONDS',
      check: POSITIVE,
      description: `longest time to receive a request (default ${SERVE_DEFAULTS['request-timeout']})`,
    },
    'allow-origin': {
      type: 'string',
      placeholder: 'ORIGIN',
      multiple: true,
      description: 'a browser origin allowed to call the API (CORS is off otherwise)',
    },
    'allow-host': {
      type: 'string',
      placeholder: 'NAME',
      multiple: true,
      description:
        'a Host name to answer besides the loopback names (DNS-rebinding guard; on a non-loopback bind any host is answered unless given)',
    },
    'no-trainer': { type: 'boolean', description: 'do not run the trainer consumer in this process' },
    every: {
      type: 'number',
      placeholder: 'N',
      check: POSITIVE,
      description: `trainer: materialize after N new edit events (default ${SERVE_DEFAULTS.every})`,
    },
    idle: {
      type: 'number',
      placeholder: 'SECONDS',
      check: POSITIVE,
      description: `trainer: materialize when edits are pending and none arrived for SECONDS (default ${SERVE_DEFAULTS.idle})`,
    },
    'no-promote': { type: 'boolean', description: 'trainer: do not serve the versions it materializes' },
    'sign-every': {
      type: 'number',
      placeholder: 'MINUTES',
      check: POSITIVE,
      description: `with an audit key (editledger audit keygen): sign the ledger head this often, and after every materialized version (default ${SERVE_DEFAULTS['sign-every']})`,
    },
    'kafka-brokers': {
      type: 'string',
      placeholder: 'B',
      description:
        'also consume corrections from Kafka (host:port,...; default $KAFKA_BROKERS when --kafka-topic is given)',
    },
    'kafka-topic': { type: 'string', placeholder: 'T', description: 'the Kafka topic of corrections' },
    'kafka-group': {
      type: 'string',
      placeholder: 'G',
      description: 'the Kafka consumer group (default: editledger-ingest)',
    },
  },
  notes: `Every setting can also come from the environment, EDITLEDGER_SERVE_<FLAG> (EDITLEDGER_SERVE_PORT=9000,
EDITLEDGER_SERVE_NO_TRAINER=1, EDITLEDGER_SERVE_ALLOW_ORIGIN=a,b), or from --config FILE (YAML or JSON with the
flag names as keys, e.g. "port: 9000"); a flag wins over the environment, which wins over the file.
Environment: EDITLEDGER_HOME (the home), EVENTSTORE_URL / DATABASE_URL (EDITLEDGER_STORE=postgres) for a
shared ledger. Tokens live hashed in <home>/auth/tokens.json (mode 0600).`,
  exitCodeOf: modelExitCode,
  async run(args, io) {
    const { home } = args;
    const flags = resolveServeSettings(args.flags, io.env, args.flags.config);
    const { host, port } = flags;
    const https =
      flags['tls-cert'] === undefined
        ? undefined
        : { cert: readFileSync(flags['tls-cert']), key: readFileSync(flags['tls-key']!) };
    const loopback = LOOPBACK_HOSTS.includes(host);
    const log = (line: string) => io.stderr.write(`${new Date().toISOString()} editledger serve: ${line}\n`);
    if (!loopback && https === undefined)
      log(
        `warning: bound to ${host} without TLS: tokens cross the network in clear; use --tls-cert/--tls-key or a TLS reverse proxy`,
      );
    const jobs = new JobRegistry();
    return withModels(
      io,
      home,
      {
        actor: 'serve',
        channel: 'http',
        progress: false,
        echoLog: false,
        // Training progress goes to the job that runs it (the trainer consumer's own rounds have no job).
        onTrainProgress: (p) =>
          jobs.progress({
            phase: p.done === true ? 'evaluating' : 'training',
            epoch: p.epoch,
            epochs: p.epochs,
            loss: p.loss,
            ...(p.etaMs !== undefined && { etaMs: p.etaMs }),
          }),
      },
      async (session) => {
        const trainerRunning = !flags['no-trainer'];
        const { services, consumer, setReady } = await createApiServices(session, {
          jobs,
          trainer: trainerRunning,
          everyEdits: Math.floor(flags.every),
          idleMs: flags.idle * 1000,
          promote: !flags['no-promote'],
          log,
        });
        const app = await buildServer(services, {
          maxBodyBytes: flags['max-body'],
          maxBytesInFlight: flags['max-in-flight'],
          requestTimeoutMs: flags['request-timeout'] * 1000,
          rateLimitPerSecond: flags['rate-limit'],
          allowedHosts:
            loopback || flags['allow-host'].length > 0
              ? [...(loopback ? LOOPBACK_HOSTS : []), ...flags['allow-host']]
              : [],
          allowedOrigins: flags['allow-origin'],
          ...(https !== undefined && { https }),
          log,
        });
        const kafka = await startKafka(session, flags, io.env, services.ingestion, services.metrics, log);
        // The signal handlers go in before the address is printed: whoever reads that line may signal at once.
        const stopRequested = new Promise<void>((resolveStop) => {
          const stop = (signal: NodeJS.Signals) => {
            log(`${signal}: stopping (finishing in-flight requests, the running job and the trainer's round)`);
            resolveStop();
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        const address = await app.listen({ host, port });
        const controller = new AbortController();
        const trainerDone = trainerRunning ? consumer.run(controller.signal) : Promise.resolve();
        setReady(true);
        // Signed checkpoints on a timer too, so a quiet ledger's tail is covered without a new version.
        let lastSigned = -1;
        const signTimer =
          services.signHead === undefined
            ? undefined
            : setInterval(() => {
                void (async () => {
                  const head = await services.store.headPosition();
                  if (head === lastSigned || head === 0) return;
                  await services.signHead!();
                  lastSigned = await services.store.headPosition();
                })().catch((error: unknown) => log(`signing the head failed: ${String(error)}`));
              }, flags['sign-every'] * 60_000);
        signTimer?.unref();
        if (services.tokens.size === 0)
          log(
            'no API tokens yet: create one with `editledger token create --name NAME --role admin` (reads and writes need one)',
          );
        const other = runningService(session.home);
        if (other !== undefined)
          log(`warning: another editledger serve (pid ${other.pid}, ${other.url}) runs on this home`);
        const releaseHome = claimHome(session.home, address);
        io.stdout.write(`editledger serve: listening on ${address} (docs ${address}/docs)\n`);

        await stopRequested;
        releaseHome();
        setReady(false);
        clearInterval(signTimer);
        await app.close();
        await kafka?.stop();
        await services.jobs.drain();
        controller.abort();
        await trainerDone;
        log('stopped');
        return ExitCode.ok;
      },
    );
  },
});
