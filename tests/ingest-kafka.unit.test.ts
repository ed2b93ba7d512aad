// The Kafka adapter's own behaviour, on the in-process fake broker (kafkajs consumer semantics) and, for the
// connection failure, on real kafkajs against a closed loopback port; its outage messages and socket tracking.
// The real broker: tests/ingest-kafka-broker.int.test.ts and tests/ingest-kafka-faults.int.test.ts.
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import test from 'ava';
import { ConnectionWatch } from '../infra/ingest/kafka-connection-watch.ts';
import { TrackedSockets } from '../infra/ingest/kafka-sockets.ts';
import { KafkaIngestionSource, parseBrokers } from '../infra/ingest/kafka-source.ts';
import { FakeKafkaBroker } from './helpers/fake-kafka.ts';
import { sleep, zsre } from './helpers/ingestion-contract.ts';

/** Stop as the ingestion loop does: keep pulling (here: releasing) what was handed over until the source is done. */
async function stop(source: KafkaIngestionSource): Promise<void> {
  const stopping = source.stop();
  for (let batch = await source.next(); batch !== undefined; batch = await source.next())
    await batch.release(new Error('stopping'));
  await stopping;
}

async function started(broker: FakeKafkaBroker, topic = 'corrections', groupId = 'g') {
  const consumer = broker.consumer(groupId);
  const source = await KafkaIngestionSource.start(consumer, { topic, fromBeginning: true, heartbeatMs: 10 });
  return { consumer, source };
}

test('messages are handed over with their key, partition:offset and raw value; a tombstone is an empty payload', async (t) => {
  const broker = new FakeKafkaBroker();
  broker.produce('corrections', [zsre(1)], 'fact-1');
  broker.log('corrections').push({ key: null, value: null });
  const { source } = await started(broker);
  t.is(source.channel, 'kafka:corrections');
  const batch = await source.next();
  t.deepEqual(
    batch?.messages.map((m) => ({ key: m.key, offset: m.offset, payload: Buffer.from(m.payload).toString() })),
    [
      { key: 'fact-1', offset: '0:0', payload: zsre(1) },
      { key: undefined, offset: '0:1', payload: '' },
    ],
  );
  t.is(broker.committed('g', 'corrections'), 0, 'committed before the loop said so');
  await batch!.commit({ items: [], submitted: 0, duplicates: 0, superseded: 0, rejected: 0, position: 0 });
  t.is(broker.committed('g', 'corrections'), 2, 'commit() returned before the offset was committed');
  await stop(source);
});

test('a released batch is fetched again from its first offset; nothing is committed meanwhile', async (t) => {
  const broker = new FakeKafkaBroker();
  broker.produce('corrections', [zsre(1), zsre(2)]);
  const { source, consumer } = await started(broker);
  const first = await source.next();
  await first!.release(new Error('ledger down'));
  const again = await source.next();
  t.deepEqual(
    again?.messages.map((m) => m.offset),
    first?.messages.map((m) => m.offset),
  );
  t.is(consumer.batches, 2);
  t.is(broker.committed('g', 'corrections'), 0);
  await again!.commit({ items: [], submitted: 2, duplicates: 0, superseded: 0, rejected: 0, position: 2 });
  t.is(broker.committed('g', 'corrections'), 2);
  await stop(source);
});

test('a new consumer of the group resumes at the committed offset', async (t) => {
  const broker = new FakeKafkaBroker();
  broker.produce('corrections', [zsre(1)]);
  const one = await started(broker);
  const batch = await one.source.next();
  await batch!.commit({ items: [], submitted: 1, duplicates: 0, superseded: 0, rejected: 0, position: 1 });
  await stop(one.source);

  broker.produce('corrections', [zsre(2)]);
  const two = await started(broker);
  const resumed = await two.source.next();
  t.deepEqual(
    resumed?.messages.map((m) => m.offset),
    ['0:1'],
  );
  await resumed!.release(new Error('not now'));
  await stop(two.source);
  t.is(broker.committed('g', 'corrections'), 1, 'stopping committed what was released');
});

