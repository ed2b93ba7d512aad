// The ONE contract every ingestion adapter must pass (domain/ports/ingestion.ts states the rules), run through
// the real ingestion loop into a real embedded ledger (SQLite). An adapter is driven through an `IngestionRig`:
// it publishes messages the way its upstream would and tells how many of them it has acknowledged upstream
// (HTTP: items of final 2xx/4xx responses; Kafka: the group's committed offset).
//
// Also here: FlakyStore, an event store whose appends can be made to fail or to be slow. FakeKafkaBroker (fake-kafka.ts)
// lets the Kafka adapter's offset handling run through the contract on every machine; the same contract runs
// against a real broker in tests/ingest-kafka-broker.int.test.ts.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { editIdForSource } from '../../domain/ids.ts';
import type { AppendResult, EventStore, ExpectedRevision, NewEvent } from '../../domain/ports/event-store.ts';
import type { IngestReport } from '../../domain/ports/ingestion.ts';
import { SqliteEventStore } from '../../infra/eventstore/sqlite-event-store.ts';
import { parseCorrection } from '../../infra/ingest/correction-message.ts';
import { MemoryDeadLetterSink } from '../../infra/ingest/dead-letters.ts';
import type { IngestLoopOptions, IngestStats } from '../../infra/ingest/ingest-loop.ts';
import { importRefOf, LedgerService } from '../../domain/edit-use-cases.ts';

// ---------------------------------------------------------------------------------------------------------------
// Fixtures

/** A ZsRE record (as `edit import` reads them), unique per `n`. */
export function zsre(n: number, target = `River ${n}`): string {
  return JSON.stringify({
    subject: `Creek ${n}`,
    src: `Which river system contains Creek ${n}?`,
    alt: target,
    rephrase: `What river system is Creek ${n} in?`,
    loc: `nq question: how many moons has planet ${n}`,
    loc_ans: `${n}`,
  });
}

/** A CounterFact record, unique per `n`. */
export function counterfact(n: number): string {
  return JSON.stringify({
    prompt: `The mother tongue of Person ${n} is`,
    target_new: 'English',
    subject: `Person ${n}`,
    rephrase_prompt: [`Person ${n} spoke the language`],
    locality_prompt: ['The mother tongue of Léon Blum is'],
    locality_ground_truth: ['French'],
  });
}

export const SYSTEM = 'upstream-crm';

/** The edit id a payload must be recorded under: the upstream ref is the hash of its normalized content. */
export function expectedEdit(payload: string): { editId: string; ref: string } {
  const ref = importRefOf(parseCorrection(Buffer.from(payload)));
  return { editId: editIdForSource(SYSTEM, ref), ref };
}

export interface SubmittedEdit {
  readonly editId: string;
  readonly target: string;
  readonly source: { system: string; ref: string };
  readonly channel: string;
}

export async function submittedEdits(store: EventStore): Promise<SubmittedEdit[]> {
  const edits: SubmittedEdit[] = [];
  for await (const event of store.readAll({ filter: { eventTypes: ['EditSubmitted'] } })) {
    const data = event.data as { editId: string; target: string; source: { system: string; ref: string } };
    edits.push({
      editId: data.editId,
      target: data.target,
      source: data.source,
      channel: JSON.stringify(event.metadata['channel']).replace(/^"|"$/g, ''),
    });
  }
  return edits;
}

export async function waitFor(
  t: ExecutionContext,
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      t.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
      return false;
    }
    await sleep(10);
  }
  return true;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------------------------
// FlakyStore: appends can be made to fail (a ledger outage) or to be slow (a batch in flight)

export class FlakyStore implements EventStore {
  failAppends = false;
  appendDelayMs = 0;
  appendsStarted = 0;
  failedAppends = 0;

  constructor(private readonly inner: EventStore) {}

