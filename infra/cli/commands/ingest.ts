// `editledger ingest <http|kafka|file>`: run the ingestion loop on one source until SIGINT/SIGTERM (or, for a
// file without --follow, until its end).
import { basename, join, resolve } from 'node:path';
import { sha256Hex } from '../../../domain/canonical-json.ts';
import type { DeadLetterSink, IngestionSource } from '../../../domain/ports/ingestion.ts';
import { FileDeadLetterSink } from '../../ingest/dead-letters.ts';
import { TeeDeadLetterSink } from '../../ingest/kafka-dead-letters.ts';
import { checkIngestIdentity, IngestLoop } from '../../ingest/ingest-loop.ts';
import type { IngestStats } from '../../ingest/ingest-loop.ts';
import { LedgerService } from '../../ledger/ledger-service.ts';
import type { CliCommand, CliIO } from '../command.ts';
import { ExitCode } from '../command.ts';
import { UsageError, writeJson } from '../format.ts';
import { actorFrom, withLedger } from '../ledger-session.ts';
import type { LedgerSession } from '../ledger-session.ts';
import { COMMON_USAGE, optionalString, requireString, subcommandGroup } from '../subcommand.ts';
import type { ParsedFlags, SubcommandSpec } from '../subcommand.ts';

const IDENTITY_USAGE = `  --system NAME         upstream system recorded on each edit (default: ingest); with the content hash as
                        the ref, the same correction from any channel is the same edit
  --by NAME             who submits the edits (default: $EDITLEDGER_ACTOR, else $USER)
  --reason TEXT         why, recorded on each edit (default: "ingested via <channel>")
  --dead-letters FILE   where refused messages go, one JSON line each with the field and the reason
                        (default: <home>/ingest/dead-letters.jsonl)`;

const MESSAGE_USAGE = `Each correction has the record shape \`edit import\` accepts: ZsRE keys (src, alt, subject, rephrase, loc,
loc_ans) or CounterFact keys (prompt, target_new, subject, rephrase_prompt, locality_prompt,
locality_ground_truth). Its upstream ref is a hash of its content, so a redelivered correction appends nothing.
A bad message is reported with the field it got wrong and kept in the dead-letter file; the others still land.
Progress goes to stderr; Ctrl-C (SIGINT) or SIGTERM stops after the batch in flight is recorded.`;

const httpUsage = `usage: editledger ingest http [--port N] [--host H] [options]

Accept fact corrections over HTTP (embedded server, no other service needed):
  POST /corrections   a JSON object (one correction), a JSON array of them, or JSONL
                      202 {recorded: [{index, editId, factKey, ref}], errors: [{index, field, message}], ...}
                      400 when no item is valid; 503 when the ledger cannot be written (send it again)
  GET  /health        200 {"status": "ok"}

${MESSAGE_USAGE}

Options:
  --port N              port to listen on (default 8080; 0 picks a free one)
  --host H              address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
${IDENTITY_USAGE}
${COMMON_USAGE}`;

const kafkaUsage = `usage: editledger ingest kafka --brokers B --topic T [--group G] [options]

Consume fact corrections from a Kafka topic, one correction (a JSON object) per message value, as a consumer
group. An offset is committed only after its corrections are in the ledger: a crash or an unreachable ledger
means re-delivery, never loss.

${MESSAGE_USAGE}

Options:
  --brokers B           comma-separated host:port list (default: $KAFKA_BROKERS)
  --topic T             the topic to consume
  --group G             consumer group (default: editledger-ingest)
  --from-latest         a group without committed offsets starts at the topic's end (default: its beginning)
  --dead-letter-topic T also forward refused messages to topic T (JSON value with field, reason, offset)
  --session-timeout MS  how long the group waits for a silent member before moving its partitions (default
                        30000; at least the broker's group.min.session.timeout.ms, 6000 by default)
${IDENTITY_USAGE}
${COMMON_USAGE}`;