test('after stop() nothing more is handed over or committed: later messages stay for the next consumer', async (t) => {
  const broker = new FakeKafkaBroker();
  const { source, consumer } = await started(broker);
  const stopping = source.stop();
  broker.produce('corrections', [zsre(1)]);
  await sleep(20);
  t.is(await source.next(), undefined);
  await stopping;
  t.true(consumer.batches <= 1);
  t.is(broker.committed('g', 'corrections'), 0);
});

test('a consumer crash that kafkajs does not restart makes next() reject', async (t) => {
  const broker = new FakeKafkaBroker();
  const { source, consumer } = await started(broker);
  const pending = source.next();
  consumer.crash(new Error('group authorization failed'), false);
  await t.throwsAsync(pending, { message: /the Kafka consumer stopped: group authorization failed/ });
  await t.throwsAsync(source.next(), { message: /group authorization failed/ });
  await source.stop();
});

test("connect() to an address where no broker listens fails with kafkajs' connection error", async (t) => {
  // A port that was free a moment ago: nothing listens there.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const lines: string[] = [];
  await t.throwsAsync(
    KafkaIngestionSource.connect({
      brokers: [`127.0.0.1:${port}`],
      topic: 't',
      retries: 0,
      log: (line) => lines.push(line),
    }),
    {
      message: /ECONNREFUSED|Connection error/,
    },
  );
});

test('parseBrokers splits a comma-separated list and drops blanks', (t) => {
  t.deepEqual(parseBrokers(' a:9092, b:9093 ,,'), ['a:9092', 'b:9093']);
  t.deepEqual(parseBrokers(''), []);
});

test('ConnectionWatch says once per outage what it waits for, and when it is over', (t) => {
  const lines: string[] = [];
  let now = 1000;
  const watch = new ConnectionWatch(
    (line) => lines.push(line),
    'the Kafka broker at 127.0.0.1:9092',
    () => now,
  );
  watch.alive(); // no outage: nothing to say
  watch.observe('kafka warn Runner: fetch done');
  t.deepEqual(lines, []);
  watch.observe('kafka error Connection: Connection error: connect ECONNREFUSED 127.0.0.1:9092');
  watch.observe('kafka error BrokerPool: Failed to connect to seed broker (Connection error: ECONNREFUSED)');
  t.true(watch.isDown);
  now += 2500;
  watch.alive();
  watch.alive();
  t.deepEqual(lines, [
    'kafka: lost the connection; waiting for the Kafka broker at 127.0.0.1:9092 to answer again (retrying by itself; nothing is committed meanwhile, so nothing is lost)',
    'kafka: the Kafka broker at 127.0.0.1:9092 answers again after 2.5 s; resuming at the committed offsets',
  ]);
  watch.silence(); // stopping: the connections closed now are no outage
  watch.observe('kafka error Connection: Connection error: closed by editledger');
  t.false(watch.isDown);
  t.is(lines.length, 2);
});

test('TrackedSockets destroys the connections still open, so a stopped consumer cannot keep the process alive', async (t) => {
  const server = createServer((socket) => socket.on('error', () => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const { port } = server.address() as AddressInfo;
  const sockets = new TrackedSockets();
  const errors: string[] = [];
  const connected = await Promise.all(
    [0, 1].map(
      () =>
        new Promise<Socket>((resolve) => {
          const socket: Socket = sockets.factory({
            host: '127.0.0.1',
            port,
            ssl: {},
            onConnect: () => resolve(socket),
          });
          socket.on('error', (error) => errors.push(error.message));
        }),
    ),
  );
  connected[0]!.destroy();
  await new Promise((resolve) => connected[0]!.once('close', resolve));
  t.is(sockets.size, 1, 'a closed socket is forgotten');
  t.is(sockets.destroyAll(), 1);
  await new Promise((resolve) => connected[1]!.once('close', resolve));
  t.true(connected[1]!.destroyed);
  t.deepEqual(errors, ['closed by editledger: the consumer was stopped'], "kafkajs' error handler must see it");
  t.is(sockets.size, 0);
});
