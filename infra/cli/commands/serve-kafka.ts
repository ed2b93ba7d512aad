// Kafka ingestion inside `editledger serve` (the same loop as `editledger ingest kafka`), its counts carried into the
// API's ingestion counters and metrics once a second.
import { join } from 'node:path';
import type { ServerMetrics } from '../../http/metrics.ts';
import type { IngestionCounters } from '../../http/services.ts';
import { LedgerService } from '../../../domain/edit-use-cases.ts';
import { UsageError } from '../format.ts';
import type { ModelSession } from '../model-session.ts';

/** Kafka ingestion in the serve process (the same loop as `editledger ingest kafka`), when a topic is given. */
export async function startKafka(
  session: ModelSession,
  flags: {
    'kafka-brokers'?: string | undefined;
    'kafka-topic'?: string | undefined;
    'kafka-group'?: string | undefined;
  },
  env: NodeJS.ProcessEnv,
  counters: IngestionCounters,
  metrics: ServerMetrics,
  log: (line: string) => void,
): Promise<{ stop(): Promise<void> } | undefined> {
  const topic = flags['kafka-topic'];
  if (topic === undefined) {
    if (flags['kafka-brokers'] !== undefined) throw new UsageError('--kafka-brokers needs --kafka-topic');
    return undefined;
  }
  const { DEFAULT_GROUP_ID, KafkaIngestionSource, parseBrokers } = await import('../../ingest/kafka-source.ts');
  const { IngestLoop } = await import('../../ingest/ingest-loop.ts');
  const { FileDeadLetterSink } = await import('../../ingest/dead-letters.ts');
  const brokers = parseBrokers(flags['kafka-brokers'] ?? env.KAFKA_BROKERS ?? '');
  if (brokers.length === 0) throw new UsageError('--kafka-topic needs --kafka-brokers (or KAFKA_BROKERS)');
  const source = await KafkaIngestionSource.connect({
    brokers,
    topic,
    groupId: flags['kafka-group'] ?? DEFAULT_GROUP_ID,
    fromBeginning: true,
    log,
  });
  const deadLetters = new FileDeadLetterSink(join(session.home, 'ingest', 'dead-letters.jsonl'));
  const loop = new IngestLoop({
    source,
    ledger: new LedgerService(session.ledger.store, { subjectKeys: session.ledger.keys }),
    deadLetters,
    system: 'kafka',
    submittedBy: `kafka:${topic}`,
    reason: `ingested via Kafka topic ${topic}`,
    log,
  });
  let seen = { submitted: 0, duplicates: 0, rejected: 0 };
  const sync = setInterval(() => {
    const now = loop.counts;
    counters.accepted += now.submitted - seen.submitted;
    counters.duplicates += now.duplicates - seen.duplicates;
    counters.rejected += now.rejected - seen.rejected;
    metrics.ingestion.inc({ outcome: 'submitted' }, now.submitted - seen.submitted);
    metrics.ingestion.inc({ outcome: 'duplicate' }, now.duplicates - seen.duplicates);
    metrics.ingestion.inc({ outcome: 'rejected' }, now.rejected - seen.rejected);
    metrics.eventsAppended.inc(now.submitted - seen.submitted);
    metrics.kafkaLag.set(source.lag);
    counters.deadLettersDropped = deadLetters.dropped.entries;
    seen = now;
  }, 1000);
  sync.unref();
  const running = loop.run();
  log(`consuming Kafka topic "${topic}" from ${brokers.join(',')}`);
  return {
    stop: async () => {
      clearInterval(sync);
      await loop.stop();
      await running.catch(() => undefined);
    },
  };
}
