// Group commit in the SQLite store: appends issued together are written in one transaction, yet each succeeds or
// fails on its own (a wrong expected revision rolls back only that append), positions stay contiguous and the hash
// chain stays intact.
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WrongExpectedRevisionError } from '../domain/ports/event-store.ts';
import { SqliteEventStore } from '../infra/eventstore/sqlite-event-store.ts';
import { chainPages, walkChain } from '../domain/chain-walk.ts';

test('appends issued in one tick: the good ones land together, a conflicting one fails alone', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'editledger-group-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const store = SqliteEventStore.open(join(dir, 'ledger.db'));
  try {
    await store.append('s-0', [{ id: randomUUID(), type: 'Noted', data: { i: -1 }, metadata: {} }], 'no_stream');
    const attempts = Array.from({ length: 50 }, (_, i) =>
      store.append(
        i === 25 ? 's-0' : `s-${i + 1}`,
        [{ id: randomUUID(), type: 'Noted', data: { i }, metadata: {} }],
        i === 25 ? 'no_stream' : 'any', // s-0 exists: this one must fail, alone
      ),
    );
    const settled = await Promise.allSettled(attempts);
    const rejected = settled.flatMap((s, i) => (s.status === 'rejected' ? [[i, s.reason]] : []));
    t.is(rejected.length, 1);
    t.is(rejected[0]![0], 25);
    t.true(rejected[0]![1] instanceof WrongExpectedRevisionError);
    const positions = settled
      .flatMap((s) => (s.status === 'fulfilled' ? [s.value.position] : []))
      .sort((a, b) => a - b);
    t.deepEqual(
      positions,
      Array.from({ length: 49 }, (_, i) => i + 2),
      'contiguous positions after the first event',
    );
    t.is(await store.headPosition(), 50);
    const chain = await walkChain(chainPages(store));
    t.true(chain.intact);
    t.is(chain.verified, 50);
  } finally {
    await store.close();
  }
});
