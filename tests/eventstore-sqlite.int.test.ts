// The event-store contract on the embedded SQLite store, plus what only a local file can show.

import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import Database from 'better-sqlite3';
import { chainPages, walkChain } from '../domain/chain-walk.ts';
import { EventIdConflictError, type NewEvent, type RecordedEvent } from '../domain/ports/event-store.ts';
import { SqliteEventStore } from '../infra/eventstore/sqlite-event-store.ts';
import { registerChainContract } from './helpers/audit-chain-contract.ts';
import { registerEventStoreContract } from './helpers/event-store-contract.ts';

const root = mkdtempSync(join(tmpdir(), 'editledger-sqlite-'));
test.after.always(() => rmSync(root, { recursive: true, force: true }));
const freshPath = (): string => join(root, randomUUID(), 'ledger.db');

registerEventStoreContract('sqlite', async () => SqliteEventStore.open(freshPath(), { pollIntervalMs: 20 }));
registerChainContract('sqlite', async () => SqliteEventStore.open(freshPath()));

const noted = (i: number): NewEvent => ({ id: randomUUID(), type: 'Noted', data: { i }, metadata: {} });

test('sqlite: head is 0 when empty, and positions are 1..n with no holes', async (t) => {
  const store = SqliteEventStore.open(freshPath());
  try {
    t.is(await store.headPosition(), 0);
    for (let i = 0; i < 10; i++) await store.append(`s-${i % 3}`, [noted(i), noted(i)], 'any');
    const positions: number[] = [];
    for await (const e of store.readAll()) positions.push(e.position);
    t.deepEqual(
      positions,
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    t.is(await store.headPosition(), 20);
  } finally {
    await store.close();
  }
});

test('sqlite: an id already stored in another stream is an EventIdConflictError', async (t) => {
  const store = SqliteEventStore.open(freshPath());
  try {
    const e = noted(1);
    await store.append('a', [e], 'no_stream');
    const error = await t.throwsAsync(store.append('b', [e], 'no_stream'), { instanceOf: EventIdConflictError });
    t.is(error?.eventId, e.id);
    t.deepEqual(await store.readStream('b'), []);
  } finally {
    await store.close();
  }
});

test('sqlite: the file and its directories are created, and events survive close and reopen', async (t) => {
  const path = join(root, randomUUID(), 'deeper', 'ledger.db');
  const first = SqliteEventStore.open(path);
  const batch = [noted(1), noted(2)];
  await first.append('s', batch, 'no_stream');
  await first.close();
  t.true(existsSync(path));
  const again = SqliteEventStore.open(path);
  try {
    t.deepEqual(
      (await again.readStream('s')).map((e) => e.id),
      batch.map((e) => e.id),
    );
    t.is((await again.append('s', [noted(3)], 1)).position, 3);
  } finally {
    await again.close();
  }
});

test('sqlite: a second connection to the same file sees appends, and its subscription receives them by polling', async (t) => {
  const path = freshPath();
  const writer = SqliteEventStore.open(path);
  const reader = SqliteEventStore.open(path, { pollIntervalMs: 20 });
  const delivered: RecordedEvent[] = [];
  let caughtUp = false;
  const subscription = reader.subscribeToAll({
    onEvent: (e) => void delivered.push(e),
    onCaughtUp: () => (caughtUp = true),
  });
  try {
    while (!caughtUp) await new Promise((resolve) => setTimeout(resolve, 5));
    await writer.append('s', [noted(1), noted(2)], 'no_stream');
    const deadline = Date.now() + 5000;
    while (delivered.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    t.deepEqual(
      delivered.map((e) => e.position),
      [1, 2],
    );
    t.is(await reader.headPosition(), 2);
  } finally {
    await subscription.stop();
    await reader.close();
    await writer.close();
  }
});

test('sqlite: a closed store refuses work with a clear error', async (t) => {
  const store = SqliteEventStore.open(freshPath());
  await store.close();
  await t.throwsAsync(store.append('s', [noted(1)], 'any'), { message: /is closed/ });
  await t.throwsAsync(store.headPosition(), { message: /is closed/ });
});

test('sqlite: a ledger from before the chain (schema 1) is chained once on open, with the links an append makes', async (t) => {
  const path = freshPath();
  const store = SqliteEventStore.open(path);
  for (let i = 0; i < 7; i++) await store.append(`s-${i % 2}`, [noted(i), noted(i + 100)], 'any');
  const links = [];
  for await (const e of store.readAll()) links.push(e.chainHash);
  await store.close();
  // Make it the file an older editledger wrote: no chain column, user_version 1.
  const db = new Database(path);
  db.exec('ALTER TABLE events DROP COLUMN chain');
  db.pragma('user_version = 1');
  db.close();

  const readOnly = SqliteEventStore.open(path, { readOnly: true });
  const legacy = [];
  for await (const e of readOnly.readAll()) legacy.push(e);
  await readOnly.close();
  t.is(legacy.length, 14, 'read-only, it reads without upgrading');
  t.true(legacy.every((e) => e.chainHash === undefined));

  const upgraded = SqliteEventStore.open(path);
  try {
    const after = [];
    for await (const e of upgraded.readAll()) after.push(e.chainHash);
    t.deepEqual(after, links);
    t.true((await walkChain(chainPages(upgraded))).intact);
    await upgraded.append('s-9', [noted(99)], 'any');
    t.true((await walkChain(chainPages(upgraded))).intact, 'and appends continue the chain');
  } finally {
    await upgraded.close();
  }
  const check = new Database(path, { readonly: true });
  t.is(check.pragma('user_version', { simple: true }), 2);
  check.close();
});
