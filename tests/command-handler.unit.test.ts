// The one command handler: decide on the fresh stream, append with its revision, decide again after a lost race.
import test from 'ava';
import { handleCommand, handleDecision } from '../domain/command-handler.ts';
import type { StreamTarget } from '../domain/command-handler.ts';
import type { EventStore, NewEvent, RecordedEvent } from '../domain/ports/event-store.ts';
import { EventIdConflictError, WrongExpectedRevisionError } from '../domain/ports/event-store.ts';
import { MemoryEventStore } from './helpers/memory-event-store.ts';

/** A counter stream: `Add` appends an event numbered after the last one, unless the counter reached `limit`. */
interface Counted extends NewEvent {
  readonly data: { readonly n: number };
}
const target: StreamTarget<number, Counted> = {
  stream: 'counter-1',
  evolve: (_state, event) => event.data.n,
  initialState: () => 0,
  parse: (r: RecordedEvent) => ({ id: r.id, type: r.type, data: r.data as { n: number }, metadata: r.metadata }),
  toNew: (e) => e,
};
const decider = {
  decide: (command: { limit: number }, state: number): Counted[] =>
    state >= command.limit
      ? []
      : [
          {
            id: `00000000-0000-4000-8000-${String(state + 1).padStart(12, '0')}`,
            type: 'Counted',
            data: { n: state + 1 },
            metadata: {},
          },
        ],
};
const fast = { maxAttempts: 8, backoffMs: () => 0 };

/** A store where another writer appends to the stream right before each of our first `races` appends. */
function racingStore(races: number): { store: EventStore; attempts: () => number } {
  const inner = new MemoryEventStore();
  let attempts = 0;
  const store: EventStore = Object.create(inner) as EventStore;
  store.append = async (stream, events, expected) => {
    attempts += 1;
    if (attempts <= races) {
      const last = (await inner.readStream(stream)).at(-1);
      const n = last === undefined ? 1 : (last.data as { n: number }).n + 1;
      await inner.append(
        stream,
        [
          {
            id: `10000000-0000-4000-8000-${String(attempts).padStart(12, '0')}`,
            type: 'Counted',
            data: { n },
            metadata: {},
          },
        ],
        'any',
      );
    }
    return inner.append(stream, events, expected);
  };
  return { store, attempts: () => attempts };
}

test('a lost race is decided again on the fresh stream: the other writer is seen, nothing is lost or doubled', async (t) => {
  const { store, attempts } = racingStore(2);
  const handled = await handleCommand(store, target, decider, () => ({ limit: 10 }), { policy: fast });
  t.is(attempts(), 3);
  t.is(handled.events[0]?.data.n, 3, 'decided after the two racing events');
  t.deepEqual(
    (await store.readStream(target.stream)).map((e) => (e.data as { n: number }).n),
    [1, 2, 3],
  );
});

test('a decision to do nothing appends nothing and reports the stream it was made on', async (t) => {
  const store = new MemoryEventStore();
  await handleCommand(store, target, decider, () => ({ limit: 1 }), { policy: fast });
  const again = await handleCommand(store, target, decider, () => ({ limit: 1 }), { policy: fast });
  t.deepEqual(again.events, []);
  t.is(again.position, undefined);
  t.is(again.before.state, 1);
  t.is((await store.readStream(target.stream)).length, 1);
});

test('when every attempt loses the race, the WrongExpectedRevisionError surfaces after maxAttempts', async (t) => {
  const { store, attempts } = racingStore(100);
  await t.throwsAsync(
    handleCommand(store, target, decider, () => ({ limit: 1000 }), { policy: { ...fast, maxAttempts: 4 } }),
    {
      instanceOf: WrongExpectedRevisionError,
    },
  );
  t.is(attempts(), 4);
});

test('an event id that clashes twice is a real conflict, reported through mapIdConflict', async (t) => {
  const store = new MemoryEventStore();
  const id = '20000000-0000-4000-8000-000000000001';
  await store.append('elsewhere', [{ id, type: 'Counted', data: { n: 99 }, metadata: {} }], 'any');
  let decisions = 0;
  const error = await t.throwsAsync(
    handleDecision(
      store,
      target,
      () => {
        decisions += 1;
        return { events: [{ id, type: 'Counted', data: { n: 1 }, metadata: {} }], result: undefined };
      },
      { policy: fast, mapIdConflict: (e) => new Error(`mapped ${e.eventId}`) },
    ),
  );
  t.is(error?.message, `mapped ${id}`);
  t.is(decisions, 2, 'decided once more after the first clash');
  t.true(error instanceof Error && !(error instanceof EventIdConflictError));
});
