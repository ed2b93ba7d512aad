// The event-store contract on PostgreSQL against a throwaway server started for this file, plus what a
// shared server adds: two processes racing on one stream, and many concurrent appenders with a reader
// and a subscription that must each see every event exactly once, in contiguous position order.
// Where PostgreSQL is not installed the file prints one SKIPPED line.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import test from 'ava';
import type { NewEvent, RecordedEvent } from '../domain/ports/event-store.ts';
import { chainPages, walkChain } from '../domain/chain-walk.ts';
import { loadConfig } from '../infra/config.ts';
import { EventStoreUnavailableError, InvalidEventError } from '../infra/eventstore/errors.ts';
import { openEventStore } from '../infra/eventstore/open.ts';
import { PostgresEventStore } from '../infra/eventstore/postgres-event-store.ts';
import { registerChainContract } from './helpers/audit-chain-contract.ts';
import { registerEventStoreContract } from './helpers/event-store-contract.ts';
import { canRunServer, startPostgresServer, type PostgresServer } from './helpers/postgres-server.ts';
import { raceOutcome, splitRace } from './helpers/event-store-child.ts';

const available = canRunServer();

if (available.ok) {
  let server: PostgresServer | undefined;
  const url = async (): Promise<string> => {
    server ??= await startPostgresServer();
    return server.url;
  };
  test.before(async () => {
    await url();
  });
  test.after.always(() => server?.destroy());

  registerEventStoreContract('postgres', async () => PostgresEventStore.open(await url()));
  registerChainContract('postgres', async () => PostgresEventStore.open(await url()));

  /** A new, empty database on the test server (for tests that change the schema or rows behind the store). */
  const freshDatabase = async (prefix: string): Promise<string> => {
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: await url() });
    await admin.connect();
    const database = `${prefix}_${randomUUID().slice(0, 8)}`;
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    return (await url()).replace(/\/postgres$/, `/${database}`);
  };

  const noted = (i: number, tag: string): NewEvent => ({
    id: randomUUID(),
    type: 'Noted',
    data: { i, tag },
    metadata: { tag },
  });

  test('postgres: migrations are versioned and idempotent, and a newer schema is refused', async (t) => {
    // Its own database: the schema row it plants from the future must not disturb the other tests.
    const { default: pg } = await import('pg');
    const target = await freshDatabase('migrations');
    const first = await PostgresEventStore.open(target);
    await first.append('m-1', [noted(0, 'm')], 'no_stream');
    const second = await PostgresEventStore.open(target); // runs the migration check again: nothing to do
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: number }>(
        'SELECT version FROM editledger_migrations ORDER BY version',
      );
      t.deepEqual(
        rows.map((r) => r.version),
        [1, 2, 3],
      );
      t.is((await second.readStream('m-1')).length, 1, 'reopening kept the events');
      await client.query("INSERT INTO editledger_migrations (version, description) VALUES (99, 'from the future')");
      const error = await t.throwsAsync(PostgresEventStore.open(target));
      t.regex(error?.message ?? '', /schema version 99, newer than this editledger understands \(3\)/);
    } finally {
      await client.end();
      await Promise.all([first.close(), second.close()]);
    }
  });

  test('postgres: a row changed behind the store breaks the chain at its position, named as modified', async (t) => {
    const { default: pg } = await import('pg');
    const target = await freshDatabase('chain');
    const store = await PostgresEventStore.open(target);
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    try {
      for (let i = 0; i < 5; i++) await store.append(`c-${i % 2}`, [noted(i, 'c'), noted(i, 'd')], 'any');
      t.true((await walkChain(chainPages(store))).intact);
      await client.query(`UPDATE editledger_events SET data = '{"i":7,"tag":"c"}' WHERE position = 7`);
      const report = await walkChain(chainPages(store));
      t.false(report.intact);
      t.is(report.firstBreak?.position, 7);
      t.is(report.firstBreak?.kind, 'modified');
      t.is(report.verified, 6);
    } finally {
      await client.end();
      await store.close();
    }
  });

  test('postgres: a database from before the chain (schema 2) is chained by migration 3, with the links appends make', async (t) => {
    const { default: pg } = await import('pg');
    const target = await freshDatabase('chainup');
    const first = await PostgresEventStore.open(target);
    for (let i = 0; i < 7; i++) await first.append(`u-${i % 2}`, [noted(i, 'u'), noted(i, 'v')], 'any');
    const links = (await first.readChain(0, 100)).map((e) => e.chainHash);
    await first.close();
    // What a schema-2 database looks like: no chain column, no migration 3, the append function without digests.
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    await client.query(`ALTER TABLE editledger_events DROP COLUMN chain;
      DROP FUNCTION editledger_append(text, text, uuid[], text[], text[], text[], text[]);
      DELETE FROM editledger_migrations WHERE version = 3`);
    await client.end();
    const upgraded = await PostgresEventStore.open(target);
    try {
      t.deepEqual(
        (await upgraded.readChain(0, 100)).map((e) => e.chainHash),
        links,
      );
      await upgraded.append('u-9', [noted(9, 'u')], 'any');
      const report = await walkChain(chainPages(upgraded));
      t.true(report.intact);
      t.is(report.verified, 15);
    } finally {
      await upgraded.close();
    }
  });

  test('postgres: a server that is not there is a clear EventStoreUnavailableError without the password', async (t) => {
    const error = await t.throwsAsync(
      PostgresEventStore.open('postgres://ledger:s3cret-pw@127.0.0.1:1/nowhere', { connectTimeoutMs: 2000 }),
      { instanceOf: EventStoreUnavailableError },
    );
    t.regex(
      error?.message ?? '',
      /PostgreSQL event store at postgres:\/\/ledger@127\.0\.0\.1:1\/nowhere is unavailable/,
    );
    t.false(error?.message.includes('s3cret-pw'));
  });

  test('postgres: names and filters holding U+0000 are rejected naming the field, since PostgreSQL text cannot store them', async (t) => {
    const store = await PostgresEventStore.open(await url());
    try {
      const e1 = await t.throwsAsync(store.append('nul\u0000stream', [noted(0, 'nul')], 'any'), {
        instanceOf: InvalidEventError,
      });
      t.is(e1?.field, 'stream');
      const e2 = await t.throwsAsync(store.append('nul-ok', [{ ...noted(0, 'nul'), type: 'A\u0000' }], 'any'), {
        instanceOf: InvalidEventError,
      });
      t.is(e2?.field, 'events[0].type');
      const read = async (): Promise<void> => {
        for await (const e of store.readAll({ filter: { eventTypes: ['ok', 'b\u0000'] } })) void e;
      };
      const e3 = await t.throwsAsync(read(), { instanceOf: InvalidEventError });
      t.is(e3?.field, 'filter.eventTypes[1]');
      // U+0000 inside JSON data is fine: JSON escapes it.
      await store.append('nul-ok', [{ ...noted(0, 'nul'), data: { text: 'a\u0000b' } }], 'no_stream');
      t.deepEqual((await store.readStream('nul-ok'))[0]?.data, { text: 'a\u0000b' });
    } finally {
      await store.close();
    }
  });

  test('postgres: EDITLEDGER_STORE / DATABASE_URL select the PostgreSQL store; SQLite stays the default', async (t) => {
    const pick = (env: NodeJS.ProcessEnv) => loadConfig({ env, cwd: '/tmp' }).eventStore;
    t.is(pick({}).postgresUrl, undefined);
    t.is(pick({ EDITLEDGER_STORE: ' postgres://a@h/db ' }).postgresUrl, 'postgres://a@h/db');
    t.is(pick({ DATABASE_URL: 'postgresql://a@h/db' }).postgresUrl, 'postgresql://a@h/db');
    t.is(
      pick({ DATABASE_URL: 'mysql://a@h/db' }).postgresUrl,
      undefined,
      'another database in DATABASE_URL is not ours',
    );
    t.is(
      pick({ EDITLEDGER_STORE: 'postgres://x@h/one', DATABASE_URL: 'postgres://y@h/two' }).postgresUrl,
      'postgres://x@h/one',
    );
    const error = t.throws(() => pick({ EDITLEDGER_STORE: 'mysql://u:hunter2@h/db' }));
    t.regex(error?.message ?? '', /^EDITLEDGER_STORE must be a postgres:\/\/ or postgresql:\/\/ URL/);
    t.false(error?.message.includes('hunter2'));
    const store = await openEventStore({ sqlitePath: '/nonexistent/ledger.db', postgresUrl: await url() });
    try {
      t.true(store instanceof PostgresEventStore);
    } finally {
      await store.close();
    }
  });

  /** A child process (tests/helpers/event-store-child.ts) whose stdout lines we can wait for. */
  function startChild(args: readonly string[]): {
    child: ChildProcess;
    line: (match: (line: string) => boolean) => Promise<string>;
  } {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/event-store-child.ts', ...args], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines: string[] = [];
    const waiters: Array<() => void> = [];
    createInterface({ input: child.stdout }).on('line', (l) => {
      lines.push(l);
      for (const w of waiters.splice(0)) w();
    });
    const line = async (match: (line: string) => boolean): Promise<string> => {
      for (;;) {
        const found = lines.find(match);
        if (found !== undefined) return found;
        if (child.exitCode !== null) throw new Error(`child exited (${child.exitCode}) before the expected line`);
        await Promise.race([new Promise<void>((r) => waiters.push(r)), once(child, 'exit')]);
      }
    };
    return { child, line };
  }

  test('postgres: two processes append to one stream at the same expected revision: one wins, one conflicts', async (t) => {
    const target = await url();
    const store = await PostgresEventStore.open(target);
    try {
      const contested = `race-${randomUUID().slice(0, 8)}`;
      await store.append(
        contested,
        [0, 1, 2, 3, 4].map((i) => noted(i, 'seed')),
        'no_stream',
      );
      // Round 1 races on revision 4 of an existing stream, round 2 on creating a new stream.
      for (const [stream, expected, before] of [
        [contested, '4', 5],
        [`race-${randomUUID().slice(0, 8)}`, 'no_stream', 0],
      ] as const) {
        const children = ['A', 'B'].map((tag) => startChild(['race', target, stream, expected, tag]));
        await Promise.all(children.map((c) => c.line((l) => l === 'ready')));
        for (const c of children) c.child.stdin!.write('go\n');
        const outcomes = await Promise.all(
          children.map(async (c) => raceOutcome(await c.line((l) => l.startsWith('{')))),
        );
        const { winners, losers } = splitRace(outcomes);
        t.is(winners.length, 1, `${expected}: exactly one winner`);
        t.is(losers[0]?.error, 'WrongExpectedRevisionError');
        t.is(losers[0]?.actual, before + 19, 'the loser is told the revision it lost to');
        const events = await store.readStream(stream);
        t.deepEqual(
          events.slice(before).map((e) => e.id),
          winners[0]?.ids,
          "the winner's 20 events follow what was there, nothing lost",
        );
        const loserIds = new Set(losers[0]?.ids);
        const everything: RecordedEvent[] = [];
        for await (const e of store.readAll()) everything.push(e);
        t.false(
          everything.some((e) => loserIds.has(e.id)),
          "none of the loser's events is stored",
        );
      }
    } finally {
      await store.close();
    }
  });

  test('postgres: concurrent appenders; a reader and a subscription see every event exactly once, positions contiguous', async (t) => {
    const target = await url();
    const ns = `conc-${randomUUID().slice(0, 8)}`;
    const writers = await Promise.all([0, 1, 2].map(() => PostgresEventStore.open(target, { poolSize: 4 })));
    const observer = await PostgresEventStore.open(target, { fallbackPollMs: 60_000 }); // live delivery must come from NOTIFY
    const start = await observer.headPosition();
    const expected = new Set<string>();
    const subscribed: RecordedEvent[] = [];
    const subscription = observer.subscribeToAll({
      after: start,
      filter: { streamPrefixes: [ns] },
      onEvent: (e) => void subscribed.push(e),
      onError: (error) => t.fail(`subscription failed: ${error.message}`),
    });
    let writing = true;
    // The reader polls $all unfiltered: every position after `start` must arrive once, with no gap
    // (a gap would be a later position committed before an earlier one, or a lost event).
    const reader = (async () => {
      const seen: RecordedEvent[] = [];
      let checkpoint = start;
      let gaps = 0;
      for (let quiet = false; writing || !quiet;) {
        const before = checkpoint;
        for await (const e of observer.readAll({ after: checkpoint })) {
          if (e.position !== checkpoint + 1) gaps += 1;
          checkpoint = e.position;
          if (e.stream.startsWith(ns)) seen.push(e);
        }
        quiet = !writing && checkpoint === before;
        await new Promise((r) => setImmediate(r));
      }
      return { seen, gaps };
    })();
    try {
      const loops = Array.from({ length: 12 }, async (_, loop) => {
        const store = writers[loop % writers.length]!;
        for (let k = 0; k < 20; k++) {
          const batch = Array.from({ length: 1 + ((loop + k) % 4) }, (_, i) => noted(k * 10 + i, `loop-${loop}`));
          // Half the loops share streams, so expected revision 'any' appends interleave within one stream too.
          const stream = loop % 2 === 0 ? `${ns}-shared-${k % 3}` : `${ns}-own-${loop}`;
          await store.append(stream, batch, 'any');
          for (const e of batch) expected.add(e.id);
        }
      });
      await Promise.all(loops);
    } finally {
      writing = false;
    }
    const { seen, gaps } = await reader;
    t.is(gaps, 0, 'positions are contiguous and never fill in later');
    t.is(seen.length, expected.size);
    t.is(new Set(seen.map((e) => e.id)).size, seen.length, 'the reader saw no event twice');
    t.true(seen.every((e) => expected.has(e.id)));
    const deadline = Date.now() + 10_000;
    while (subscribed.length < expected.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await subscription.stop();
    t.is(subscribed.length, expected.size, 'the subscription delivered every event');
    t.is(new Set(subscribed.map((e) => e.id)).size, subscribed.length, 'the subscription delivered none twice');
    t.true(subscribed.every((e, i) => i === 0 || e.position > subscribed[i - 1]!.position));
    // Each stream's revisions are 0..n-1 with no duplicates, however the appends interleaved.
    for (const stream of new Set(seen.map((e) => e.stream))) {
      const revisions = (await observer.readStream(stream)).map((e) => e.revision);
      t.deepEqual(revisions, [...revisions.keys()], stream);
    }
    await Promise.all([...writers, observer].map((s) => s.close()));
  });
} else {
  const message = `PostgreSQL event store tests SKIPPED: ${available.why}`;
  process.stderr.write(`${message}\n`);
  test('postgres: tests need a PostgreSQL server installation', (t) => {
    t.log(message);
    t.pass();
  });
}
