// Issue 15 inside the service: `editledger serve --kafka-topic T` consumes corrections from a real broker (started
// by the tests from the Maven jars), and the service's status and Prometheus metrics show the ingestion counters
// and the consumer lag. Where no broker can run, one SKIPPED line.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import kafkajs from 'kafkajs';
import { TokenStore } from '../infra/auth/token-store.ts';
import { waitFor, zsre } from './helpers/ingestion-contract.ts';
import { kafkaForTests } from './helpers/kafka-broker.ts';
import { registerSkipped } from './helpers/kafka-skip.ts';
import { produceAt } from './helpers/kafka-broker-clients.ts';
import { call, startServe } from './helpers/serve-process.ts';

const { Kafka, logLevel } = kafkajs;
const kafka = await kafkaForTests();

if (kafka.kind === 'skipped') {
  registerSkipped('serve + kafka: needs a broker', `serve + Kafka tests SKIPPED: ${kafka.reason}`);
} else {
  test.after.always(async () => kafka.local?.stop());

  test('serve --kafka-topic: corrections land, /v1/status counts them, /metrics shows counters and lag', async (t) => {
    const brokers = [...kafka.brokers];
    const client = new Kafka({ clientId: 'editledger-serve-test', brokers, logLevel: logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    const topic = `serve-${randomUUID().slice(0, 8)}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const home = await mkdtemp(join(tmpdir(), 'editledger-serve-kafka-'));
    const token = TokenStore.open(home).create('ops', 'admin', 'test').token;
    const values = Array.from({ length: 40 }, (_, i) => zsre(400_000 + i));
    values.push('{"src": "no target"}'); // one bad message: rejected and dead-lettered
    await produceAt(client, topic, values, (i) => i % 2);
    const serve = await startServe(home, [
      '--no-trainer',
      '--kafka-topic',
      topic,
      '--kafka-brokers',
      brokers.join(','),
      '--kafka-group',
      topic,
    ]);
    t.teardown(async () => {
      await serve.stop('SIGKILL');
      await rm(home, { recursive: true, force: true });
    });
    await waitFor(
      t,
      '40 corrections ingested',
      async () => (await call(serve.url, 'GET', '/v1/status', { token })).body.ingestion.accepted === 40,
      60_000,
    );
    const status = (await call(serve.url, 'GET', '/v1/status', { token })).body;
    t.is(status.ingestion.rejected, 1);
    t.is(status.head, 40);
    const metrics = (await call(serve.url, 'GET', '/metrics')).body as string;
    t.regex(metrics, /editledger_ingestion_records_total\{outcome="submitted"\} 40/);
    t.regex(metrics, /editledger_ingestion_records_total\{outcome="rejected"\} 1/);
    t.regex(metrics, /editledger_kafka_consumer_lag 0/);
    t.is(await serve.stop('SIGTERM'), 0, serve.stderr());
  });
}
