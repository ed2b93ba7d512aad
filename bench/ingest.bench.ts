// Ingestion speed (npm run bench:ingest): corrections per second from a real Kafka broker into the embedded
// ledger, next to the JSONL file source into the same kind of ledger and to the broker's own producer
// throughput, all measured in this run on this machine.
//
//   kafka -> ledger    the `ingest kafka` path: KafkaIngestionSource (kafkajs consumer group, 3 partitions) and
//                      the ingestion loop appending to a fresh SQLite ledger, from run() until every offset is
//                      committed (so it includes joining the group)
//   file -> ledger     the same corrections from a JSONL file (FileIngestionSource, no follow), fresh ledger
//   kafkajs producer   our client producing those corrections (acks from all in-sync replicas, batches of 1,000)
//   broker producer    Apache Kafka's ProducerPerformance (Java client, same average record size, at least
//                      200,000 records so that JVM warm-up does not dominate; BENCH_INGEST_JAVA)
//
// The broker is the local one from tests/helpers/kafka-broker.ts (jars: node scripts/kafka-broker.mjs fetch), or
// KAFKA_BROKERS (then the Java producer row is skipped). Environment: BENCH_INGEST=20000 corrections,
// BENCH_INGEST_JAVA=max(BENCH_INGEST, 200000) records for the Java producer.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { SqliteEventStore } from '../infra/eventstore/sqlite-event-store.ts';
import { MemoryDeadLetterSink } from '../infra/ingest/dead-letters.ts';
import { FileIngestionSource } from '../infra/ingest/file-source.ts';
import { IngestLoop } from '../infra/ingest/ingest-loop.ts';
import type { IngestionSource } from '../domain/ports/ingestion.ts';
import { KafkaIngestionSource, parseBrokers } from '../infra/ingest/kafka-source.ts';
import { LedgerService } from '../domain/edit-use-cases.ts';
import { startLocalKafkaBroker, whyNoLocalBroker } from '../tests/helpers/kafka-broker.ts';
import type { LocalKafkaBroker } from '../tests/helpers/kafka-broker.ts';
import { envInt, markdownTable } from './table.ts';

const N = envInt('BENCH_INGEST', 20_000);
const PARTITIONS = 3;
// The Java producer needs ~10^5 records to leave JVM warm-up behind (20,000 measured 22k/s, 200,000 124k/s here).
const JAVA_RECORDS = envInt('BENCH_INGEST_JAVA', Math.max(N, 200_000));

/** A ZsRE correction, unique per n (the shape `edit import` and the ingestion loop accept). */
function correction(n: number): string {
  return JSON.stringify({
    subject: `Creek ${n}`,
    src: `Which river system contains Creek ${n}?`,
    alt: `River ${n}`,
    rephrase: `What river system is Creek ${n} in?`,
    loc: `nq question: how many moons has planet ${n}`,
    loc_ans: `${n}`,
  });
}

/** Run the loop on `source` into a fresh ledger until `done` says so; corrections/s. */
async function ingest(
  dir: string,
  source: () => Promise<IngestionSource>,
  done: (messages: number) => boolean,
  stopWhenDone: boolean,
): Promise<number> {
  const store = SqliteEventStore.open(join(dir, `ledger-${randomUUID()}.db`));
  let messages = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const started = performance.now();
  const loop = new IngestLoop({
    source: await source(),
    ledger: new LedgerService(store),
    deadLetters: new MemoryDeadLetterSink(),
    system: 'bench',
    submittedBy: 'bench',
    reason: 'ingest benchmark',
    onReport: (report) => {
      messages += report.items.length;
      if (done(messages)) finish();
    },
  });
  const running = loop.run();
  await (stopWhenDone ? Promise.race([finished, running]) : running);
  const seconds = (performance.now() - started) / 1000;
  if (stopWhenDone) await loop.stop();
  await store.close();
  if (messages < N) throw new Error(`ingested ${messages} of ${N}`);
  return N / seconds;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'editledger-bench-ingest-'));
  const external = parseBrokers(process.env.KAFKA_BROKERS ?? '');
  let local: LocalKafkaBroker | undefined;
  if (external.length === 0) {
    const missing = whyNoLocalBroker();
    if (missing !== undefined) {
      console.log(`bench:ingest SKIPPED: ${missing}; or set KAFKA_BROKERS`);
      return;
    }
    local = await startLocalKafkaBroker();
  }
  const brokers = external.length > 0 ? external : [...local!.brokers];
  try {
    const values = Array.from({ length: N }, (_, i) => correction(i));
    const averageBytes = Math.round(values.reduce((sum, v) => sum + v.length, 0) / N);
    const client = new kafkajs.Kafka({ clientId: 'editledger-bench', brokers, logLevel: kafkajs.logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    const topic = `bench-ingest-${randomUUID().slice(0, 8)}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });

    const producer = client.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
    await producer.connect();
    const produceStart = performance.now();
    for (let from = 0; from < N; from += 1000) {
      const messages = values
        .slice(from, from + 1000)
        .map((value, i) => ({ value, partition: (from + i) % PARTITIONS }));
      await producer.send({ topic, acks: -1, messages });
    }
    const kafkajsProducer = N / ((performance.now() - produceStart) / 1000);
    await producer.disconnect();

    const kafkaToLedger = await ingest(
      dir,
      () => KafkaIngestionSource.connect({ brokers, topic, groupId: `bench-${topic}` }),
      (messages) => messages >= N,
      true,
    );

    const file = join(dir, 'corrections.jsonl');
    writeFileSync(file, values.map((v) => `${v}\n`).join(''));
    const fileToLedger = await ingest(
      dir,
      () => FileIngestionSource.open(file, { cursorPath: join(dir, 'checkpoint.json') }),
      () => false,
      false,
    );

    let brokerProducer: number | undefined;
    if (local !== undefined) {
      await admin.createTopics({
        topics: [{ topic: `${topic}-perf`, numPartitions: PARTITIONS }],
        waitForLeaders: true,
      });
      brokerProducer = local.producerPerformance(`${topic}-perf`, JAVA_RECORDS, averageBytes);
    }
    await admin.disconnect();

    const rate = (value: number | undefined): string => (value === undefined ? 'skipped' : value.toFixed(0));
    const ratio = (value: number, base: number | undefined): string =>
      base === undefined ? '-' : `${(value / base).toFixed(2)}x`;
    console.log(
      `bench:ingest: ${N} corrections (${averageBytes} bytes each), ${PARTITIONS} partitions, Kafka ${local?.version ?? '(KAFKA_BROKERS)'}, kafkajs 2.2.4, SQLite ledger\n`,
    );
    console.log(
      markdownTable(
        ['path', 'corrections/s', 'vs file -> ledger', 'vs broker producer'],
        [
          [
            'kafka -> ledger (ingest kafka)',
            rate(kafkaToLedger),
            ratio(kafkaToLedger, fileToLedger),
            ratio(kafkaToLedger, brokerProducer),
          ],
          ['file -> ledger (ingest file)', rate(fileToLedger), '1.00x', ratio(fileToLedger, brokerProducer)],
          [
            'kafkajs producer (acks=all)',
            rate(kafkajsProducer),
            ratio(kafkajsProducer, fileToLedger),
            ratio(kafkajsProducer, brokerProducer),
          ],
          [
            `broker producer (ProducerPerformance, ${JAVA_RECORDS} records)`,
            rate(brokerProducer),
            brokerProducer === undefined ? '-' : ratio(brokerProducer, fileToLedger),
            brokerProducer === undefined ? '-' : '1.00x',
          ],
        ],
      ),
    );
  } finally {
    await local?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