const fileUsage = `usage: editledger ingest file FILE [--follow] [options]

Ingest a JSONL file of fact corrections (one per line), resumably: the byte offset after the last recorded line
is checkpointed in <home>/ingest/, only after those lines are in the ledger, so running it again (or after a
crash) continues where it stopped. Without --follow it stops at the end of the file; with --follow it waits for
an upstream system to append more lines (like tail -f).

${MESSAGE_USAGE}

Options:
  --follow              keep waiting for new lines at the end of the file
${IDENTITY_USAGE}
${COMMON_USAGE}`;

const IDENTITY_OPTIONS = {
  system: { type: 'string' },
  by: { type: 'string' },
  reason: { type: 'string' },
  'dead-letters': { type: 'string' },
} as const;

interface Identity {
  readonly system: string;
  readonly submittedBy: string;
  readonly reason: string;
}

function identityFrom(flags: ParsedFlags, io: CliIO, channelDescription: string): Identity {
  const identity = {
    system: optionalString(flags, 'system') ?? 'ingest',
    submittedBy: actorFrom(optionalString(flags, 'by'), io.env),
    reason: optionalString(flags, 'reason') ?? `ingested via ${channelDescription}`,
  };
  checkIngestIdentity(identity); // before a port is bound or a broker contacted
  return identity;
}

function portFrom(raw: string | undefined): number {
  if (raw === undefined) return 8080;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) > 65535)
    throw new UsageError(`--port: must be an integer from 0 to 65535, got "${raw}"`);
  return Number(raw);
}

function logger(io: CliIO, title: string): (line: string) => void {
  return (line) => io.stderr.write(`${new Date().toISOString()} ${title}: ${line}\n`);
}

