// Reliability of the embedded SQLite event store across real processes:
// (a) SIGKILL at random moments during a batched import loses no acknowledged append and leaves no partial batch;
// (b) two processes racing on one expected revision: exactly one wins, the other writes nothing.
// Bad input and damaged files are in eventstore-bad-input.int.test.ts.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { chainPages, walkChain } from '../domain/chain-walk.ts';
import { type NewEvent, type RecordedEvent } from '../domain/ports/event-store.ts';
import { SqliteEventStore } from '../infra/eventstore/sqlite-event-store.ts';
import { IMPORT_STREAMS, importBatch, importStream, raceOutcome, splitRace } from './helpers/event-store-child.ts';
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
        children.map(async (c) => raceOutcome(await c.waitForLine((line) => line.startsWith('{')))),
      );
      await Promise.all(children.map((c) => c.exited));
      const { winners, losers } = splitRace(outcomes);
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
