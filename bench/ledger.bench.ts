// npm run bench:ledger — the ledger's speed: the event store next to raw better-sqlite3, the edit set as of a
// position from the persisted index next to a full re-fold, and what the hash chain (issue 12) costs an append:
// the SQLite store with its chain next to the same store with the chain switched off (`chain: false`, a bench-only
// option), appends alternating call by call between two fresh files in one temp dir. All baselines run in this
// process. Environment (chain rows): BENCH_CHAIN_SINGLE=400, BENCH_CHAIN_BATCHED=50000, BENCH_BATCH=100.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { NewEvent } from '../domain/ports/event-store.ts';
import { SqliteEventStore } from '../infra/eventstore/sqlite-event-store.ts';
import { benchEditSet, formatEditSetTable } from './edit-set.bench.ts';
import { benchStore, formatStoreTable } from './store.bench.ts';
import { benchEditEvent } from './helpers/edit-event.ts';
import { envInt, markdownTable } from './table.ts';

/** An edit-sized event (~600 bytes of JSON with its metadata). */
function editEvent(i: number): NewEvent {
  const rephrase = [`Person ${i} works for`, `Who employs person ${i}? The answer is`];
  return benchEditEvent(i, { rephrase }, { actor: 'bench', correlationId: randomUUID() });
}

/** Events per second for each side, appending `calls` batches of `size`, alternating between the two stores. */
async function alternate(calls: number, size: number): Promise<{ chained: number; unchained: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'editledger-bench-chain-'));
  const chained = SqliteEventStore.open(join(dir, 'chained.db'));
  const unchained = SqliteEventStore.open(join(dir, 'unchained.db'), { chain: false });
  const spent = { chained: 0, unchained: 0 };
  try {
    for (let c = 0; c < calls; c++) {
      const batch = Array.from({ length: size }, (_, k) => editEvent(c * size + k));
      const sides = c % 2 === 0 ? (['chained', 'unchained'] as const) : (['unchained', 'chained'] as const);
      for (const side of sides) {
        const store = side === 'chained' ? chained : unchained;
        const start = performance.now();
        await store.append(`fact-${c % 50}`, batch, 'any');
        spent[side] += performance.now() - start;
      }
    }
  } finally {
    await Promise.all([chained.close(), unchained.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
  const events = calls * size;
  return { chained: (events * 1000) / spent.chained, unchained: (events * 1000) / spent.unchained };
}

export async function benchChainCost(): Promise<string> {
  const batch = envInt('BENCH_BATCH', 100);
  const single = await alternate(envInt('BENCH_CHAIN_SINGLE', 400), 1);
  const batched = await alternate(Math.ceil(envInt('BENCH_CHAIN_BATCHED', 50_000) / batch), batch);
  const row = (metric: string, r: { chained: number; unchained: number }) => [
    metric,
    `${Math.round(r.chained).toLocaleString('en')} events/s`,
    `${Math.round(r.unchained).toLocaleString('en')} events/s`,
    (r.chained / r.unchained).toFixed(2),
  ];
  return markdownTable(
    ['append (SQLite, WAL, synchronous=FULL)', 'with the chain', 'baseline: chain off', 'ratio'],
    [
      row('single appends (1 event per transaction)', single),
      row(`batched appends (${batch} per transaction)`, batched),
    ],
  );
}

export async function runLedgerBench(): Promise<string> {
  const store = formatStoreTable(await benchStore());
  const editSet = formatEditSetTable(await benchEditSet());
  const chain = await benchChainCost();
  return [
    'event store: SQLite (WAL, synchronous=FULL) vs a raw better-sqlite3 loop with the same durability',
    store,
    '',
    'edit set as of a position: persisted interval index vs a full re-fold of the ledger',
    editSet,
    '',
    'the hash chain on append: the same store with its chain vs with the chain off (ratio = rate with / without)',
    chain,
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(process.argv.includes('--chain-only') ? await benchChainCost() : await runLedgerBench());
}
