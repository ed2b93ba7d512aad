// The ONE contract every EventStore adapter must pass (domain/ports/event-store.ts states the rules).
// Each test uses its own stream-name prefix and filters $all by it, so the suite can run against a
// shared, long-lived server with other writers, and its tests can run concurrently.

import { randomUUID } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import {
  EventIdConflictError,
  WrongExpectedRevisionError,
  type EventStore,
  type ExpectedRevision,
  type JsonValue,
  type NewEvent,
  type RecordedEvent,
} from '../../domain/ports/event-store.ts';
import { InvalidEventError } from '../../infra/eventstore/errors.ts';

type Body = (t: ExecutionContext, store: EventStore, ns: string) => Promise<void>;

function event(
  type = 'Noted',
  data: JsonValue = { n: Math.random() },
  metadata: { [key: string]: JsonValue } = { actor: 'contract' },
): NewEvent {
  return { id: randomUUID(), type, data, metadata };
}

function events(count: number, type = 'Noted'): NewEvent[] {
  return Array.from({ length: count }, (_, i) => event(type, { i, text: `event ${i}` }));
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Everything this test wrote, in $all order. */
function mine(store: EventStore, ns: string, after?: number): Promise<RecordedEvent[]> {
  return collect(store.readAll({ after, filter: { streamPrefixes: [ns] } }));
}

async function waitFor(t: ExecutionContext, what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) t.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    if (Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function strictlyIncreasing(values: readonly number[]): boolean {
  return values.every((v, i) => i === 0 || v > (values[i - 1] as number));
}

export function registerEventStoreContract(name: string, make: () => Promise<EventStore>): void {
  const it = (title: string, body: Body): void => {
    test(`${name}: ${title}`, async (t) => {
      const store = await make();
      try {
        await body(t, store, `contract-${randomUUID().slice(0, 8)}`);
      } finally {
        await store.close();
      }
    });
  };

  it('appends a new stream at revisions 0..n-1 and reads back every field', async (t, store, ns) => {
    const stream = `${ns}-a`;
    const batch = [
      event(
        'Submitted',
        { prompt: 'The CEO of X is', target: 'Y', nested: { list: [1, 2.5, true, null, 'ü€😀'] } },
        { actor: 'alice', correlationId: 'c-1' },
      ),
      ...events(2),
    ];
    const first = await store.append(stream, batch, 'no_stream');
    t.is(first.nextExpectedRevision, 2);
    const read = await store.readStream(stream);
    t.deepEqual(
      read.map((e) => e.revision),
      [0, 1, 2],
    );
    t.deepEqual(
      read.map((e) => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata, stream: e.stream })),
      batch.map((e) => ({ ...e, stream })),
    );
    t.true(strictlyIncreasing(read.map((e) => e.position)));
    t.true(read.every((e) => e.position > 0));
    t.is(read.at(-1)?.position, first.position);
    for (const e of read) t.is(new Date(e.storedAt).toISOString(), e.storedAt, 'storedAt is ISO-8601');

    const second = await store.append(stream, [event()], 2);
    t.is(second.nextExpectedRevision, 3);
    t.true(second.position > first.position);
    t.deepEqual(
      (await store.readStream(stream)).map((e) => e.revision),
      [0, 1, 2, 3],
    );
  });

  it('readStream honours fromRevision and maxCount; a missing stream reads as empty', async (t, store, ns) => {
    const stream = `${ns}-a`;
    await store.append(stream, events(5), 'no_stream');
    t.deepEqual(
      (await store.readStream(stream, { fromRevision: 2 })).map((e) => e.revision),
      [2, 3, 4],
    );
    t.deepEqual(
      (await store.readStream(stream, { fromRevision: 1, maxCount: 2 })).map((e) => e.revision),
      [1, 2],
    );
    t.deepEqual(await store.readStream(stream, { fromRevision: 9 }), []);
    t.deepEqual(await store.readStream(`${ns}-missing`), []);
  });

  it('a wrong expected revision is a WrongExpectedRevisionError naming stream, expected and actual, and writes nothing', async (t, store, ns) => {
    const existing = `${ns}-existing`;
    const missing = `${ns}-missing`;
    await store.append(existing, events(2), 'no_stream'); // now at revision 1
    const cases: Array<[string, ExpectedRevision, number | 'no_stream']> = [
      [existing, 0, 1],
      [existing, 5, 1],
      [existing, 'no_stream', 1],
      [missing, 0, 'no_stream'],
      [missing, 'stream_exists', 'no_stream'],
    ];
    for (const [stream, expected, actual] of cases) {
      const error = await t.throwsAsync(store.append(stream, events(2), expected), {
        instanceOf: WrongExpectedRevisionError,
      });
      t.is(error?.stream, stream);
      t.is(error?.expected, expected);
      t.is(error?.actual, actual, `${stream} expected ${String(expected)}`);
    }
    t.is((await store.readStream(existing)).length, 2);
    t.deepEqual(await store.readStream(missing), []);
    t.is((await mine(store, ns)).length, 2);
  });

  it("'any' appends whether or not the stream exists; 'stream_exists' appends to an existing stream", async (t, store, ns) => {
    const stream = `${ns}-a`;
    t.is((await store.append(stream, events(1), 'any')).nextExpectedRevision, 0);
    t.is((await store.append(stream, events(1), 'any')).nextExpectedRevision, 1);
    t.is((await store.append(stream, events(2), 'stream_exists')).nextExpectedRevision, 3);
    t.deepEqual(
      (await store.readStream(stream)).map((e) => e.revision),
      [0, 1, 2, 3],
    );
  });

  it('two concurrent appends with the same expected revision: exactly one wins, the other writes nothing', async (t, store, ns) => {
    const stream = `${ns}-race`;
    await store.append(stream, events(1), 'no_stream');
    const a = events(3, 'FromA');
    const b = events(3, 'FromB');
    const results = await Promise.allSettled([store.append(stream, a, 0), store.append(stream, b, 0)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    t.is(won.length, 1);
    t.is(lost.length, 1);
    t.true(lost[0]?.reason instanceof WrongExpectedRevisionError);
    const types = (await store.readStream(stream)).map((e) => e.type);
    t.is(types.length, 4);
    t.true(
      types.slice(1).every((type) => type === types[1]),
      'only the winner’s events are stored',
    );
  });

  it('redelivering the same ids appends nothing and returns the stored position, whatever the expected revision', async (t, store, ns) => {
    const stream = `${ns}-a`;
    const batch = [event('Submitted', { a: 1, b: { c: 2, d: [3] } }), event('Submitted', { x: 'y' })];
    const first = await store.append(stream, batch, 'no_stream');
    await store.append(stream, events(1), 1); // the stream moves on; the redelivery below is stale
    const before = await mine(store, ns);
    for (const expected of ['no_stream', 0, 'any', 'stream_exists'] as const) {
      const again = await store.append(stream, batch, expected);
      t.is(again.position, first.position, `expected ${String(expected)}`);
      t.is(again.nextExpectedRevision, 2);
    }
    // Same JSON value with a different key order is the same content.
    const reordered: NewEvent = { ...batch[0]!, data: { b: { d: [3], c: 2 }, a: 1 } };
    t.is((await store.append(stream, [reordered], 'any')).nextExpectedRevision, 2);
    t.deepEqual(await mine(store, ns), before);
  });

  it('a batch that is partly stored appends only its new events', async (t, store, ns) => {
    const stream = `${ns}-a`;
    const [a, b, c] = events(3);
    await store.append(stream, [a!, b!], 'no_stream');
    const result = await store.append(stream, [a!, b!, c!], 1);
    t.is(result.nextExpectedRevision, 2);
    const read = await store.readStream(stream);
    t.deepEqual(
      read.map((e) => e.id),
      [a!.id, b!.id, c!.id],
    );
    t.is(result.position, read[2]!.position);
  });

  it('the same id with other content is an EventIdConflictError and nothing of the batch is written', async (t, store, ns) => {
    const stream = `${ns}-a`;
    const original = event('Submitted', { target: 'Y' }, { actor: 'alice' });
    await store.append(stream, [original], 'no_stream');
    const variants: NewEvent[] = [
      { ...original, data: { target: 'Z' } },
      { ...original, type: 'Retracted' },
      { ...original, metadata: { actor: 'bob' } },
    ];
    for (const variant of variants) {
      const fresh = event();
      const error = await t.throwsAsync(store.append(stream, [fresh, variant], 'any'), {
        instanceOf: EventIdConflictError,
      });
      t.is(error?.eventId, original.id);
    }
    t.deepEqual(
      (await store.readStream(stream)).map((e) => e.id),
      [original.id],
    );
  });

  it('a batch is all-or-nothing: one bad event rejects the whole batch', async (t, store, ns) => {
    const stream = `${ns}-a`;
    const batch: NewEvent[] = [...events(2), { ...event(), data: { score: Number.NaN } }];
    const error = await t.throwsAsync(store.append(stream, batch, 'no_stream'), { instanceOf: InvalidEventError });
    t.is(error?.field, 'events[2].data.score');
    t.deepEqual(await store.readStream(stream), []);
  });

  it('input that cannot be stored faithfully is rejected with an error naming the field, and nothing is written', async (t, store, ns) => {
    const stream = `${ns}-a`;
    const cyclic: { [key: string]: unknown } = { name: 'loop' };
    cyclic.self = cyclic;
    const good = event();
    const cases: Array<[string, () => Promise<unknown>, string]> = [
      [
        'function',
        () => store.append(stream, [{ ...good, data: { f: (() => 1) as unknown as JsonValue } }], 'any'),
        'events[0].data.f',
      ],
      [
        'undefined data',
        () => store.append(stream, [{ ...good, data: undefined as unknown as JsonValue }], 'any'),
        'events[0].data',
      ],
      [
        'undefined in an array',
        () => store.append(stream, [{ ...good, data: [1, undefined] as unknown as JsonValue }], 'any'),
        'events[0].data[1]',
      ],
      [
        'bigint',
        () => store.append(stream, [{ ...good, data: { n: 10n as unknown as JsonValue } }], 'any'),
        'events[0].data.n',
      ],
      [
        'Infinity',
        () => store.append(stream, [{ ...good, data: [Number.POSITIVE_INFINITY] }], 'any'),
        'events[0].data[0]',
      ],
      [
        'Date',
        () => store.append(stream, [{ ...good, data: { at: new Date() as unknown as JsonValue } }], 'any'),
        'events[0].data.at',
      ],
      [
        'Map',
        () => store.append(stream, [{ ...good, data: new Map() as unknown as JsonValue }], 'any'),
        'events[0].data',
      ],
      [
        'Uint8Array (raw bytes)',
        () => store.append(stream, [{ ...good, data: new Uint8Array([0xff, 0xfe]) as unknown as JsonValue }], 'any'),
        'events[0].data',
      ],
      ['cycle', () => store.append(stream, [{ ...good, data: cyclic as JsonValue }], 'any'), 'events[0].data.self'],
      [
        'lone high surrogate',
        () => store.append(stream, [{ ...good, data: { text: 'ab\uD800c' } }], 'any'),
        'events[0].data.text',
      ],
      [
        'lone low surrogate in a key',
        () => store.append(stream, [{ ...good, data: { ['k\uDC00']: 1 } }], 'any'),
        'events[0].data (key "k\\udc00")',
      ],
      [
        'lone surrogate in metadata',
        () => store.append(stream, [{ ...good, metadata: { actor: '\uDFFF' } }], 'any'),
        'events[0].metadata.actor',
      ],
      [
        'metadata not an object',
        () => store.append(stream, [{ ...good, metadata: ['x'] as unknown as { [key: string]: JsonValue } }], 'any'),
        'events[0].metadata',
      ],
      ['id not a UUID', () => store.append(stream, [{ ...good, id: 'edit-1' }], 'any'), 'events[0].id'],
      ['empty type', () => store.append(stream, [{ ...good, type: '' }], 'any'), 'events[0].type'],
      ['system type', () => store.append(stream, [{ ...good, type: '$metadata' }], 'any'), 'events[0].type'],
      ['system stream', () => store.append(`$${stream}`, [good], 'any'), 'stream'],
      ['empty stream', () => store.append('', [good], 'any'), 'stream'],
      ['lone surrogate in stream', () => store.append(`${stream}\uD800`, [good], 'any'), 'stream'],
      ['no events', () => store.append(stream, [], 'any'), 'events'],
      [
        'same id twice in a batch',
        () => store.append(stream, [good, { ...event(), id: good.id }], 'any'),
        'events[1].id',
      ],
      ['negative expected revision', () => store.append(stream, [good], -1), 'expectedRevision'],
      ['fractional expected revision', () => store.append(stream, [good], 1.5), 'expectedRevision'],
      [
        'unknown expected revision',
        () => store.append(stream, [good], 'latest' as ExpectedRevision),
        'expectedRevision',
      ],
      [
        'event larger than 1 MiB',
        () => store.append(stream, [{ ...good, data: { text: 'x'.repeat(1_048_577) } }], 'any'),
        'events[0]',
      ],
      ['negative fromRevision', () => store.readStream(stream, { fromRevision: -1 }), 'fromRevision'],
      ['negative after', () => collect(store.readAll({ after: -5 })), 'after'],
      [
        'filter that is not a list',
        () => collect(store.readAll({ filter: { eventTypes: 'Noted' as unknown as string[] } })),
        'filter.eventTypes',
      ],
    ];
    for (const [label, run, field] of cases) {
      const error = await t.throwsAsync(run(), { instanceOf: InvalidEventError }, label);
      t.is(error?.field, field, label);
    }
    t.deepEqual(await mine(store, ns), []);
    // Undefined-valued properties are dropped, as JSON.stringify does: the absent optional field.
    await store.append(
      stream,
      [{ ...good, data: { kept: 1, dropped: undefined } as unknown as JsonValue }],
      'no_stream',
    );
    t.deepEqual((await store.readStream(stream))[0]?.data, { kept: 1 });
    // Just under the limit is fine: 1 MiB minus the JSON quotes, braces and key.
    await store.append(stream, [{ ...event(), data: { t: 'é'.repeat(500_000) } }], 0);
    t.is(((await store.readStream(stream))[1]?.data as { t: string }).t.length, 500_000);
  });

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