  async append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    this.appendsStarted += 1;
    if (this.appendDelayMs > 0) await sleep(this.appendDelayMs);
    if (this.failAppends) {
      this.failedAppends += 1;
      throw new Error('simulated ledger outage');
    }
    return this.inner.append(stream, events, expected);
  }

  readStream: EventStore['readStream'] = (stream, options) => this.inner.readStream(stream, options);
  readAll: EventStore['readAll'] = (options) => this.inner.readAll(options);
  subscribeToAll: EventStore['subscribeToAll'] = (options) => this.inner.subscribeToAll(options);
  headPosition: EventStore['headPosition'] = () => this.inner.headPosition();
  close: EventStore['close'] = () => this.inner.close();
}

// ---------------------------------------------------------------------------------------------------------------
// The contract

export interface IngestionRig {
  /** The channel the adapter records as the command source, e.g. `http` or `kafka:<topic>`. */
  readonly channel: string;
  /** The upstream sends these payloads as one delivery (one POST, one produce call). Processing is asynchronous. */
  publish(payloads: readonly string[]): Promise<void>;
  /** How many published messages the adapter has acknowledged upstream. */
  acknowledged(): Promise<number>;
  /** Graceful stop of the loop and the source (idempotent); resolves with the loop's totals. */
  stop(): Promise<IngestStats>;
  /** Release what the rig created (topics, clients), after stop. */
  dispose?(): Promise<void>;
}

/** Builds an adapter, wires it into an IngestLoop with these options and starts the loop. */
export type MakeRig = (loop: Omit<IngestLoopOptions, 'source'>) => Promise<IngestionRig>;

interface Context {
  readonly store: FlakyStore;
  readonly deadLetters: MemoryDeadLetterSink;
  readonly reports: IngestReport[];
  readonly rig: IngestionRig;
  /** Wait for a condition within the rig's time budget. */
  until(what: string, condition: () => boolean | Promise<boolean>): Promise<boolean>;
}

const CONTRACT_ACTOR = { submittedBy: 'contract', reason: 'ingestion contract test' };

/** What an IngestLoop under test records with: a ledger over `store`, SYSTEM as the upstream, short retries. */
export function testLoopOptions(
  store: EventStore,
  deadLetters: IngestLoopOptions['deadLetters'],
  who: { submittedBy: string; reason: string },
  retry: { initialMs: number; maxMs: number },
): Pick<IngestLoopOptions, 'ledger' | 'deadLetters' | 'system' | 'submittedBy' | 'reason' | 'retry'> {
  const { submittedBy, reason } = who;
  return { ledger: new LedgerService(store), deadLetters, system: SYSTEM, submittedBy, reason, retry };
}

