import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EditIndex, PositionOutOfRangeError } from '../infra/readmodel/edit-index.ts';
import { SqliteEventStore } from '../infra/eventstore/sqlite-event-store.ts';
import { foldEditSetAt } from '../projections/edit-set.ts';
import { newLedger } from './helpers/ledger-builders.ts';

function tempDir(t: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'editledger-index-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function seededLedger(dir: string, steps: number, seed = 7) {
  const store = SqliteEventStore.open(join(dir, 'ledger.db'));
  const ledger = newLedger(store);
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const active = new Map<string, string>();
  const ended = new Map<string, string[]>(); // fact -> its retracted or superseded edits
  const endOf = (fact: string, editId: string) => ended.set(fact, [...(ended.get(fact) ?? []), editId]);
  for (let i = 0; i < steps; i++) {
    const fact = `f${Math.floor(random() * 25)}::k`;
    const current = active.get(fact);
    const past = ended.get(fact) ?? [];
    const roll = random();
    if (current !== undefined && roll < 0.3) {
      await ledger.retract(current, fact);
      active.delete(fact);
      endOf(fact, current);
    } else if (past.length > 0 && roll < 0.45) {
      // Reinstate an ended edit (issue 18.2): it starts a new life and supersedes the active one, if any.
      const editId = past.splice(Math.floor(random() * past.length), 1)[0]!;
      await ledger.reinstate(editId, fact);
      if (current !== undefined) endOf(fact, current);
      active.set(fact, editId);
    } else {
      if (current !== undefined) endOf(fact, current);
      active.set(fact, (await ledger.submit(fact, `r${seed}-${i}`)).editId);
    }
  }
  return { store, ledger, active };
}

/** The edit index at `path`, caught up with `store`. */
async function caughtUpIndex(path: string, store: SqliteEventStore): Promise<EditIndex> {
  const index = EditIndex.open(path);
  await index.catchUp(store);
  return index;
}
/** A temp folder with a seeded ledger, and where its edit index goes. */
async function seededIndexHome(t: { teardown: (fn: () => void) => void }, steps: number) {
  const dir = tempDir(t);
  return { dir, path: join(dir, 'readmodel.db'), ...(await seededLedger(dir, steps)) };
}

test('the persisted index answers every position exactly like the pure re-fold, across incremental catch-ups', async (t) => {
  const dir = tempDir(t);
  const { store, ledger, active } = await seededLedger(dir, 120);
  const index = EditIndex.open(join(dir, 'readmodel.db'));
  t.teardown(() => index.close());
  const first = await index.catchUp(store, { batchSize: 17 });
  t.is(first.cursor, await store.headPosition());
  t.false(first.rebuilt);
  // more events, then an incremental catch-up
  await ledger.submit('late::fact', 'late');
  const second = await index.catchUp(store);
  t.is(second.applied, 1);
  const events = await ledger.events();
  for (let p = 0; p <= second.cursor; p++) {
    const expected = foldEditSetAt(events, p);
    const actual = index.editSetAt(p);
    t.is(actual.editSetHash, expected.editSetHash, `position ${p}`);
    t.deepEqual(actual.edits, expected.edits, `position ${p}`);
    const facts = actual.edits.map((e) => e.factKey);
    t.is(new Set(facts).size, facts.length, `position ${p}: one edit per fact`);
  }
  // The history has reinstatements, and the head shows exactly the edits the driver left active.
  t.true(events.some((e) => e.event.type === 'EditReinstated'));
  active.set('late::fact', index.editSetAt().edits.find((e) => e.factKey === 'late::fact')!.editId);
  t.deepEqual(
    index
      .editSetAt()
      .edits.map((e) => e.editId)
      .sort(),
    [...active.values()].sort(),
  );
  t.is(index.editSetAt().position, second.cursor);
  await store.close();
});

test('editSetAt beyond the checkpoint is a PositionOutOfRangeError naming the position', async (t) => {
  const dir = tempDir(t);
  const { store } = await seededLedger(dir, 3);
  const index = await caughtUpIndex(join(dir, 'readmodel.db'), store);
  const error = t.throws(() => index.editSetAt(index.cursor + 1), { instanceOf: PositionOutOfRangeError });
  t.is(error?.field, 'position');
  t.throws(() => index.editSetAt(-1), { instanceOf: RangeError });
  index.close();
  await store.close();
});

test('the index survives reopening, knows fact keys, and rebuilds itself for a different ledger', async (t) => {
  const { path, store, ledger } = await seededIndexHome(t, 10);
  let index = await caughtUpIndex(path, store);
  const before = index.editSetAt();
  index.close();
  index = EditIndex.open(path);
  t.is(index.editSetAt().editSetHash, before.editSetHash);
  const someEdit = before.edits[0]!;
  t.is(index.factKeyOf(someEdit.editId), someEdit.factKey);
  t.is(index.factKeyOf('00000000-0000-4000-8000-000000000000'), undefined);
  t.is((await index.catchUp(store)).applied, 0);

  const otherDir = tempDir(t);
  const other = await seededLedger(otherDir, 4, 99);
  const result = await index.catchUp(other.store);
  t.true(result.rebuilt);
  t.is(index.editSetAt().editSetHash, foldEditSetAt(await other.ledger.events(), result.cursor).editSetHash);
  index.close();
  await store.close();
  await other.store.close();
  void ledger;
});

test('a damaged index file is moved aside and rebuilt from the ledger', async (t) => {
  const { dir, path, store, ledger } = await seededIndexHome(t, 8);
  writeFileSync(path, 'this is not a database '.repeat(100));
  const warnings: string[] = [];
  const index = EditIndex.open(path, { onWarning: (m) => warnings.push(m) });
  const result = await index.catchUp(store);
  t.is(index.editSetAt().editSetHash, foldEditSetAt(await ledger.events(), result.cursor).editSetHash);
  t.is(warnings.length, 1);
  t.regex(warnings[0] ?? '', /moved it to/);
  t.true(readdirSync(dir).some((f) => f.startsWith('readmodel.db.damaged-')));
  index.close();
  await store.close();
});

test('an index written with another schema version is dropped and rebuilt on open', async (t) => {
  const { path, store, ledger } = await seededIndexHome(t, 6);
  const index = await caughtUpIndex(path, store);
  index.close();
  const db = new Database(path);
  db.prepare("UPDATE meta SET value = 'old' WHERE key = 'schema_version'").run();
  db.close();
  const reopened = EditIndex.open(path);
  t.is(reopened.cursor, 0);
  const result = await reopened.catchUp(store);
  t.is(reopened.editSetAt().editSetHash, foldEditSetAt(await ledger.events(), result.cursor).editSetHash);
  reopened.close();
  await store.close();
});
