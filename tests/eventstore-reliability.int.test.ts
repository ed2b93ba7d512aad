// Reliability of the embedded SQLite event store across real processes:
// (a) SIGKILL at random moments during a batched import loses no acknowledged append and leaves no partial batch;
// (b) two processes racing on one expected revision: exactly one wins, the other writes nothing;
// (c) bad input and damaged files give clear errors and change nothing already stored.

import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import Database from 'better-sqlite3';
import { chainPages, walkChain } from '../domain/chain-walk.ts';
import { type JsonValue, type NewEvent, type RecordedEvent } from '../domain/ports/event-store.ts';
import { EventStoreCorruptedError, EventStoreUnavailableError, InvalidEventError } from '../infra/eventstore/errors.ts';
import { SqliteEventStore } from '../infra/eventstore/sqlite-event-store.ts';
import { IMPORT_STREAMS, importBatch, importStream } from './helpers/event-store-child.ts';
import { mulberry32 } from './helpers/mulberry32.ts';

const CHILD = fileURLToPath(new URL('./helpers/event-store-child.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'editledger-reliability-'));
test.after.always(() => rmSync(root, { recursive: true, force: true }));

interface Child {
  readonly process: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
  waitForLine(match: (line: string) => boolean): Promise<string>;
}

function startChild(args: readonly string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters: Array<{ match: (line: string) => boolean; resolve: (line: string) => void }> = [];
  // readline only emits complete lines, so a line cut short by SIGKILL is never counted as acknowledged.
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.match(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    process: child,
    lines,
    exited,
    waitForLine: (match) =>
      new Promise((resolve, reject) => {
        const found = lines.find(match);
        if (found !== undefined) return resolve(found);
        waiters.push({ match, resolve });
        void exited.then(() =>
          setTimeout(
            () =>
              reject(new Error(`child exited before printing the expected line; got: ${lines.slice(-3).join(' | ')}`)),
            50,
          ),
        );
      }),
  };
}

async function readEverything(store: SqliteEventStore): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for await (const e of store.readAll()) all.push(e);
  return all;
}

/** Index of the first element where `actual` differs from `expected`, or -1 (cheaper than deepEqual on 10k-event arrays). */
function firstDifference<T>(actual: readonly T[], expected: readonly T[], same: (a: T, b: T) => boolean): number {
  if (actual.length !== expected.length) return Math.min(actual.length, expected.length);
  return actual.findIndex((a, i) => !same(a, expected[i] as T));
}

/** Every acknowledged append is stored, batches are whole, positions contiguous, ids unique. Returns how many batches are stored. */
async function verifyImport(
  t: ExecutionContext,
  path: string,
  acked: ReadonlyMap<number, number>,
  batchSize: number,
): Promise<number> {
  const store = SqliteEventStore.open(path);
  try {
    const all = await readEverything(store);
    t.is(
      firstDifference(
        all.map((e) => e.position),
        Array.from({ length: all.length }, (_, i) => i + 1),
        (a, b) => a === b,
      ),
      -1,
      'positions are 1..n without holes',
    );
    t.is(new Set(all.map((e) => e.id)).size, all.length, 'ids are unique');
    t.is(all.length % batchSize, 0, 'no partial batch');
    const batches = Math.floor(all.length / batchSize);
    // Batches are appended one after another, so what is stored must be exactly batches 0..batches-1, in order.
    const expected = Array.from({ length: batches }, (_, b) => importBatch(b, batchSize)).flat();
    const sameEvent = (a: RecordedEvent, b: NewEvent): boolean =>
      a.id === b.id &&
      JSON.stringify(a.data) === JSON.stringify(b.data) &&
      a.stream === importStream((b.metadata.batch as number) ?? -1);
    t.is(
      firstDifference<RecordedEvent | NewEvent>(all, expected, (a, b) => sameEvent(a as RecordedEvent, b)),
      -1,
      'stored events are whole batches, in order, in their streams',
    );
    for (const [batch, position] of acked) {
      if (batch >= batches || all[position - 1]?.id !== importBatch(batch, batchSize).at(-1)?.id) {
        t.fail(`acknowledged batch ${batch} (position ${position}) is missing`);
      }
    }
    for (let s = 0; s < IMPORT_STREAMS; s++) {
      const revisions = (await store.readStream(`import-${s}`)).map((e) => e.revision);
      t.is(
        firstDifference(
          revisions,
          Array.from({ length: revisions.length }, (_, i) => i),
          (a, b) => a === b,
        ),
        -1,
        `import-${s} revisions are 0..n-1`,
      );
    }
    const chain = await walkChain(chainPages(store));
    t.true(chain.intact, `the hash chain survives the kill: ${JSON.stringify(chain.firstBreak)}`);
    return batches;
  } finally {
    await store.close();
  }
}

test.serial(
  'SIGKILL at random moments during a batched import loses no acknowledged append and leaves no partial batch',
  async (t) => {
    const path = join(root, 'killed', 'ledger.db');
    const total = 10_000;
    const batchSize = 20;
    const batchCount = total / batchSize;
    const random = mulberry32(20240607);
    const acked = new Map<number, number>();
    const rounds = 6;
    let stored = 0;
    let msPerBatch = 1; // refined from each round's acknowledgements
    let killedMidway = 0;
    for (let round = 0; round < rounds; round++) {
      const child = startChild(['import', path, String(total), String(batchSize)]);
      const firstNew = await child.waitForLine(
        (line) => line.startsWith('ack ') && Number(line.split(' ')[1]) >= stored,
      );
      const firstBatch = Number(firstNew.split(' ')[1]);
      // Kill at a random moment within this round's share of the remaining work, so kills land
      // inside appends, between them and mid-commit, and the import is not finished before the last round.
      const budgetMs = Math.min(200, Math.max(5, ((batchCount - stored) * msPerBatch) / (rounds - round + 1)));
      const delayMs = random() * budgetMs;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      child.process.kill('SIGKILL');
      await child.exited;
      const times = new Map<number, number>(); // batch -> the child's clock at its acknowledgement
      for (const line of child.lines) {
        const [word, batch, position, at] = line.split(' ');
        if (word !== 'ack') continue;
        acked.set(Number(batch), Number(position));
        times.set(Number(batch), Number(at));
      }
      const lastNew = Math.max(...times.keys());
      if (lastNew > firstBatch + 2)
        msPerBatch = Math.max(0.2, ((times.get(lastNew) ?? 0) - (times.get(firstBatch) ?? 0)) / (lastNew - firstBatch));
      if (!child.lines.includes('done')) killedMidway++;
      stored = await verifyImport(t, path, acked, batchSize);
      t.log(
        `round ${round}: killed ${delayMs.toFixed(1)} ms after the first new ack; ${stored} of ${batchCount} batches stored, ${acked.size} acknowledged`,
      );
    }
    t.true(killedMidway >= rounds - 1, `kills land before the import finishes (${killedMidway} of ${rounds})`);

    // Finish the import, then run it once more: the redelivery appends nothing.
    for (let run = 0; run < 2; run++) {
      const child = startChild(['import', path, String(total), String(batchSize)]);
      t.is(await child.exited, 0);
      t.true(child.lines.includes('done'));
      t.is(await verifyImport(t, path, acked, batchSize), batchCount);
    }
    const store = SqliteEventStore.open(path);
    t.is(await store.headPosition(), total);
    await store.close();
  },
);

test.serial(
  'two processes append to one stream with the same expected revision: exactly one wins, the other writes nothing',
  async (t) => {
    const path = join(root, 'race', 'ledger.db');
    const setup = SqliteEventStore.open(path);
    await setup.append('contested', importBatch(0, 5), 'no_stream');
    await setup.close();
    // Round 1 races on revision 4 of an existing stream, round 2 on creating a new stream.
    for (const [stream, expected] of [
      ['contested', '4'],
      ['fresh', 'no_stream'],
    ] as const) {
      const children = ['A', 'B'].map((tag) => startChild(['race', path, stream, expected, tag]));
      await Promise.all(children.map((c) => c.waitForLine((line) => line === 'ready')));
      for (const c of children) c.process.stdin!.write('go\n');
      const outcomes = await Promise.all(
        children.map(
          async (c) =>
            JSON.parse(await c.waitForLine((line) => line.startsWith('{'))) as {
              ok: boolean;
              error?: string;
              ids: string[];
              actual?: unknown;
            },
        ),
      );
      await Promise.all(children.map((c) => c.exited));
      const winners = outcomes.filter((o) => o.ok);
      const losers = outcomes.filter((o) => !o.ok);
      t.is(winners.length, 1, `${stream}: exactly one winner`);
      t.is(losers.length, 1);
      t.is(losers[0]?.error, 'WrongExpectedRevisionError');
      const store = SqliteEventStore.open(path);
      try {
        const events = await store.readStream(stream);
        const before = stream === 'contested' ? 5 : 0;
        t.deepEqual(
          events.slice(before).map((e) => e.id),
          winners[0]?.ids,
          `${stream}: the winner's batch follows what was there`,
        );
        t.is(losers[0]?.actual, before + 19, `${stream}: the loser is told the revision it lost to`);
        const loserIds = new Set(losers[0]?.ids);
        t.false(
          (await readEverything(store)).some((e) => loserIds.has(e.id)),
          `${stream}: none of the loser's events is stored`,
        );
      } finally {
        await store.close();
      }
    }
  },
);

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

async function seededStore(dir: string): Promise<{ path: string; events: RecordedEvent[] }> {
  const path = join(root, dir, 'ledger.db');
  const store = SqliteEventStore.open(path);
  for (let b = 0; b < 40; b++) await store.append(importStream(b), importBatch(b, 25), 'any');
  const events = await readEverything(store);
  await store.close(); // checkpoints the WAL into the main file and removes it
  return { path, events };
}

test('bad appends are rejected with an error naming the field, and nothing stored changes', async (t) => {
  const { path, events: before } = await seededStore('bad-input');
  const store = SqliteEventStore.open(path);
  const valid: NewEvent = { id: randomUUID(), type: 'EditSubmitted', data: { prompt: 'p', target: 't' }, metadata: {} };
  const huge = 'x'.repeat(16 * 1024 * 1024);
  const cases: Array<[string, () => Promise<unknown>, string]> = [
    ['stream is a number', () => store.append(42 as unknown as string, [valid], 'any'), 'stream'],
    ['events is not an array', () => store.append('s', valid as unknown as NewEvent[], 'any'), 'events'],
    ['an event is null', () => store.append('s', [valid, null as unknown as NewEvent], 'any'), 'events[1]'],
    [
      'data missing',
      () => store.append('s', [{ ...valid, data: undefined as unknown as JsonValue }], 'any'),
      'events[0].data',
    ],
    [
      'metadata missing',
      () => store.append('s', [{ id: valid.id, type: 'T', data: 1 } as unknown as NewEvent], 'any'),
      'events[0].metadata',
    ],
    [
      'type is a number',
      () => store.append('s', [{ ...valid, type: 7 as unknown as string }], 'any'),
      'events[0].type',
    ],
    [
      'invalid UTF-8 decoded as lone surrogates',
      () => store.append('s', [{ ...valid, data: { text: String.fromCharCode(0xd83d) + 'x' } }], 'any'),
      'events[0].data.text',
    ],
    [
      'raw invalid UTF-8 bytes',
      () => store.append('s', [{ ...valid, data: Buffer.from([0xc3, 0x28]) as unknown as JsonValue }], 'any'),
      'events[0].data',
    ],
    [
      '16 MiB string (limit: 1 MiB of JSON per event)',
      () => store.append('s', [{ ...valid, data: { text: huge } }], 'any'),
      'events[0]',
    ],
    [
      '1 MiB + 1 byte of metadata',
      () => store.append('s', [{ ...valid, metadata: { note: 'y'.repeat(1_048_576) } }], 'any'),
      'events[0]',
    ],
    ['stream name over 1000 characters', () => store.append('s'.repeat(1001), [valid], 'any'), 'stream'],
    [
      'duplicate id of a stored event with other content, mid-batch',
      () => store.append('s', [valid, { ...before[0]!, data: { changed: true } }], 'any'),
      'n/a',
    ],
  ];
  for (const [label, run, field] of cases) {
    const error = await t.throwsAsync(run(), undefined, label);
    if (field === 'n/a') t.is(error?.name, 'EventIdConflictError', label);
    else {
      t.true(error instanceof InvalidEventError, `${label}: ${error?.name}`);
      t.is((error as InvalidEventError).field, field, label);
    }
  }
  const mib = await t.throwsAsync(store.append('s', [{ ...valid, data: { text: huge } }], 'any'));
  t.regex(mib?.message ?? '', /limit is 1048576 bytes per event/);
  t.deepEqual(await readEverything(store), before, 'nothing stored changed');
  t.deepEqual(await store.readStream('s'), []);
  await store.close();
});

test('a damaged or foreign database file is refused with an error naming it, and the file is left as it was', async (t) => {
  const { path: source } = await seededStore('damage-source');
  const original = readFileSync(source);
  const pageSize = 4096;
  const damaged = (name: string, bytes: Buffer): string => {
    const dir = join(root, 'damaged', name);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'ledger.db');
    writeFileSync(path, bytes);
    return path;
  };
  const random = mulberry32(7);
  const noise = Buffer.from(Array.from({ length: 64 * 1024 }, () => Math.floor(random() * 256)));
  mkdirSync(join(root, 'damaged'), { recursive: true });
  const foreign = join(root, 'damaged', 'foreign.db');
  const other = new Database(foreign);
  other.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)');
  other.close();
  const cases: Array<[string, string]> = [
    ['random bytes', damaged('random', noise)],
    ['truncated to half', damaged('half', original.subarray(0, Math.floor(original.length / 2)))],
    ['truncated inside the header', damaged('header', original.subarray(0, 60))],
    ['a SQLite database of another application', foreign],
  ];
  for (const [label, path] of cases) {
    const hash = sha256(path);
    const error = t.throws(() => SqliteEventStore.open(path), { instanceOf: EventStoreCorruptedError }, label);
    t.true(error?.message.includes(path), `${label}: the message names the file`);
    t.is(sha256(path), hash, `${label}: the file is unchanged`);
  }

  // A page in the middle overwritten: found by the integrity check on open.
  const middle = damaged('page', original);
  const fd = openSync(middle, 'r+');
  const pages = Math.floor(statSync(middle).size / pageSize);
  writeSync(fd, noise.subarray(0, pageSize), 0, pageSize, Math.floor(pages / 2) * pageSize);
  closeSync(fd);
  t.throws(() => SqliteEventStore.open(middle, { integrityCheck: true }), {
    instanceOf: EventStoreCorruptedError,
    message: /integrity check|malformed/,
  });

  const directory = join(root, 'damaged', 'a-directory');
  mkdirSync(directory, { recursive: true });
  t.throws(() => SqliteEventStore.open(directory), {
    instanceOf: EventStoreUnavailableError,
    message: /is a directory/,
  });

  // The source store is intact and still opens after all that.
  const store = SqliteEventStore.open(source, { integrityCheck: true });
  t.is(await store.headPosition(), 1000);
  await store.close();
});

test('an event whose stored JSON was damaged is reported with its position, not as a crash', async (t) => {
  const { path } = await seededStore('bad-row');
  const raw = new Database(path);
  raw.prepare('UPDATE events SET data = ? WHERE position = 500').run('{"prompt": "cut sh');
  raw.close();
  const store = SqliteEventStore.open(path);
  try {
    const error = await t.throwsAsync(readEverything(store), { instanceOf: EventStoreCorruptedError });
    t.regex(error?.message ?? '', /position 500 is not valid JSON/);
    t.is((await store.readStream(importStream(0), { maxCount: 3 })).length, 3, 'other events still read');
  } finally {
    await store.close();
  }
});
