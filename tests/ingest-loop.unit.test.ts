// The ingestion loop with an in-memory source and ledger: what it records, what it rejects (and how it names the
// field), when it commits, and how it behaves when the ledger, the dead-letter sink or the source fail.
import test from 'ava';
import { parseDataset } from '../domain/dataset-formats.ts';
import { InvalidFieldError } from '../domain/errors.ts';
import type { AppendResult } from '../domain/ports/event-store.ts';
import type { DeadLetter, IngestBatch, IngestionSource, IngestReport } from '../domain/ports/ingestion.ts';
import { parseCorrection } from '../infra/ingest/correction-message.ts';
import { MemoryDeadLetterSink } from '../infra/ingest/dead-letters.ts';
import { BatchHandoff } from '../infra/ingest/handoff.ts';
import { IngestLoop } from '../infra/ingest/ingest-loop.ts';
import type { IngestLoopOptions } from '../infra/ingest/ingest-loop.ts';
import { importRefOf, LedgerService } from '../domain/edit-use-cases.ts';
import {
  counterfact,
  expectedEdit,
  sleep,
  submittedEdits,
  SYSTEM,
  testLoopOptions,
  zsre,
} from './helpers/ingestion-contract.ts';
import { MemoryEventStore } from './helpers/memory-event-store.ts';

/** A source fed by the test; a released batch is queued again (re-delivery), as Kafka does. */
class MemorySource implements IngestionSource {
  readonly channel = 'memory';
  readonly commits: Array<{ offsets: string[]; report: IngestReport; headAtCommit: number }> = [];
  readonly releases: Array<{ offsets: string[]; error: Error }> = [];
  commitError: Error | undefined;
  private readonly handoff = new BatchHandoff();
  private deliveries = 0;

  constructor(private readonly store: MemoryEventStore) {}

  deliver(payloads: ReadonlyArray<string | Uint8Array>): void {
    const id = ++this.deliveries;
    const messages = payloads.map((p, i) => ({
      key: `k${i}`,
      offset: `${id}:${i}`,
      payload: typeof p === 'string' ? Buffer.from(p) : p,
    }));
    const batch: IngestBatch = {
      messages,
      commit: async (report) => {
        if (this.commitError !== undefined) throw this.commitError;
        this.commits.push({
          offsets: messages.map((m) => m.offset),
          report,
          headAtCommit: await this.store.headPosition(),
        });
      },
      release: async (error) => {
        this.releases.push({ offsets: messages.map((m) => m.offset), error });
        this.handoff.push(batch);
      },
    };
    this.handoff.push(batch);
  }

  fail(error: Error): void {
    this.handoff.fail(error);
  }

  next(): Promise<IngestBatch | undefined> {
    return this.handoff.next();
  }

  async stop(): Promise<void> {
    this.handoff.close();
  }
}

/** A MemoryEventStore whose next `failures` appends throw. */
class OutageStore extends MemoryEventStore {
  failures = 0;
  override async append(...args: Parameters<MemoryEventStore['append']>): Promise<AppendResult> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('disk full');
    }
    return super.append(...args);
  }
}

function rig(options: Partial<IngestLoopOptions> = {}) {
  const store = new OutageStore();
  const source = new MemorySource(store);
  const deadLetters = new MemoryDeadLetterSink();
  const lines: string[] = [];
  const loop = new IngestLoop({
    source,
    ...testLoopOptions(store, deadLetters, { submittedBy: 'unit', reason: 'unit test' }, { initialMs: 5, maxMs: 20 }),
    log: (line) => lines.push(line),
    ...options,
  });
  const running = loop.run();
  running.catch(() => undefined);
  return { store, source, deadLetters, lines, loop, running };
}

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(2);
  }
}

test('valid messages are appended, then the batch is committed with per-item results in batch order', async (t) => {
  const { store, source, loop } = rig();
  source.deliver([zsre(1), counterfact(2)]);
  await until(() => source.commits.length === 1);
  const [commit] = source.commits;
  t.true(commit!.headAtCommit > 0, 'committed before the append');
  t.deepEqual(
    commit!.report.items,
    [zsre(1), counterfact(2)].map((p, i) => ({
      status: 'recorded',
      offset: `1:${i}`,
      ...expectedEdit(p),
      factKey: parseCorrection(Buffer.from(p)).factKey,
    })),
  );
  t.like(commit!.report, { submitted: 2, duplicates: 0, rejected: 0, position: await store.headPosition() });
  t.deepEqual(
    (await submittedEdits(store)).map((e) => [e.editId, e.channel, e.source.system]),
    [zsre(1), counterfact(2)].map((p) => [expectedEdit(p).editId, 'memory', SYSTEM]),
  );
  t.like(await loop.stop(), { batches: 1, messages: 2, submitted: 2, duplicates: 0, rejected: 0, failures: 0 });
});

