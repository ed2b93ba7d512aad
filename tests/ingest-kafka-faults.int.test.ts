// Kafka ingestion under faults, on a real broker (tests/helpers/kafka-broker.ts; KAFKA_BROKERS for an external
// one, where the broker-kill test is skipped since only a broker this file started can be killed). Every test ends
// with an exact count of the ledger: each distinct valid correction once, nothing lost, nothing twice.
// Serial: one broker for the file, and one of the tests kills it.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import kafkajs from 'kafkajs';
import { IngestLoop } from '../infra/ingest/ingest-loop.ts';
import { MemoryDeadLetterSink } from '../infra/ingest/dead-letters.ts';
import { KafkaDeadLetterSink, TeeDeadLetterSink } from '../infra/ingest/kafka-dead-letters.ts';
import { KafkaIngestionSource } from '../infra/ingest/kafka-source.ts';
import { LedgerService } from '../domain/edit-use-cases.ts';
import { SqliteEventStore } from '../infra/eventstore/sqlite-event-store.ts';
import type { DeadLetter } from '../domain/ports/ingestion.ts';
import { expectedEdit, sleep, submittedEdits, SYSTEM, waitFor, zsre } from './helpers/ingestion-contract.ts';
import { kafkaForTests } from './helpers/kafka-broker.ts';
import { registerSkipped, withoutBroker } from './helpers/kafka-skip.ts';
import { IngestChild, ledgerCount, produceAt, readTopic } from './helpers/kafka-broker-clients.ts';

const { Kafka, logLevel } = kafkajs;
const kafka = await kafkaForTests();
// The issue asks for 10,000 (9-19 s here on 2 shared cores); KAFKA_FAULT_CORRECTIONS overrides it.
const CORRECTIONS = Number(process.env.KAFKA_FAULT_CORRECTIONS ?? 10_000);

