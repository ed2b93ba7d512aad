// The event-store contract, appends: revisions, expected-revision checks, per-event idempotency, all-or-nothing
// batches and the input an adapter must refuse (domain/ports/event-store.ts states the rules).
import {
  EventIdConflictError,
  WrongExpectedRevisionError,
  type ExpectedRevision,
  type JsonValue,
  type NewEvent,
} from '../../domain/ports/event-store.ts';
import { InvalidEventError } from '../../infra/eventstore/errors.ts';
import type { ContractTest } from './event-store-contract-kit.ts';
import { collect, event, events, mine, revisionsOf, strictlyIncreasing } from './event-store-contract-kit.ts';

export function appendContract(it: ContractTest): void {
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
    t.deepEqual(await revisionsOf(store, stream), [0, 1, 2, 3]);
  });

  it('readStream honours fromRevision and maxCount; a missing stream reads as empty', async (t, store, ns) => {
    const stream = `${ns}-a`;
    await store.append(stream, events(5), 'no_stream');
    t.deepEqual(await revisionsOf(store, stream, { fromRevision: 2 }), [2, 3, 4]);
    t.deepEqual(await revisionsOf(store, stream, { fromRevision: 1, maxCount: 2 }), [1, 2]);
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
    t.deepEqual(await revisionsOf(store, stream), [0, 1, 2, 3]);
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
}