test('the same correction in ZsRE and in CounterFact form is one edit: the ref hashes the normalized content', async (t) => {
  const { store, source, loop } = rig();
  const asZsre = JSON.stringify({
    src: 'The mother tongue of Person 2 is',
    alt: 'English',
    subject: 'Person 2',
    rephrase: ['Person 2 spoke the language'],
    loc: ['The mother tongue of Léon Blum is'],
    loc_ans: ['French'],
  });
  source.deliver([counterfact(2), asZsre]);
  await until(() => source.commits.length === 1);
  t.like(source.commits[0]!.report, { submitted: 1, duplicates: 1 });
  t.is((await submittedEdits(store)).length, 1);
  await loop.stop();
});

test('bad messages are rejected naming the field, dead-lettered with their payload, and never block the good ones', async (t) => {
  const { store, source, deadLetters, loop, lines } = rig();
  const notUtf8 = Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d]);
  const payloads: Array<string | Uint8Array> = [
    '',
    notUtf8,
    '[1, 2]',
    JSON.stringify({ foo: 'bar' }),
    JSON.stringify({ src: 'Which river system contains Creek 1?', alt: 'x'.repeat(2001) }),
    JSON.stringify({ prompt: 'The mother tongue of Person 3 is', target_new: 'English', rephrase_prompt: ['ok', 7] }),
    JSON.stringify({ src: '   ', alt: 'River' }),
    zsre(9),
  ];
  source.deliver(payloads);
  await until(() => source.commits.length === 1);
  const { report } = source.commits[0]!;
  t.deepEqual(
    report.items.map((item) => (item.status === 'rejected' ? item.field : item.status)),
    ['payload', 'payload', 'payload', 'payload', 'alt', 'rephrase_prompt[1]', 'src', 'recorded'],
  );
  const messages = report.items.flatMap((item) => (item.status === 'rejected' ? [item.message] : []));
  t.regex(messages[0]!, /is empty/);
  t.regex(messages[1]!, /not valid UTF-8/);
  t.regex(messages[2]!, /one correction as a JSON object/);
  t.regex(messages[3]!, /unknown record shape/);
  t.regex(messages[4]!, /at most 2000 characters/);
  t.regex(messages[6]!, /must not be empty/);
  t.like(report, { submitted: 1, rejected: 7 });
  t.deepEqual(
    (await submittedEdits(store)).map((e) => e.editId),
    [expectedEdit(zsre(9)).editId],
  );

  t.is(deadLetters.entries.length, 7);
  const binary = deadLetters.entries[1] as DeadLetter;
  t.like(binary, { channel: 'memory', offset: '1:1', key: 'k1', field: 'payload', encoding: 'base64' });
  t.deepEqual(Buffer.from(binary.payload, 'base64'), Buffer.from(notUtf8));
  t.like(deadLetters.entries[4], { field: 'alt', encoding: 'utf8', payload: payloads[4] });
  t.true(
    lines.some((line) => line.includes('1:4 (key k4): rejected, alt: must be at most 2000 characters')),
    lines.join('\n'),
  );
  await loop.stop();
});

test('a batch of only bad messages appends nothing and is committed (its messages are in the dead-letter sink)', async (t) => {
  const { store, source, deadLetters, loop } = rig();
  source.deliver(['{oops']);
  await until(() => source.commits.length === 1);
  t.is(await store.headPosition(), 0);
  t.like(source.commits[0]!.report, { submitted: 0, rejected: 1 });
  t.is(deadLetters.entries.length, 1);
  await loop.stop();
});

test('a failed append releases the batch without committing; the re-delivered batch lands exactly once', async (t) => {
  const { store, source, loop, lines } = rig();
  store.failures = 1;
  source.deliver([zsre(1), zsre(2)]);
  await until(() => source.commits.length === 1);
  t.is(source.releases.length, 1);
  t.regex(source.releases[0]!.error.message, /disk full/);
  t.deepEqual(source.commits[0]!.offsets, ['1:0', '1:1']);
  t.is((await submittedEdits(store)).length, 2);
  t.true(
    lines.some((line) => /could not record the batch \(disk full\); nothing acknowledged/.test(line)),
    lines.join('\n'),
  );
  t.like(await loop.stop(), { failures: 1, batches: 1, submitted: 2 });
});

test('a failure after part of the batch was appended is retried; the part already recorded appends nothing', async (t) => {
  const { store, source, loop } = rig();
  const appended: number[] = [];
  const append = store.append.bind(store);
  let calls = 0;
  // The second fact stream's append fails once: the first fact is already in the ledger when the batch is released.
  store.append = async (stream, events, expected) => {
    calls += 1;
    if (calls === 2) throw new Error('connection reset');
    const result = await append(stream, events, expected);
    appended.push(result.position);
    return result;
  };
  source.deliver([zsre(1), zsre(2)]);
  await until(() => source.commits.length === 1);
  t.is(source.releases.length, 1);
  t.like(source.commits[0]!.report, { submitted: 1, duplicates: 1 });
  t.is((await submittedEdits(store)).length, 2);
  t.deepEqual(appended, [1, 2]);
  await loop.stop();
});