if (kafka.kind === 'skipped') {
  registerSkipped('kafka faults: tests need a broker', withoutBroker('Kafka fault tests', kafka.reason));
} else {
  const brokers = [...kafka.brokers];
  const client = new Kafka({ clientId: 'editledger-faults', brokers, logLevel: logLevel.NOTHING });
  const admin = client.admin();
  test.before(async () => admin.connect());
  test.after.always(async () => {
    await admin.disconnect().catch(() => undefined);
    await kafka.local?.stop();
  });

  const scratch = (): { dir: string; topic: string; group: string } => {
    const suffix = randomUUID().slice(0, 8);
    return {
      dir: mkdtempSync(join(tmpdir(), 'editledger-kafka-faults-')),
      topic: `faults-${suffix}`,
      group: `faults-${suffix}`,
    };
  };
  const createTopic = (topic: string, partitions = 3): Promise<boolean> =>
    admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
  /** The group's committed offsets summed over the topic's partitions (= messages acknowledged). */
  const committed = async (group: string, topic: string): Promise<number> => {
    // -1 while the coordinator cannot answer (e.g. loading the offsets after a broker restart).
    const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] }).catch(() => [undefined]);
    if (offsets === undefined) return -1;
    return offsets.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  };

  /** A fresh topic (3 partitions) and group, removed after the test, with `total` distinct corrections from `first`. */
  const faultCase = async (t: ExecutionContext, total: number, first: number) => {
    const { dir, topic, group } = scratch();
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    await createTopic(topic);
    const values = Array.from({ length: total }, (_, i) => zsre(first + i));
    return { topic, group, values, home: join(dir, 'home') };
  };
  /**
   * After the faults, one more ingester on the same home and group must bring the acknowledged count to `total`,
   * stop cleanly on SIGTERM, and leave every correction in the ledger exactly once.
   */
  const drainWithLastIngester = async (
    t: ExecutionContext,
    { home, topic, group }: { home: string; topic: string; group: string },
    total: number,
  ): Promise<void> => {
    const last = IngestChild.start({ home, brokers, topic, group });
    t.teardown(() => last.kill('SIGKILL'));
    await last.waitFor(t, /consuming topic/, 60_000); // its SIGTERM handler is in place from here on
    await waitFor(t, `${total} acknowledged`, async () => (await committed(group, topic)) === total, 60_000);
    t.is(await last.kill('SIGTERM'), 0, last.stderr);
    t.deepEqual(await ledgerCount(join(home, 'ledger.db')), { events: total, distinct: total });
  };

  test.serial(
    `${CORRECTIONS} corrections over 3 partitions, 1% malformed, 5% redelivered: each valid one once, each malformed one dead-lettered with field, topic, partition, offset`,
    async (t) => {
      const { dir, topic, group } = scratch();
      t.teardown(() => rmSync(dir, { recursive: true, force: true }));
      await createTopic(topic);
      const malformed = [
        { payload: '{"subject": "Creek x", "src": "Which river system contains Creek x?"}', field: 'alt' },
        { payload: '{not json', field: 'payload' },
        { payload: '{"prompt": "The mother tongue of Person x is", "target_new": 42}', field: 'target_new' },
        { payload: '', field: 'payload' },
      ];
      // Deterministic mix: every 100th message malformed, every 20th a re-send of an earlier valid one.
      const values: string[] = [];
      const expectedField: string[] = [];
      const valid: string[] = [];
      for (let i = 0; i < CORRECTIONS; i++) {
        if (i % 100 === 99) {
          const bad = malformed[((i / 100) % malformed.length) | 0]!;
          values.push(bad.payload);
          expectedField.push(bad.field);
        } else if (i % 20 === 19 && valid.length > 0) {
          values.push(valid[(i * 7919) % valid.length]!);
          expectedField.push('');
        } else {
          const payload = zsre(100_000 + i);
          valid.push(payload);
          values.push(payload);
          expectedField.push('');
        }
      }
      const placed = await produceAt(client, topic, values, (i) => i % 3);
      const store = SqliteEventStore.open(join(dir, 'ledger.db'));
      t.teardown(() => store.close());
      const deadLetters = new MemoryDeadLetterSink();
      const source = await KafkaIngestionSource.connect({ brokers, topic, groupId: group });
      const loop = new IngestLoop({
        source,
        ledger: new LedgerService(store),
        deadLetters,
        system: SYSTEM,
        submittedBy: 'faults',
        reason: 'fault test',
      });
      const running = loop.run();
      const started = Date.now();
      await waitFor(
        t,
        `${CORRECTIONS} acknowledged`,
        async () => (await committed(group, topic)) === CORRECTIONS,
        80_000,
      );
      const stats = await loop.stop();
      await running;
      t.log(`${CORRECTIONS} messages in ${Date.now() - started} ms (${stats.batches} batches)`);

      const edits = await submittedEdits(store);
      t.is(edits.length, valid.length, 'EditSubmitted events');
      t.deepEqual(edits.map((e) => e.editId).sort(), valid.map((p) => expectedEdit(p).editId).sort());
      t.like(stats, { submitted: valid.length, duplicates: CORRECTIONS - valid.length - CORRECTIONS / 100 });
      const wanted = values.flatMap((_, i) =>
        expectedField[i] === '' ? [] : [`${expectedField[i]} kafka:${topic} ${placed[i]}`],
      );
      const got = deadLetters.entries.map((d: DeadLetter) => `${d.field} ${d.channel} ${d.offset}`);
      t.is(got.length, CORRECTIONS / 100);
      t.deepEqual(got.sort(), wanted.sort());
    },
  );

  test.serial(
    'a poison message never stalls its partition; rejects are also forwarded to a dead-letter topic',
    async (t) => {
      const { dir, topic, group } = scratch();
      t.teardown(() => rmSync(dir, { recursive: true, force: true }));
      await createTopic(topic, 1);
      const dlq = `${topic}.dead-letters`;
      await createTopic(dlq, 1);
      const producer = client.producer();
      await producer.connect();
      await producer.send({
        topic,
        messages: [
          { value: zsre(1) },
          { value: Buffer.from([0xff, 0xfe, 0x00, 0x81]), key: 'binary' }, // not UTF-8
          { value: null, key: 'tombstone' },
          { value: `{"src": "${'x'.repeat(600_000)}", "alt": "y"}` }, // too big for any field limit
          { value: JSON.stringify([JSON.parse(zsre(2))]) }, // an array, not one correction
          { value: zsre(3) },
        ],
      });
      await producer.disconnect();
      const store = SqliteEventStore.open(join(dir, 'ledger.db'));
      t.teardown(() => store.close());
      const memory = new MemoryDeadLetterSink();
      const topicSink = await KafkaDeadLetterSink.connect({ brokers, topic: dlq });
      t.teardown(() => topicSink.close());
      const source = await KafkaIngestionSource.connect({ brokers, topic, groupId: group });
      const loop = new IngestLoop({
        source,
        ledger: new LedgerService(store),
        deadLetters: new TeeDeadLetterSink(memory, topicSink),
        system: SYSTEM,
        submittedBy: 'faults',
        reason: 'poison test',
      });
      void loop.run().catch(() => undefined);
      await waitFor(t, 'all 6 acknowledged', async () => (await committed(group, topic)) === 6, 30_000);
      await loop.stop();
      t.deepEqual(
        (await submittedEdits(store)).map((e) => e.editId).sort(),
        [expectedEdit(zsre(1)).editId, expectedEdit(zsre(3)).editId].sort(),
      );
      t.deepEqual(
        memory.entries.map((d) => [d.offset, d.key, d.field, d.encoding]),
        [
          ['0:1', 'binary', 'payload', 'base64'],
          ['0:2', 'tombstone', 'payload', 'utf8'],
          ['0:3', undefined, memory.entries[2]?.field, 'utf8'],
          ['0:4', undefined, 'payload', 'utf8'],
        ],
      );
      const forwarded = await readTopic(client, dlq, 4);
      t.deepEqual(
        forwarded.map((r) => [r.headers, (JSON.parse(r.value) as DeadLetter).offset]),
        memory.entries.map((d) => [
          { 'editledger-field': d.field, 'editledger-origin': `kafka:${topic}@${d.offset}` },
          d.offset,
        ]),
      );
    },
  );

  test.serial(
    'editledger ingest kafka killed with SIGKILL 3 times at random points and restarted: nothing lost, nothing twice',
    async (t) => {
      const total = 1500;
      const fault = await faultCase(t, total, 200_000);
      const { topic, group, values, home } = fault;
      // The upstream produces in waves of 300; each ingester is killed 0-250 ms into a wave (it takes a few
      // hundred ms to record one), so the kills land mid-batch: appended, not yet committed, or not yet appended.
      const wave = 300;
      let produced = 0;
      const produceWave = async (): Promise<void> => {
        await produceAt(client, topic, values.slice(produced, produced + wave), (i) => i % 3);
        produced += wave;
      };
      await produceWave();
      for (let kill = 0; kill < 3; kill++) {
        const child = IngestChild.start({ home, brokers, topic, group });
        t.teardown(() => child.kill('SIGKILL'));
        await child.waitFor(t, /kafka \S+\[\d\]: committed up to offset/, 60_000);
        await produceWave();
        await sleep(Math.floor(Math.random() * 250));
        await child.kill('SIGKILL');
        t.log(`kill ${kill + 1}: ${await committed(group, topic)} of ${produced} produced acknowledged`);
      }
      await produceWave();
      await drainWithLastIngester(t, fault, total);
    },
  );

  test.serial(
    'editledger ingest kafka stopped with SIGTERM mid-batch: exits 0 after recording and committing what it took in',
    async (t) => {
      const total = 1200;
      const fault = await faultCase(t, total, 300_000);
      const { topic, group, values, home } = fault;
      await produceAt(client, topic, values.slice(0, 600), (i) => i % 3);
      const child = IngestChild.start({ home, brokers, topic, group });
      t.teardown(() => child.kill('SIGKILL'));
      await child.waitFor(t, /kafka \S+\[\d\]: committed up to offset/, 60_000);
      await produceAt(client, topic, values.slice(600), (i) => i % 3);
      await sleep(Math.floor(Math.random() * 100)); // lands while a batch is being recorded
      t.is(await child.kill('SIGTERM'), 0, child.stderr);
      t.regex(child.stderr, /stopped: \d+ batches/);
      // Graceful: everything it appended is acknowledged, nothing acknowledged is missing.
      const acknowledged = await committed(group, topic);
      const recorded = await ledgerCount(join(home, 'ledger.db'));
      t.is(recorded.events, acknowledged, 'appended == committed after a clean stop');
      await drainWithLastIngester(t, fault, total);
    },
  );

  test.serial(
    'two ingest processes in one group: the rebalance moves partitions, every correction once; SIGTERM leaves the group',
    async (t) => {
      const total = 1200;
      const { topic, group, values, home } = await faultCase(t, total, 300_000);
      const a = IngestChild.start({ home, brokers, topic, group });
      t.teardown(() => a.kill('SIGKILL'));
      await produceAt(client, topic, values.slice(0, 400), (i) => i % 3);
      await a.waitFor(t, /committed up to offset/, 60_000);
      const b = IngestChild.start({ home, brokers, topic, group });
      t.teardown(() => b.kill('SIGKILL'));
      await b.waitFor(t, /committed up to offset|consuming topic/, 60_000);
      for (let from = 400; from < total; from += 100) {
        await produceAt(client, topic, values.slice(from, from + 100), (i) => i % 3);
        await sleep(100);
      }
      await waitFor(t, `${total} acknowledged`, async () => (await committed(group, topic)) === total, 60_000);
      t.is(await a.kill('SIGTERM'), 0, a.stderr);
      t.is(await b.kill('SIGTERM'), 0, b.stderr);
      const newEdits = (child: IngestChild): number => Number(/(\d+) new edits/.exec(child.stdout)?.[1] ?? NaN);
      t.true(newEdits(a) > 0 && newEdits(b) > 0, `both recorded some: ${newEdits(a)} + ${newEdits(b)}`);
      t.is(newEdits(a) + newEdits(b), total, 'new edits over both processes');
      // A joined alone (3 partitions), gave some up when B joined, and B took them all when A left.
      t.regex(a.stderr, /joined the group as \S+; assigned partitions 0,1,2\n/);
      t.true((a.stderr.match(/joined the group/g) ?? []).length >= 2, `A never rebalanced:\n${a.stderr}`);
      t.regex(b.stderr, /joined the group as \S+; assigned partitions \d/);
      t.deepEqual(await ledgerCount(join(home, 'ledger.db')), { events: total, distinct: total });
      const [description] = (await admin.describeGroups([group])).groups;
      t.is(description?.members.length, 0, 'a SIGTERMed member stayed in the group');
    },
  );

  if (kafka.local !== undefined) {
    const local = kafka.local;
    test.serial(
      'the broker killed and restarted mid-stream: the consumer (and its dead-letter producer) recover by themselves and say what they wait for',
      async (t) => {
        const { dir, topic, group } = scratch();
        t.teardown(() => rmSync(dir, { recursive: true, force: true }));
        await createTopic(topic);
        const values = Array.from({ length: 600 }, (_, i) => zsre(400_000 + i));
        const home = join(dir, 'home');
        await produceAt(client, topic, values.slice(0, 300), (i) => i % 3);
        // Rejects also go to a topic: that producer must come through the outage too.
        const deadLetterTopic = `${topic}.dead-letters`;
        await createTopic(deadLetterTopic, 1);
        const child = IngestChild.start({ home, brokers, topic, group, deadLetterTopic });
        t.teardown(() => child.kill('SIGKILL'));
        await waitFor(t, '300 acknowledged', async () => (await committed(group, topic)) === 300, 60_000);
        await local.kill();
        await child.waitFor(t, /waiting for the Kafka broker at/, 60_000);
        await local.restart();
        const noAlt = '{"subject": "Creek y", "src": "Which river system contains Creek y?"}';
        const [badAt] = await produceAt(client, topic, [noAlt], () => 0);
        await produceAt(client, topic, values.slice(300), (i) => i % 3);
        await waitFor(t, '601 acknowledged', async () => (await committed(group, topic)) === 601, 80_000);
        t.regex(child.stderr, /lost the connection; waiting for the Kafka broker at 127\.0\.0\.1:\d+ to answer again/);
        t.regex(child.stderr, /the Kafka broker at 127\.0\.0\.1:\d+ answers again after [\d.]+ s/);
        t.is(await child.kill('SIGTERM'), 0, child.stderr);
        t.deepEqual(await ledgerCount(join(home, 'ledger.db')), { events: 600, distinct: 600 });
        const [forwarded] = await readTopic(client, deadLetterTopic, 1);
        t.like(JSON.parse(forwarded!.value), {
          field: 'alt',
          channel: `kafka:${topic}`,
          offset: badAt,
          payload: noAlt,
        });
      },
    );
  }
}