/** Run the loop on `source` until a signal (or a source failure), then report the totals. */
async function runLoop(
  io: CliIO,
  flags: ParsedFlags,
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
    optionalString(flags, 'dead-letters') ?? join(session.config.paths.home, 'ingest', 'dead-letters.jsonl'),
  );
  const loop = new IngestLoop({
    source,
    ledger: new LedgerService(session.store),
    deadLetters:
      alsoDeadLetters === undefined
        ? new FileDeadLetterSink(deadLetterPath)
        : new TeeDeadLetterSink(new FileDeadLetterSink(deadLetterPath), alsoDeadLetters),
    ...identity,
    log,
  });
  const ledger = session.config.eventStore.eventstoreUrl
    ? `EventStoreDB at ${session.config.eventStore.eventstoreUrl}`
    : `SQLite ${session.config.paths.ledgerDb}`;
  log(`ledger: ${ledger}; dead letters: ${deadLetterPath}; system "${identity.system}"; Ctrl-C stops`);
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping; finishing what was already taken in (again to quit at once)`);
    void loop.stop().catch(() => undefined);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
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
  if (flags.json) writeJson(io, { channel: source.channel, deadLetters: deadLetterPath, ...stats });
  else
    io.stdout.write(
      `ingested from ${source.channel}: ${stats.submitted} new edits, ${stats.duplicates} already recorded, ${stats.rejected} rejected (see ${deadLetterPath})\n`,
    );
  return ExitCode.ok;
}

const http: SubcommandSpec = {
  title: 'editledger ingest http',
  usage: httpUsage,
  options: { port: { type: 'string' }, host: { type: 'string' }, ...IDENTITY_OPTIONS },
  positionals: { min: 0, max: 0, names: '' },
  async run(flags, io) {
    const port = portFrom(optionalString(flags, 'port'));
    const host = optionalString(flags, 'host') ?? '127.0.0.1';
    const identity = identityFrom(flags, io, 'HTTP');
    const { HttpIngestionSource } = await import('../../ingest/http-source.ts');
    return withLedger(io, flags.home, async (session) => {
      const log = logger(io, http.title);
      const source = await HttpIngestionSource.listen({ host, port, log });
      log(`listening on ${source.url} (POST /corrections, GET /health)`);
      return runLoop(io, flags, session, source, identity, http.title);
    });
  },
};

const kafka: SubcommandSpec = {
  title: 'editledger ingest kafka',
  usage: kafkaUsage,
  options: {
    brokers: { type: 'string' },
    topic: { type: 'string' },
    group: { type: 'string' },
    'from-latest': { type: 'boolean', default: false },
    'session-timeout': { type: 'string' },
    'dead-letter-topic': { type: 'string' },
    ...IDENTITY_OPTIONS,
  },
  positionals: { min: 0, max: 0, names: '' },
  async run(flags, io) {
    const { DEFAULT_GROUP_ID, KafkaIngestionSource, parseBrokers } = await import('../../ingest/kafka-source.ts');
    const brokers = parseBrokers(optionalString(flags, 'brokers') ?? io.env.KAFKA_BROKERS ?? '');
    if (brokers.length === 0)
      throw new UsageError(
        '--brokers is required (or set KAFKA_BROKERS), e.g. localhost:9092 after `docker compose up -d kafka`',
      );
    const topic = requireString(flags, 'topic');
    const groupId = optionalString(flags, 'group') ?? DEFAULT_GROUP_ID;
    const sessionTimeout = optionalString(flags, 'session-timeout');
    if (sessionTimeout !== undefined && !/^\d+$/.test(sessionTimeout.trim()))
      throw new UsageError(`--session-timeout: must be a number of milliseconds, got "${sessionTimeout}"`);
    const identity = identityFrom(flags, io, `Kafka topic ${topic}`);
    return withLedger(io, flags.home, async (session) => {
      const log = logger(io, kafka.title);
      log(`connecting to ${brokers.join(',')}: topic "${topic}", group "${groupId}"`);
      let source: IngestionSource;
      try {
        source = await KafkaIngestionSource.connect({
          brokers,
          topic,
          groupId,
          fromBeginning: flags.values['from-latest'] !== true,
          ...(sessionTimeout === undefined ? {} : { sessionTimeoutMs: Number(sessionTimeout) }),
          log,
        });
      } catch (error) {
        throw new Error(
          `could not consume "${topic}" from Kafka at ${brokers.join(',')}: ${error instanceof Error ? error.message : String(error)} (is a broker running? see docker-compose.yml)`,
        );
      }
      const deadLetterTopic = optionalString(flags, 'dead-letter-topic');
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
        return await runLoop(io, flags, session, source, identity, kafka.title, topicSink);
      } finally {
        await topicSink?.close();
      }
    });
  },
};

const file: SubcommandSpec = {
  title: 'editledger ingest file',
  usage: fileUsage,
  options: { follow: { type: 'boolean', default: false }, ...IDENTITY_OPTIONS },
  positionals: { min: 1, max: 1, names: 'exactly one FILE' },
  async run(flags, io) {
    const path = resolve(io.cwd, flags.positionals[0]!);
    const identity = identityFrom(flags, io, `file ${basename(path)}`);
    const { FileIngestionSource } = await import('../../ingest/file-source.ts');
    return withLedger(io, flags.home, async (session) => {
      const log = logger(io, file.title);
      const checkpointPath = join(
        session.config.paths.home,
        'ingest',
        `file-${sha256Hex(path).slice(0, 16)}.checkpoint.json`,
      );
      const source = await FileIngestionSource.open(path, { checkpointPath, follow: flags.values.follow === true });
      const from = await source.committedOffset();
      log(
        `reading ${path} from byte ${from}${flags.values.follow === true ? ', following' : ''} (checkpoint ${checkpointPath})`,
      );
      return runLoop(io, flags, session, source, identity, file.title);
    });
  },
};

const subcommands: Record<string, SubcommandSpec> = { http, kafka, file };

const usage = `usage: editledger ingest <source> [options]

sources:
  http       accept corrections on POST /corrections (embedded HTTP server)
  kafka      consume corrections from a Kafka topic (consumer group)
  file FILE  read a JSONL file of corrections, resumably (--follow: keep reading what is appended)

Run "editledger ingest <source> --help" for its options.
`;

export const command: CliCommand = subcommandGroup({
  name: 'ingest',
  summary: 'record corrections streamed by upstream systems (HTTP, Kafka, a JSONL file)',
  usage,
  noun: 'source',
  subcommands,
});
