// The PostgreSQL event store when its server goes away under load: the server is stopped the hard way
// (pg_ctl -m immediate, no checkpoint: as a crash) while appenders and a subscription run, then started
// again. While it is down every append fails with a clear EventStoreUnavailableError; no batch is ever
// half stored; every acknowledged append survives; after the restart appends resume, retried batches
// are idempotent, positions stay contiguous and the subscription delivers every event exactly once.
// Where PostgreSQL is not installed the file prints one SKIPPED line.

import { randomUUID } from 'node:crypto';
import test from 'ava';
import type { NewEvent, RecordedEvent } from '../domain/ports/event-store.ts';
import { EventStoreUnavailableError } from '../infra/eventstore/errors.ts';
import { PostgresEventStore } from '../infra/eventstore/postgres-event-store.ts';
import { canRunServer, startPostgresServer } from './helpers/postgres-server.ts';

const available = canRunServer();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function batchOf(loop: number, k: number): NewEvent[] {
  return Array.from({ length: 5 }, (_, i) => ({
    id: randomUUID(),
    type: 'Noted',
    data: { loop, k, i },
    metadata: {},
  }));
}

if (available.ok) {
  test('postgres: a server stopped and restarted under load: clean failures while down, nothing partial or lost', async (t) => {
    const server = await startPostgresServer();
    const store = await PostgresEventStore.open(server.url, { poolSize: 4, connectTimeoutMs: 2000 });
    try {
      const delivered: RecordedEvent[] = [];
      const subscriptionErrors: Error[] = [];
      const subscription = store.subscribeToAll({
        onEvent: (e) => void delivered.push(e),
        onError: (error) => subscriptionErrors.push(error),
      });
      const acked: NewEvent[][] = [];
      const failed: Array<{ stream: string; batch: NewEvent[] }> = [];
      const failures: Error[] = [];
      let phase: 'up' | 'down' | 'restarted' = 'up';
      let ackedWhileDown = 0;
      let ackedAfterRestart = 0;
      let running = true;
      const loops = [0, 1, 2, 3].map(async (loop) => {
        for (let k = 0; running; k++) {
          const batch = batchOf(loop, k);
          const stream = `load-${loop}`;
          const phaseAtStart = phase;
          try {
            await store.append(stream, batch, 'any');
            acked.push(batch);
            // An append that started before the stop may still complete; one that started while down must not.
            if (phaseAtStart === 'down' && phase === 'down') ackedWhileDown += 1;
            if (phaseAtStart === 'restarted') ackedAfterRestart += 1;
          } catch (err) {
            failed.push({ stream, batch });
            failures.push(err as Error);
            await sleep(20);
          }
        }
      });
      await sleep(400);
      t.true(acked.length > 0, 'appends were flowing before the stop');
      server.stop('immediate');
      phase = 'down';
      const failuresAtStop = failures.length;
      while (failures.length < failuresAtStop + 8) await sleep(20);
      await sleep(300); // stay down a while: the subscription's listener and reads must ride it out
      await t.throwsAsync(store.headPosition(), { instanceOf: EventStoreUnavailableError });
      const reopen = await t.throwsAsync(PostgresEventStore.open(server.url, { connectTimeoutMs: 2000 }), {
        instanceOf: EventStoreUnavailableError,
      });
      t.regex(
        reopen?.message ?? '',
        /PostgreSQL event store at postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres is unavailable/,
      );
      server.start();
      phase = 'restarted';
      while (ackedAfterRestart < 20) await sleep(20);
      running = false;
      await Promise.all(loops);

      t.log(
        `${acked.length} batches acknowledged, ${failed.length} failed while down; first failure: ${failures[0]?.message}`,
      );
      t.is(ackedWhileDown, 0, 'no append started while the server was down succeeded');
      t.true(failures.length >= 8);
      for (const failure of failures) {
        t.true(failure instanceof EventStoreUnavailableError, `${failure.name}: ${failure.message}`);
        t.regex(
          failure.message,
          /PostgreSQL event store at .* is unavailable: .*\((append failed, nothing was written|the connection broke (during the append|while committing).*)\)/,
        );
      }

      // Every batch is all or nothing; every acknowledged batch survived the crash-like stop.
      const stored = new Map<string, RecordedEvent>();
      for await (const e of store.readAll()) stored.set(e.id, e);
      for (const batch of acked)
        t.true(
          batch.every((e) => stored.has(e.id)),
          'an acknowledged batch is stored',
        );
      for (const { batch } of failed) {
        const present = batch.filter((e) => stored.has(e.id)).length;
        t.true(present === 0 || present === batch.length, `a failed batch is not half stored (${present}/5)`);
      }
      // Retrying the failed batches with the same ids is safe: stored ones are no-ops, the rest append.
      for (const { stream, batch } of failed) await store.append(stream, batch, 'any');
      const all: RecordedEvent[] = [];
      for await (const e of store.readAll()) all.push(e);
      t.true(
        all.every((e, i) => e.position === i + 1),
        'positions are contiguous from 1',
      );
      t.is(new Set(all.map((e) => e.id)).size, all.length, 'no event is stored twice');
      t.is(all.length, (acked.length + failed.length) * 5, 'every batch is stored exactly once after the retries');

      // The subscription rode out the outage and delivers everything exactly once.
      const deadline = Date.now() + 15_000;
      while (delivered.length < all.length && Date.now() < deadline) await sleep(50);
      await subscription.stop();
      t.deepEqual(subscriptionErrors, []);
      t.deepEqual(
        delivered.map((e) => e.position),
        all.map((e) => e.position),
      );
    } finally {
      await store.close();
      server.destroy();
    }
  });
} else {
  const message = `PostgreSQL event store fault tests SKIPPED: ${available.why}`;
  process.stderr.write(`${message}\n`);
  test('postgres: fault tests need a PostgreSQL server installation', (t) => {
    t.log(message);
    t.pass();
  });
}