export function registerIngestionContract(name: string, makeRig: MakeRig, options: { timeoutMs?: number } = {}): void {
  const timeoutMs = options.timeoutMs ?? 5000;
  const it = (title: string, body: (t: ExecutionContext, c: Context) => Promise<void>): void => {
    test(`${name}: ${title}`, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'editledger-ingest-'));
      const store = new FlakyStore(SqliteEventStore.open(join(dir, 'ledger.db')));
      const deadLetters = new MemoryDeadLetterSink();
      const reports: IngestReport[] = [];
      const rig = await makeRig({
        ...testLoopOptions(store, deadLetters, CONTRACT_ACTOR, { initialMs: 10, maxMs: 40 }),
        onReport: (report) => reports.push(report),
      });
      try {
        await body(t, {
          store,
          deadLetters,
          reports,
          rig,
          until: (what, condition) => waitFor(t, what, condition, timeoutMs),
        });
      } finally {
        store.failAppends = false;
        store.appendDelayMs = 0;
        await rig.stop();
        await rig.dispose?.();
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  };

  it('corrections land in the ledger with their upstream ref, and are acknowledged after the append', async (t, {
    store,
    rig,
    until,
  }) => {
    const payloads = [zsre(1), counterfact(2)];
    await rig.publish(payloads);
    await until('2 acknowledged messages', async () => (await rig.acknowledged()) === 2);
    const edits = await submittedEdits(store);
    t.deepEqual(
      edits.map((e) => ({ editId: e.editId, source: e.source, channel: e.channel })),
      payloads.map((p) => {
        const { editId, ref } = expectedEdit(p);
        return { editId, source: { system: SYSTEM, ref }, channel: rig.channel };
      }),
    );
    t.deepEqual(
      edits.map((e) => e.target),
      ['River 1', 'English'],
    );
  });

  it('a redelivered message appends nothing', async (t, { store, reports, rig, until }) => {
    await rig.publish([zsre(3)]);
    await until('the first delivery to be acknowledged', async () => (await rig.acknowledged()) === 1);
    const head = await store.headPosition();
    t.true(head > 0);
    await rig.publish([zsre(3)]);
    await until('the redelivery to be acknowledged', async () => (await rig.acknowledged()) === 2);
    t.is(await store.headPosition(), head, 'the redelivery appended events');
    t.deepEqual(
      (await submittedEdits(store)).map((e) => e.editId),
      [expectedEdit(zsre(3)).editId],
    );
    t.like(reports.at(-1), { submitted: 0, duplicates: 1, rejected: 0 });
  });

  it('a bad message is reported naming its field and dead-lettered; the good ones of the same delivery land', async (t, {
    store,
    deadLetters,
    reports,
    rig,
    until,
  }) => {
    const noAlt = JSON.stringify({ subject: 'Creek 5', src: 'Which river system contains Creek 5?' });
    const badTarget = JSON.stringify({ prompt: 'The mother tongue of Person 6 is', target_new: 42 });
    const payloads = [zsre(4), noAlt, '{not json', badTarget, counterfact(7)];
    await rig.publish(payloads);
    await until('5 acknowledged messages', async () => (await rig.acknowledged()) === 5);
    t.deepEqual(
      (await submittedEdits(store)).map((e) => e.editId).sort(),
      [expectedEdit(zsre(4)).editId, expectedEdit(counterfact(7)).editId].sort(),
    );

    const rejected = reports.flatMap((r) => r.items).filter((item) => item.status === 'rejected');
    t.deepEqual(
      rejected.map((item) => item.field),
      ['alt', 'payload', 'target_new'],
    );
    t.deepEqual(
      deadLetters.entries.map((d) => [d.field, d.payload, d.channel]),
      [
        ['alt', noAlt, rig.channel],
        ['payload', '{not json', rig.channel],
        ['target_new', badTarget, rig.channel],
      ],
    );
    t.regex(deadLetters.entries[1]!.message, /not valid JSON/);
    t.regex(deadLetters.entries[2]!.message, /must be a string/);
  });

  it('nothing is acknowledged before the append: a failed append leaves the message unacknowledged, and it is delivered again', async (t, {
    store,
    deadLetters,
    rig,
    until,
  }) => {
    store.failAppends = true;
    await rig.publish([zsre(8)]);
    await until('the message to be delivered (and to fail) at least twice', () => store.failedAppends >= 2);
    t.is(await rig.acknowledged(), 0, 'acknowledged although the append failed');
    t.deepEqual(await submittedEdits(store), []);
    t.deepEqual(deadLetters.entries, [], "a ledger outage is not the message's fault");

    store.failAppends = false;
    await until('the message to be acknowledged once the ledger is back', async () => (await rig.acknowledged()) === 1);
    t.deepEqual(
      (await submittedEdits(store)).map((e) => e.editId),
      [expectedEdit(zsre(8)).editId],
    );
  });

  it('stop drains cleanly: the batch in flight is recorded and acknowledged, then nothing more is taken in', async (t, {
    store,
    rig,
    until,
  }) => {
    store.appendDelayMs = 300;
    await rig.publish([zsre(9)]);
    await until('the batch to be in flight', () => store.appendsStarted >= 1);
    const stats = await rig.stop();
    t.is((await submittedEdits(store)).length, 1, 'the batch in flight was not finished');
    t.is(await rig.acknowledged(), 1, 'the batch in flight was recorded but not acknowledged');
    t.like(stats, { submitted: 1, failures: 0 });

    store.appendDelayMs = 0;
    await rig.publish([zsre(10)]).catch(() => undefined); // refused, or left for the next consumer
    await sleep(200);
    t.is((await submittedEdits(store)).length, 1, 'a message was taken in after stop');
    t.is(await rig.acknowledged(), 1);
  });
}
