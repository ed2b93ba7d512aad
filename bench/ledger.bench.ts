// npm run bench:ledger — the ledger's speed: the event store next to raw better-sqlite3, and the edit set
// as of a position from the persisted index next to a full re-fold. Both baselines run in this process.
import { pathToFileURL } from 'node:url';
import { benchEditSet, formatEditSetTable } from './edit-set.bench.ts';
import { benchStore, formatStoreTable } from './store.bench.ts';

export async function runLedgerBench(): Promise<string> {
  const store = formatStoreTable(await benchStore());
  const editSet = formatEditSetTable(await benchEditSet());
  return [
    'event store: SQLite (WAL, synchronous=FULL) vs a raw better-sqlite3 loop with the same durability',
    store,
    '',
    'edit set as of a position: persisted interval index vs a full re-fold of the ledger',
    editSet,
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await runLedgerBench());
}