test('a dead-letter sink that cannot write releases the batch: the bad message is not lost, the good ones are not doubled', async (t) => {
  let failures = 1;
  const sink = new MemoryDeadLetterSink();
  const deadLetters = {
    async write(entries: readonly DeadLetter[]) {
      if (failures-- > 0) throw new Error('EROFS');
      await sink.write(entries);
    },
  };
  const { store, source, loop } = rig({ deadLetters });
  source.deliver([zsre(1), '{bad']);
  await until(() => source.commits.length === 1);
  t.is(source.releases.length, 1);
  t.is(sink.entries.length, 1);
  t.like(source.commits[0]!.report, { submitted: 0, duplicates: 1, rejected: 1 });
  t.is((await submittedEdits(store)).length, 1);
  await loop.stop();
});

test('a message whose upstream ref already names another fact is rejected alone (source.ref); the rest land', async (t) => {
  const { store, source, loop } = rig();
  const request = parseCorrection(Buffer.from(zsre(1)));
  await new LedgerService(store).submitEdit(
    {
      factKey: 'other-entity::other-fact',
      prompt: 'p',
      target: 't',
      rephrase: [],
      locality: [],
      source: { system: SYSTEM, ref: importRefOf(request) },
      submittedBy: 'x',
      reason: 'r',
    },
    { actor: 'x', channel: 'cli' },
  );
  source.deliver([zsre(1), zsre(2)]);
  await until(() => source.commits.length === 1);
  const { report } = source.commits[0]!;
  t.like(report.items[0], { status: 'rejected', field: 'source.ref' });
  t.like(report.items[1], { status: 'recorded', editId: expectedEdit(zsre(2)).editId });
  t.is(source.releases.length, 0, "a rule violation is the message's fault, not a reason to retry");
  await loop.stop();
});

test('an acknowledgement that fails is logged and the loop goes on', async (t) => {
  const { source, loop, lines } = rig();
  source.commitError = new Error('coordinator moved');
  source.deliver([zsre(1)]);
  await until(() => lines.some((line) => line.includes('acknowledging upstream failed (coordinator moved)')));
  source.commitError = undefined;
  source.deliver([zsre(2)]);
  await until(() => source.commits.length === 1);
  t.like(await loop.stop(), { batches: 2, submitted: 2 });
});

test('stop() during the back-off after a failure cuts the wait short; the re-delivered batch is finished first', async (t) => {
  const { store, source, loop } = rig({ retry: { initialMs: 60_000 } });
  store.failures = 1;
  source.deliver([zsre(1)]);
  await until(() => source.releases.length === 1);
  const started = Date.now();
  const stats = await loop.stop();
  t.true(Date.now() - started < 1000, 'stop waited for the back-off');
  // The released batch was queued again before the stop, so the drain records it (the ledger is back).
  t.like(stats, { failures: 1, batches: 1, submitted: 1 });
  t.deepEqual(
    source.commits.map((c) => c.offsets),
    [['1:0']],
  );
});

test('stop() while idle resolves with the totals; a failing source rejects run()', async (t) => {
  const idle = rig();
  t.like(await idle.loop.stop(), { batches: 0, messages: 0 });

  const failing = rig();
  failing.source.fail(new Error('broker gone'));
  await t.throwsAsync(failing.running, { message: 'broker gone' });
});

test('the identity recorded on every edit is checked up front, naming the flag', (t) => {
  const store = new MemoryEventStore();
  const base = {
    source: new MemorySource(store),
    ledger: new LedgerService(store),
    deadLetters: new MemoryDeadLetterSink(),
    system: 's',
    submittedBy: 'b',
    reason: 'r',
  };
  t.like(
    t.throws(() => new IngestLoop({ ...base, system: ' ' }), { instanceOf: InvalidFieldError }),
    { field: 'system' },
  );
  t.like(
    t.throws(() => new IngestLoop({ ...base, submittedBy: '' }), { instanceOf: InvalidFieldError }),
    { field: 'by' },
  );
  t.like(
    t.throws(() => new IngestLoop({ ...base, reason: 'r'.repeat(2001) }), { instanceOf: InvalidFieldError }),
    { field: 'reason' },
  );
});

test('parseCorrection reads one record exactly as edit import does', (t) => {
  for (const payload of [zsre(1), counterfact(2)]) {
    t.deepEqual(parseCorrection(Buffer.from(`\uFEFF${payload}`)), parseDataset(`[${payload}]`).requests[0]);
  }
  const pretty = JSON.stringify(JSON.parse(zsre(1)), null, 2);
  t.deepEqual(parseCorrection(Buffer.from(pretty)), parseDataset(`[${zsre(1)}]`).requests[0]);
});
