// The event-store contract, reads: $all order and checkpoints, filters, catch-up subscriptions and the head position.
import { type RecordedEvent } from '../../domain/ports/event-store.ts';
import type { ContractTest } from './event-store-contract-kit.ts';
import { collect, event, events, mine, strictlyIncreasing, waitFor } from './event-store-contract-kit.ts';

export function readContract(it: ContractTest): void {
  it('readAll returns $all in strictly increasing append order and resumes strictly after a checkpoint', async (t, store, ns) => {
    const appended: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (const suffix of ['a', 'b', 'c']) {
        const batch = events(2);
        await store.append(`${ns}-${suffix}`, batch, 'any');
        appended.push(...batch.map((e) => e.id));
      }
    }
    const all = await mine(store, ns);
    t.deepEqual(
      all.map((e) => e.id),
      appended,
    );
    t.true(strictlyIncreasing(all.map((e) => e.position)));
    const checkpoint = all[4]!.position;
    t.deepEqual(
      (await mine(store, ns, checkpoint)).map((e) => e.id),
      appended.slice(5),
    );
    const page = await collect(store.readAll({ after: checkpoint, maxCount: 3, filter: { streamPrefixes: [ns] } }));
    t.deepEqual(
      page.map((e) => e.id),
      appended.slice(5, 8),
    );
    t.deepEqual(await mine(store, ns, all.at(-1)!.position), []);
  });

  it('readAll filters by stream prefixes, by event types, and by both', async (t, store, ns) => {
    await store.append(`${ns}-edit-1`, [event('Submitted'), event('Retracted')], 'no_stream');
    await store.append(`${ns}-edit-2`, [event('Submitted')], 'no_stream');
    await store.append(`${ns}-model-1`, [event('Materialized'), event('Submitted')], 'no_stream');
    const read = async (filter: { streamPrefixes?: string[]; eventTypes?: string[] }): Promise<string[]> =>
      (
        await collect(
          store.readAll({ filter: { streamPrefixes: filter.streamPrefixes ?? [ns], eventTypes: filter.eventTypes } }),
        )
      ).map((e) => `${e.stream.slice(ns.length + 1)}:${e.type}`);
    t.deepEqual(await read({ streamPrefixes: [`${ns}-edit-`] }), [
      'edit-1:Submitted',
      'edit-1:Retracted',
      'edit-2:Submitted',
    ]);
    t.deepEqual(await read({ streamPrefixes: [`${ns}-edit-2`, `${ns}-model-`] }), [
      'edit-2:Submitted',
      'model-1:Materialized',
      'model-1:Submitted',
    ]);
    t.deepEqual(await read({ eventTypes: ['Submitted'] }), [
      'edit-1:Submitted',
      'edit-2:Submitted',
      'model-1:Submitted',
    ]);
    t.deepEqual(await read({ eventTypes: ['Retracted', 'Materialized'] }), [
      'edit-1:Retracted',
      'model-1:Materialized',
    ]);
    t.deepEqual(await read({ streamPrefixes: [`${ns}-edit-`], eventTypes: ['Submitted'] }), [
      'edit-1:Submitted',
      'edit-2:Submitted',
    ]);
    t.deepEqual(await read({ eventTypes: ['Submit'] }), [], 'event types match exactly, not by prefix');
    t.deepEqual(await read({ streamPrefixes: [`${ns}-nothing`] }), []);
  });

  it('subscribeToAll catches up, reports caught-up once, then delivers live events in order until stopped', async (t, store, ns) => {
    const start = await store.headPosition(); // 0 on a fresh store; on a shared server, skip its history
    const existing = events(5);
    await store.append(`${ns}-a`, existing.slice(0, 3), 'no_stream');
    await store.append(`${ns}-b`, existing.slice(3), 'no_stream');
    const delivered: RecordedEvent[] = [];
    const caughtUpAt: number[] = [];
    const subscription = store.subscribeToAll({
      after: start,
      filter: { streamPrefixes: [ns] },
      onEvent: (e) => {
        delivered.push(e);
      },
      onCaughtUp: () => caughtUpAt.push(delivered.length),
      onError: (error) => t.fail(`unexpected subscription error: ${error.message}`),
    });
    await waitFor(t, 'caught up', () => caughtUpAt.length > 0);
    t.deepEqual(caughtUpAt, [5]);
    t.deepEqual(
      delivered.map((e) => e.id),
      existing.map((e) => e.id),
    );

    const live = events(4);
    await store.append(`${ns}-a`, live.slice(0, 2), 2);
    await store.append(`${ns}-c`, live.slice(2), 'no_stream');
    await waitFor(t, 'live events', () => delivered.length >= 9);
    t.deepEqual(
      delivered.map((e) => e.id),
      [...existing, ...live].map((e) => e.id),
    );
    t.true(strictlyIncreasing(delivered.map((e) => e.position)));
    t.deepEqual(caughtUpAt, [5], 'onCaughtUp is called once');

    await subscription.stop();
    await subscription.done;
    await store.append(`${ns}-a`, events(1), 'any');
    await new Promise((resolve) => setTimeout(resolve, 300));
    t.is(delivered.length, 9, 'nothing is delivered after stop()');
  });

  it('a subscription resumes strictly after its checkpoint and applies its filter to live events', async (t, store, ns) => {
    const batch = [event('Submitted'), event('Retracted'), event('Submitted'), event('Submitted')];
    await store.append(`${ns}-a`, batch, 'no_stream');
    const stored = await store.readStream(`${ns}-a`);
    const delivered: RecordedEvent[] = [];
    let caughtUp = false;
    const subscription = store.subscribeToAll({
      after: stored[1]!.position,
      filter: { streamPrefixes: [ns], eventTypes: ['Submitted'] },
      onEvent: (e) => {
        delivered.push(e);
      },
      onCaughtUp: () => {
        caughtUp = true;
      },
    });
    try {
      await waitFor(t, 'caught up', () => caughtUp);
      t.deepEqual(
        delivered.map((e) => e.id),
        [batch[2]!.id, batch[3]!.id],
      );
      const more = [event('Retracted'), event('Submitted')];
      await store.append(`${ns}-b`, more, 'no_stream');
      await store.append(`other-${ns}`, [event('Submitted')], 'no_stream'); // outside the prefix
      await waitFor(t, 'the live Submitted event', () => delivered.length >= 3);
      await new Promise((resolve) => setTimeout(resolve, 200));
      t.deepEqual(
        delivered.map((e) => e.id),
        [batch[2]!.id, batch[3]!.id, more[1]!.id],
      );
    } finally {
      await subscription.stop();
    }
  });

  it('a rejected onEvent stops the subscription and reports that error', async (t, store, ns) => {
    const start = await store.headPosition();
    await store.append(`${ns}-a`, events(3), 'no_stream');
    const seen: number[] = [];
    const errors: Error[] = [];
    const failure = new Error('projection failed');
    const subscription = store.subscribeToAll({
      after: start,
      filter: { streamPrefixes: [ns] },
      onEvent: async (e) => {
        seen.push(e.revision);
        if (e.revision === 1) throw failure;
      },
      onError: (error) => errors.push(error),
    });
    await subscription.done;
    t.deepEqual(seen, [0, 1]);
    t.deepEqual(errors, [failure]);
  });

  it('stop() from inside onEvent ends the subscription without waiting on itself', async (t, store, ns) => {
    const start = await store.headPosition();
    await store.append(`${ns}-a`, events(5), 'no_stream');
    const seen: number[] = [];
    const subscription = store.subscribeToAll({
      after: start,
      filter: { streamPrefixes: [ns] },
      onEvent: async (e) => {
        seen.push(e.revision);
        if (e.revision === 2) await subscription.stop();
      },
    });
    await subscription.done;
    t.deepEqual(seen, [0, 1, 2]);
  });

  it('headPosition is at or after the newest append, and nothing of ours lies beyond it', async (t, store, ns) => {
    const first = await store.append(`${ns}-a`, events(3), 'no_stream');
    const head = await store.headPosition();
    t.true(head >= first.position);
    t.deepEqual(await mine(store, ns, head), []);
    const second = await store.append(`${ns}-a`, events(1), 2);
    t.true((await store.headPosition()) >= second.position);
    t.true(second.position > first.position);
  });
}
