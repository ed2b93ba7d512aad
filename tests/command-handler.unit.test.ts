// The one command handler: decide on the fresh stream, append with its revision, decide again after a lost race.
import test from 'ava';
import { handleCommand } from '../domain/command-handler.ts';
import type { StreamTarget } from '../domain/command-handler.ts';
import type { Decided, StampedEvent } from '../domain/decided-event.ts';
import type { CommandMetadata } from '../domain/commands.ts';
import type { EventMetadata } from '../domain/events.ts';
import { toNewEvent } from '../domain/events.ts';
import { InvalidFieldError } from '../domain/errors.ts';
import { EDITLEDGER_NAMESPACE, eventIdFor, uuidV5 } from '../domain/ids.ts';
import type { EventStore, RecordedEvent } from '../domain/ports/event-store.ts';
import { EventIdConflictError, WrongExpectedRevisionError } from '../domain/ports/event-store.ts';
import { commandMetadata } from './helpers/edit-fixtures.ts';
import { MemoryEventStore } from './helpers/memory-event-store.ts';

/** A counter stream: `Add` appends an event numbered after the last one, unless the counter reached `limit`. */
interface Counted extends StampedEvent {
  readonly type: 'Counted';
  readonly data: { readonly n: number };
}
const target: StreamTarget<number, Counted> = {
  stream: 'counter-1',
  evolve: (_state, event) => event.data.n,
  initialState: () => 0,
  parse: (r: RecordedEvent) => ({
    id: r.id,
    type: 'Counted',
    data: r.data as { n: number },
    metadata: r.metadata as unknown as EventMetadata,
  }),
  toNew: toNewEvent,
};
/** Counted happens once per number: the handler derives its id from (type, n). */
const decider = {
  decide: (command: { limit: number; metadata: CommandMetadata }, state: number): Decided<Counted>[] =>
    state >= command.limit
      ? []
      : [{ type: 'Counted', data: { n: state + 1 }, identity: { oncePer: String(state + 1) } }],
};
const add = (limit: number) => () => ({ limit, metadata: commandMetadata() });
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
  const handled = await handleCommand(store, target, decider, add(10), { policy: fast });
  t.is(attempts(), 3);
  t.is(handled.events[0]?.data.n, 3, 'decided after the two racing events');
  t.deepEqual(
    (await store.readStream(target.stream)).map((e) => (e.data as { n: number }).n),
    [1, 2, 3],
  );
});

test('a decision to do nothing appends nothing and reports the stream it was made on', async (t) => {
  const store = new MemoryEventStore();
  await handleCommand(store, target, decider, add(1), { policy: fast });
  const again = await handleCommand(store, target, decider, add(1), { policy: fast });
  t.deepEqual(again.events, []);
  t.is(again.position, undefined);
  t.is(again.before.state, 1);
  t.is((await store.readStream(target.stream)).length, 1);
});

test('when every attempt loses the race, the WrongExpectedRevisionError surfaces after maxAttempts', async (t) => {
  const { store, attempts } = racingStore(100);
  await t.throwsAsync(handleCommand(store, target, decider, add(1000), { policy: { ...fast, maxAttempts: 4 } }), {
    instanceOf: WrongExpectedRevisionError,
  });
  t.is(attempts(), 4);
});

test('an event id that clashes twice is a real conflict, reported through mapIdConflict', async (t) => {
  const store = new MemoryEventStore();
  const id = eventIdFor('Counted', '1');
  await store.append('elsewhere', [{ id, type: 'Counted', data: { n: 99 }, metadata: {} }], 'any');
  let decisions = 0;
  const counting = {
    decide: (command: { limit: number; metadata: CommandMetadata }, state: number) => {
      decisions += 1;
      return decider.decide(command, state);
    },
  };
  const error = await t.throwsAsync(
    handleCommand(store, target, counting, add(1), {
      policy: fast,
      mapIdConflict: (e) => new Error(`mapped ${e.eventId}`),
    }),
  );
  t.is(error?.message, `mapped ${id}`);
  t.is(decisions, 2, 'decided once more after the first clash');
  t.true(error instanceof Error && !(error instanceof EventIdConflictError));
});

test('the handler stamps each decided event: id by its identity, metadata from the command', async (t) => {
  const store = new MemoryEventStore();
  const metadata = commandMetadata({ actor: 'bob', channel: 'cli' });
  const recurring = {
    decide: (_command: { metadata: CommandMetadata }, state: number): Decided<Counted>[] => [
      { type: 'Counted', data: { n: state + 1 }, identity: { oncePer: 'first' } },
      { type: 'Counted', data: { n: state + 2 }, identity: 'per-command' },
    ],
  };
  const handled = await handleCommand(store, target, recurring, () => ({ metadata }), { policy: fast });
  t.deepEqual(
    handled.events.map((e) => e.id),
    [
      eventIdFor('Counted', 'first'),
      uuidV5(JSON.stringify(['command-event', 'Counted', metadata.commandId]), EDITLEDGER_NAMESPACE),
    ],
  );
  const expected = {
    actor: 'bob',
    channel: 'cli',
    correlationId: metadata.correlationId,
    causationId: metadata.commandId,
    recordedAt: metadata.now,
  };
  for (const event of await store.readStream(target.stream)) t.deepEqual(event.metadata, expected);
});

test('a command with bad metadata is refused before it is decided, naming the field', async (t) => {
  const store = new MemoryEventStore();
  const error = await t.throwsAsync(
    handleCommand(store, target, decider, () => ({ limit: 0, metadata: commandMetadata({ actor: '' }) }), {
      policy: fast,
    }),
    { instanceOf: InvalidFieldError },
  );
  t.is(error?.field, 'metadata.actor');
  t.deepEqual(await store.readStream(target.stream), []);
});
