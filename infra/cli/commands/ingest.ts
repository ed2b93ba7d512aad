// `editledger ingest <http|kafka|file>`: run the ingestion loop on one source until SIGINT/SIGTERM (or, for a
// file without --follow, until its end).
import { basename, join, resolve } from 'node:path';
import { sha256Hex } from '../../../domain/canonical-json.ts';
import type { DeadLetterSink, IngestionSource } from '../../../domain/ports/ingestion.ts';
import { FileDeadLetterSink } from '../../ingest/dead-letters.ts';
import { TeeDeadLetterSink } from '../../ingest/kafka-dead-letters.ts';
import { checkIngestIdentity, IngestLoop } from '../../ingest/ingest-loop.ts';
import type { IngestStats } from '../../ingest/ingest-loop.ts';
import { LedgerService } from '../../../domain/edit-use-cases.ts';
import type { CliCommand, CliIO } from '../command.ts';
import { ExitCode } from '../command.ts';
import { UsageError, writeJson } from '../format.ts';
import { actorFrom, withLedger } from '../ledger-session.ts';
import type { LedgerSession } from '../ledger-session.ts';
import type { FlagSpecs, FlagValues } from '../flag-spec.ts';
import { byFlag } from '../shared-flags.ts';
import { storeLabel } from '../store-label.ts';
import { commandGroup, defineCommand } from '../subcommand.ts';
import type { CommandArgs } from '../subcommand.ts';

const MESSAGE_USAGE = `Each correction has the record shape \`edit import\` accepts: ZsRE keys (src, alt, subject, rephrase, loc,
loc_ans) or CounterFact keys (prompt, target_new, subject, rephrase_prompt, locality_prompt,
locality_ground_truth). Its upstream ref is a hash of its content, so a redelivered correction appends nothing.
A bad message is reported with the field it got wrong and kept in the dead-letter file; the others still land.
Progress goes to stderr; Ctrl-C (SIGINT) or SIGTERM stops after the batch in flight is recorded.`;

const IDENTITY_FLAGS = {
  system: {
    type: 'string',
    placeholder: 'NAME',
    default: 'ingest',
    description:
      'upstream system recorded on each edit; with the content hash as the ref, the same correction from any channel is the same edit',
  },
  by: byFlag('who submits the edits'),
  reason: { type: 'string', description: 'why, recorded on each edit (default: "ingested via <channel>")' },
  'dead-letters': {
    type: 'string',
    placeholder: 'FILE',
    description:
      'where refused messages go, one JSON line each with the field and the reason (default: <home>/ingest/dead-letters.jsonl)',
  },
} as const satisfies FlagSpecs;

type IdentityFlags = FlagValues<typeof IDENTITY_FLAGS>;

interface Identity {
  readonly system: string;
  readonly submittedBy: string;
  readonly reason: string;
}

function identityFrom(flags: IdentityFlags, io: CliIO, channelDescription: string): Identity {
  const identity = {
    system: flags.system,
    submittedBy: actorFrom(flags.by, io.env),
    reason: flags.reason ?? `ingested via ${channelDescription}`,
  };
  checkIngestIdentity(identity); // before a port is bound or a broker contacted
  return identity;
}

function logger(io: CliIO, title: string): (line: string) => void {
  return (line) => io.stderr.write(`${new Date().toISOString()} ${title}: ${line}\n`);
}

