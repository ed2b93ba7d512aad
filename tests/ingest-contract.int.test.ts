// The ingestion contract (tests/helpers/ingestion-contract.ts) on every adapter:
// - HTTP (node:http, embedded): always;
// - a JSONL file that the upstream appends to (followed, with a checkpoint file): always;
// - Kafka through an in-process fake broker behind the kafkajs consumer API: always (checks the adapter's offset
//   handling; it is not a broker);
// - Kafka against a real broker: tests/ingest-kafka-broker.int.test.ts (a broker the test starts itself, or
//   KAFKA_BROKERS).

import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileIngestionSource } from '../infra/ingest/file-source.ts';
import { HttpIngestionSource } from '../infra/ingest/http-source.ts';
import { IngestLoop } from '../infra/ingest/ingest-loop.ts';
import type { IngestLoopOptions, IngestStats } from '../infra/ingest/ingest-loop.ts';
import { KafkaIngestionSource } from '../infra/ingest/kafka-source.ts';
import type { IngestionRig } from './helpers/ingestion-contract.ts';
import { FakeKafkaBroker } from './helpers/fake-kafka.ts';
import { registerIngestionContract, sleep } from './helpers/ingestion-contract.ts';

type LoopOptions = Omit<IngestLoopOptions, 'source'>;

/** Start the loop; stop() is idempotent and resolves with the totals. */
function started(loop: IngestLoop): { stop(): Promise<IngestStats> } {
  const running = loop.run();
  running.catch(() => undefined);
  return { stop: () => loop.stop() };
}

// HTTP: one POST per delivery, from an at-least-once client that re-sends on 503 (and gives up when refused).
registerIngestionContract('http', async (options: LoopOptions): Promise<IngestionRig> => {
  const source = await HttpIngestionSource.listen({ port: 0 });
  const url = `${source.url}/corrections`;
  const loop = started(new IngestLoop({ ...options, source }));
  let acknowledged = 0;
  const deliveries = new Set<Promise<void>>();
  const deliver = async (payloads: readonly string[]): Promise<void> => {
    for (let attempt = 0; attempt < 1000; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          body: payloads.join('\n'),
          headers: { 'content-type': 'application/x-ndjson' },
        });
      } catch {
        return; // refused: the server is gone
      }
      await response.arrayBuffer();
      if (response.status !== 503) {
        if (response.status === 202 || response.status === 400) acknowledged += payloads.length;
        return;
      }
      await sleep(10);
    }
  };
  return {
    channel: source.channel,
    async publish(payloads) {
      const delivery = deliver(payloads).finally(() => deliveries.delete(delivery));
      deliveries.add(delivery);
    },
    acknowledged: async () => acknowledged,
    async stop() {
      const stats = await loop.stop();
      await Promise.all(deliveries); // the client has read its responses (or found the server gone)
      return stats;
    },
  };
});

// JSONL file: the upstream appends lines; acknowledged = lines before the checkpointed byte offset.
registerIngestionContract('file', async (options: LoopOptions): Promise<IngestionRig> => {
  const dir = mkdtempSync(join(tmpdir(), 'editledger-ingest-file-'));
  const path = join(dir, 'corrections.jsonl');
  writeFileSync(path, '');
  const source = await FileIngestionSource.open(path, {
    cursorPath: join(dir, 'checkpoint.json'),
    follow: true,
    pollMs: 5,
  });
  const loop = started(new IngestLoop({ ...options, source }));
  return {
    channel: source.channel,
    publish: async (payloads) => appendFileSync(path, payloads.map((p) => `${p}\n`).join('')),
    acknowledged: async () =>
      readFileSync(path)
        .subarray(0, await source.committedOffset())
        .toString('utf8')
        .split('\n').length - 1,
    stop: () => loop.stop(),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

// Kafka adapter on an in-process fake broker (kafkajs consumer semantics, see the helper).
registerIngestionContract('kafka (in-process fake broker)', async (options: LoopOptions): Promise<IngestionRig> => {
  const broker = new FakeKafkaBroker();
  const topic = 'corrections';
  const consumer = broker.consumer('editledger-ingest');
  const source = await KafkaIngestionSource.start(consumer, { topic, fromBeginning: true, heartbeatMs: 50 });
  const loop = started(new IngestLoop({ ...options, source }));
  return {
    channel: source.channel,
    publish: async (payloads) => broker.produce(topic, payloads),
    acknowledged: async () => broker.committed(consumer.groupId, topic),
    stop: () => loop.stop(),
  };
});
