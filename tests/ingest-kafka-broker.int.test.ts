// The ingestion contract (tests/helpers/ingestion-contract.ts) and the client's protocol fit, on a REAL Apache
// Kafka broker: the local 4.x broker that tests/helpers/kafka-broker.ts starts from the cached jars, or the one
// KAFKA_BROKERS names. Where neither can be had (no java, jars not fetched) one SKIPPED line says what is missing.
import { randomUUID } from 'node:crypto';
import test from 'ava';
import kafkajs from 'kafkajs';
import type { LogEntry } from 'kafkajs';
import { IngestLoop } from '../infra/ingest/ingest-loop.ts';
import type { IngestLoopOptions } from '../infra/ingest/ingest-loop.ts';
import { KafkaIngestionSource } from '../infra/ingest/kafka-source.ts';
import type { IngestionRig } from './helpers/ingestion-contract.ts';
import { registerIngestionContract, zsre } from './helpers/ingestion-contract.ts';
import { kafkaForTests } from './helpers/kafka-broker.ts';
import { registerSkipped, withoutBroker } from './helpers/kafka-skip.ts';

const { Kafka, logLevel, Partitioners } = kafkajs;
const kafka = await kafkaForTests();

if (kafka.kind === 'skipped') {
  registerSkipped('kafka broker: tests need a broker', withoutBroker('Kafka broker tests', kafka.reason));
} else {
  const brokers = [...kafka.brokers];
  test.after.always(async () => kafka.local?.stop());
  const client = new Kafka({ clientId: 'editledger-contract', brokers, logLevel: logLevel.NOTHING });

  registerIngestionContract(
    `kafka (${kafka.kind === 'local' ? `local broker ${kafka.local?.version}` : 'KAFKA_BROKERS'})`,
    async (options: Omit<IngestLoopOptions, 'source'>): Promise<IngestionRig> => {
      const suffix = randomUUID().slice(0, 8);
      const topic = `editledger-contract-${suffix}`;
      const groupId = `editledger-contract-${suffix}`;
      const admin = client.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
      const producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      const source = await KafkaIngestionSource.connect({ brokers, topic, groupId, heartbeatMs: 1000 });
      const loop = new IngestLoop({ ...options, source });
      loop.run().catch(() => undefined);
      return {
        channel: source.channel,
        async publish(payloads) {
          await producer.send({ topic, messages: payloads.map((value) => ({ value })) });
        },
        async acknowledged() {
          const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
          const offset = Number(offsets?.partitions[0]?.offset ?? -1);
          return offset < 0 ? 0 : offset;
        },
        stop: () => loop.stop(),
        async dispose() {
          await producer.disconnect();
          await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
          await admin.disconnect();
        },
      };
    },
    { timeoutMs: 30_000 },
  );

  // KIP-896 (Kafka 4.0) removed old protocol versions. kafkajs (last release 2.2.4, 2023) negotiates with the
  // broker's ApiVersions answer; this records what it actually sends and checks each against the broker's range.
  if (kafka.local !== undefined) {
    const local = kafka.local;
    test('kafkajs sends only protocol versions the 4.x broker supports (produce, group consume, commit)', async (t) => {
      const sent = new Map<string, number>();
      const probe = new Kafka({
        clientId: 'editledger-probe',
        brokers,
        logLevel: logLevel.DEBUG,
        logCreator: () => (entry: LogEntry) => {
          const match = /^Request (\w+)\(key: \d+, version: (\d+)\)/.exec(String(entry.log.message));
          if (match) sent.set(match[1]!, Number(match[2]));
        },
      });
      const topic = `editledger-probe-${randomUUID().slice(0, 8)}`;
      const producer = probe.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      await producer.send({ topic, messages: [{ value: zsre(1) }] });
      await producer.disconnect();
      // The same consumer calls the adapter makes: eachBatch, manual resolve, commit.
      const consumer = probe.consumer({ groupId: `probe-${topic}` });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await new Promise<void>((resolve) => {
        void consumer.run({
          eachBatchAutoResolve: false,
          eachBatch: async (payload) => {
            payload.resolveOffset(payload.batch.lastOffset());
            await payload.commitOffsetsIfNecessary();
            resolve();
          },
        });
      });
      await consumer.disconnect();

      const supported = new Map<string, { min: number; max: number }>();
      for (const line of local.apiVersions()) {
        const match = /^(\w+)\(\d+\): (\d+)(?: to (\d+))?/.exec(line);
        if (match) supported.set(match[1]!, { min: Number(match[2]), max: Number(match[3] ?? match[2]) });
      }
      // kafkajs calls FindCoordinator by its old name.
      const brokerName = (api: string): string => (api === 'GroupCoordinator' ? 'FindCoordinator' : api);
      const report = [...sent].sort().map(([api, version]) => {
        const range = supported.get(brokerName(api));
        return `${api} v${version} (broker ${range ? `${range.min}..${range.max}` : 'unsupported'})`;
      });
      t.log(`Kafka ${local.version}, kafkajs requests: ${report.join(', ')}`);
      for (const api of ['Produce', 'Fetch', 'JoinGroup', 'SyncGroup', 'OffsetCommit', 'OffsetFetch', 'Metadata'])
        t.true(sent.has(api), `kafkajs never sent ${api}`);
      for (const [api, version] of sent) {
        const range = supported.get(brokerName(api));
        t.truthy(range, `${api}: the broker does not support it`);
        if (range)
          t.true(version >= range.min && version <= range.max, `${api} v${version} outside ${range.min}..${range.max}`);
      }
    });
  }
}