/** Run the loop on `source` until a signal (or a source failure), then report the totals. */
async function runLoop(
  io: CliIO,
  { flags, json }: CommandArgs<typeof IDENTITY_FLAGS>,
  session: LedgerSession,
  source: IngestionSource,
  identity: Identity,
  title: string,
  /** Where refused messages go besides the dead-letter file (e.g. a Kafka topic). */
  alsoDeadLetters?: DeadLetterSink,
): Promise<number> {
  const log = logger(io, title);
  const deadLetterPath = resolve(
    io.cwd,
    flags['dead-letters'] ?? join(session.config.paths.home, 'ingest', 'dead-letters.jsonl'),
  );
  const loop = new IngestLoop({
    source,
    ledger: new LedgerService(session.store, { subjectKeys: session.keys }),
    deadLetters:
      alsoDeadLetters === undefined
        ? new FileDeadLetterSink(deadLetterPath)
        : new TeeDeadLetterSink(new FileDeadLetterSink(deadLetterPath), alsoDeadLetters),
    ...identity,
    log,
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping; finishing what was already taken in (again to quit at once)`);
    void loop.stop().catch(() => undefined);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  log(
    `ledger: ${storeLabel(session.config.eventStore)}; dead letters: ${deadLetterPath}; system "${identity.system}"; Ctrl-C stops`,
  );
  let stats: IngestStats;
  try {
    stats = await loop.run();
  } catch (error) {
    await source.stop().catch(() => undefined);
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  log(
    `stopped: ${stats.batches} batches, ${stats.messages} messages, ${stats.submitted} new edits, ${stats.duplicates} already recorded, ${stats.rejected} rejected, ${stats.failures} failed attempts`,
  );
  if (json) writeJson(io, { channel: source.channel, deadLetters: deadLetterPath, ...stats });
  else
    io.stdout.write(
      `ingested from ${source.channel}: ${stats.submitted} new edits, ${stats.duplicates} already recorded, ${stats.rejected} rejected (see ${deadLetterPath})\n`,
    );
  return ExitCode.ok;
}

const http = defineCommand({
  name: 'ingest http',
  summary: 'accept corrections on POST /corrections (embedded HTTP server)',
  description: `
Accept fact corrections over HTTP (embedded server, no other service needed):
  POST /corrections   a JSON object (one correction), a JSON array of them, or JSONL (application/json or
                      application/x-ndjson), with Authorization: Bearer <token> of a submitter or admin
                      (editledger token create); the token is recorded as the submitter
                      202 {recorded: [{index, editId, factKey, ref}], errors: [{index, field, message}], ...}
                      400 when no item is valid; 503 when the ledger cannot be written (send it again)
  GET  /health        200 {"status": "ok"}

${MESSAGE_USAGE}`,
  flags: {
    port: {
      type: 'integer',
      default: 8080,
      check: { ok: (n) => n >= 0 && n <= 65535, rule: 'an integer from 0 to 65535' },
      description: 'port to listen on (0 picks a free one)',
    },
    host: {
      type: 'string',
      placeholder: 'H',
      default: '127.0.0.1',
      description: 'address to listen on (0.0.0.0 for every interface)',
    },
    ...IDENTITY_FLAGS,
  },
  async run(args, io) {
    const { port, host } = args.flags;
    const identity = identityFrom(args.flags, io, 'HTTP');
    const { HttpIngestionSource } = await import('../../ingest/http-source.ts');
    return withLedger(io, args.home, async (session) => {
      const log = logger(io, 'editledger ingest http');
      const { TokenStore } = await import('../../auth/token-store.ts');
      const { may, principalOf } = await import('../../../domain/access.ts');
      const tokens = TokenStore.open(session.config.paths.home);
      if (tokens.size === 0)
        log('no API tokens yet: create one with `editledger token create --name NAME --role submitter`');
      // The same tokens as `editledger serve`: no anonymous write path; the token is recorded as the submitter.
      const authorize = (header: string | undefined) => {
        const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
        const principal = token === undefined ? undefined : tokens.authenticate(token);
        if (principal === undefined)
          return { status: 401 as const, error: 'an API token is required (Authorization: Bearer <token>)' };
        if (!may(principal.role, 'submit'))
          return { status: 403 as const, error: `the ${principal.role} role may not submit corrections` };
        return { actor: principalOf(principal.name) };
      };
      const source = await HttpIngestionSource.listen({ host, port, log, authorize });
      log(`listening on ${source.url} (POST /corrections with a submitter token, GET /health)`);
      return runLoop(io, args, session, source, identity, 'editledger ingest http');
    });
  },
});

const kafka = defineCommand({
  name: 'ingest kafka',
  summary: 'consume corrections from a Kafka topic (consumer group)',
  synopsis: '--brokers B --topic T [--group G] [options]',
  description: `
Consume fact corrections from a Kafka topic, one correction (a JSON object) per message value, as a consumer
group. An offset is committed only after its corrections are in the ledger: a crash or an unreachable ledger
means re-delivery, never loss.

${MESSAGE_USAGE}`,
  flags: {
    brokers: {
      type: 'string',
      placeholder: 'B',
      description: 'comma-separated host:port list (default: $KAFKA_BROKERS)',
    },
    topic: { type: 'string', placeholder: 'T', required: true, description: 'the topic to consume' },
    group: { type: 'string', placeholder: 'G', description: 'consumer group (default: editledger-ingest)' },
    'from-latest': {
      type: 'boolean',
      description: "a group without committed offsets starts at the topic's end (default: its beginning)",
    },
    'dead-letter-topic': {
      type: 'string',
      placeholder: 'T',
      description: 'also forward refused messages to topic T (JSON value with field, reason, offset)',
    },
    'session-timeout': {
      type: 'integer',
      placeholder: 'MS',
      check: { ok: (n) => n >= 0, rule: 'a number of milliseconds' },
      description:
        "how long the group waits for a silent member before moving its partitions (default 30000; at least the broker's group.min.session.timeout.ms, 6000 by default)",
    },
    ...IDENTITY_FLAGS,
  },
  async run(args, io) {
    const { flags } = args;
    const { DEFAULT_GROUP_ID, KafkaIngestionSource, parseBrokers } = await import('../../ingest/kafka-source.ts');
    const brokers = parseBrokers(flags.brokers ?? io.env.KAFKA_BROKERS ?? '');
    if (brokers.length === 0)
      throw new UsageError(
        '--brokers is required (or set KAFKA_BROKERS), e.g. localhost:9092 after `docker compose up -d kafka`',
      );
    const { topic, 'session-timeout': sessionTimeoutMs } = flags;
    const groupId = flags.group ?? DEFAULT_GROUP_ID;
    const identity = identityFrom(flags, io, `Kafka topic ${topic}`);
    return withLedger(io, args.home, async (session) => {
      const log = logger(io, 'editledger ingest kafka');
      log(`connecting to ${brokers.join(',')}: topic "${topic}", group "${groupId}"`);
      let source: IngestionSource;
      try {
        source = await KafkaIngestionSource.connect({
          brokers,
          topic,
          groupId,
          fromBeginning: !flags['from-latest'],
          ...(sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs }),
          log,
        });
      } catch (error) {
        throw new Error(
          `could not consume "${topic}" from Kafka at ${brokers.join(',')}: ${error instanceof Error ? error.message : String(error)} (is a broker running? see docker-compose.yml)`,
          { cause: error },
        );
      }
      const deadLetterTopic = flags['dead-letter-topic'];
      const { KafkaDeadLetterSink } = await import('../../ingest/kafka-dead-letters.ts');
      const topicSink =
        deadLetterTopic === undefined
          ? undefined
          : await KafkaDeadLetterSink.connect({ brokers, topic: deadLetterTopic }).catch(async (error: unknown) => {
              await source.stop().catch(() => undefined); // a half-started consumer would keep the process alive
              throw error;
            });
      log(
        `consuming topic "${topic}" as group "${groupId}"${topicSink ? `; dead letters also to "${deadLetterTopic}"` : ''}`,
      );
      try {
        return await runLoop(io, args, session, source, identity, 'editledger ingest kafka', topicSink);
      } finally {
        await topicSink?.close();
      }
    });
  },
});

const file = defineCommand({
  name: 'ingest file',
  summary: 'read a JSONL file of corrections, resumably (--follow: keep reading what is appended)',
  synopsis: 'FILE [--follow] [options]',
  description: `
Ingest a JSONL file of fact corrections (one per line), resumably: the byte offset after the last recorded line
is checkpointed in <home>/ingest/, only after those lines are in the ledger, so running it again (or after a
crash) continues where it stopped. Without --follow it stops at the end of the file; with --follow it waits for
an upstream system to append more lines (like tail -f).

${MESSAGE_USAGE}`,
  flags: {
    follow: { type: 'boolean', description: 'keep waiting for new lines at the end of the file' },
    ...IDENTITY_FLAGS,
  },
  positionals: { placeholder: 'FILE', min: 1, max: 1 },
  async run(args, io) {
    const path = resolve(io.cwd, args.positionals[0]!);
    const identity = identityFrom(args.flags, io, `file ${basename(path)}`);
    const follow = args.flags.follow;
    const { FileIngestionSource } = await import('../../ingest/file-source.ts');
    return withLedger(io, args.home, async (session) => {
      const log = logger(io, 'editledger ingest file');
      const cursorPath = join(
        session.config.paths.home,
        'ingest',
        `file-${sha256Hex(path).slice(0, 16)}.checkpoint.json`,
      );
      const source = await FileIngestionSource.open(path, { cursorPath, follow });
      const from = await source.committedOffset();
      log(`reading ${path} from byte ${from}${follow ? ', following' : ''} (cursor in ${cursorPath})`);
      return runLoop(io, args, session, source, identity, 'editledger ingest file');
    });
  },
});

export const command: CliCommand = commandGroup({
  name: 'ingest',
  summary: 'record corrections streamed by upstream systems (HTTP, Kafka, a JSONL file)',
  noun: 'source',
  commands: [http, kafka, file],
});
