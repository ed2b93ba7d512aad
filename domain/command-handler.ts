// The one command handler (Emmett's `handleCommand` shape): read a stream, fold it, decide, append with the
// stream's expected revision, and when another writer won the race, read again and decide again. Every decider
// of the ledger (edits per fact stream, the model lifecycle) goes through it, so there is one retry policy:
// - WrongExpectedRevisionError: someone appended to the stream between our read and our append. Decide again on
//   the fresh stream (the decider then sees their events: a supersession, a redelivery, the same version) after
//   a short random back-off, so two writers do not collide again in lockstep; at most `maxAttempts` times.
// - EventIdConflictError: an event with one of our deterministic ids is already stored. Once, that is a racing
//   writer that stored the same decision (deciding again finds it); a second time, the id lives outside this
//   stream: a real conflict, reported through `mapIdConflict`.
// A retried command appends nothing new, because event ids are deterministic (domain/ids.ts).
// Deciders return event data only (domain/decided-event.ts); `decideCommand` here adds every event's id and the
// command's metadata, the one place that does.
// Pure orchestration over the EventStore port: no I/O of its own.
import type { Decided, StampedEvent } from './decided-event.ts';
import { eventMetadataOf, stampEvents } from './decided-event.ts';
import { InvalidFieldError } from './errors.ts';
import type { EventStore, ExpectedRevision, NewEvent, RecordedEvent } from './ports/event-store.ts';
import { EventIdConflictError, WrongExpectedRevisionError } from './ports/event-store.ts';

/** `decide` says what happens (type and data of each event); `evolve` folds the stored events into state. */
// Function properties, not methods: deciders are plain objects of pure functions, passed around unbound.
export interface Decider<State, Command, Event extends StampedEvent> {
  readonly decide: (command: Command, state: State) => Decided<Event>[];
  readonly evolve: (state: State, event: Event) => State;
  readonly initialState: () => State;
}

/** A decide function per command type: each gets exactly the command of its type. */
export type DecideByType<State, Command extends { readonly type: string }, Event extends StampedEvent> = {
  readonly [Type in Command['type']]: (
    command: Extract<Command, { readonly type: Type }>,
    state: State,
  ) => Decided<Event>[];
};

/** One `decide` from a decide function per command type; a type outside the table is an InvalidFieldError. */
export function decideByType<State, Command extends { readonly type: string }, Event extends StampedEvent>(
  table: DecideByType<State, Command, Event>,
): (command: Command, state: State) => Decided<Event>[] {
  return (command, state) => {
    const type: string = command.type;
    if (!Object.hasOwn(table, type)) throw new InvalidFieldError('type', `unknown command type "${type}"`);
    // The table's entry for command.type takes exactly this command; TypeScript cannot correlate the two.
    const decide = table[type as Command['type']] as (command: Command, state: State) => Decided<Event>[];
    return decide(command, state);
  };
}

/** Every command carries the metadata its events record (who, which channel, its id, the decision time). */
export interface CommandEnvelope {
  readonly metadata: unknown;
}

/**
 * The events `command` produces on `state`, with ids and metadata. A command with bad metadata is refused before
 * it is decided (InvalidFieldError on `metadata.*`), whatever the decision would have been.
 */
export function decideCommand<State, Command extends CommandEnvelope, Event extends StampedEvent>(
  decider: Decider<State, Command, Event>,
  command: Command,
  state: State,
): Event[] {
  return stamped(decider, command, state);
}

// `decideCommand` with only the decide function (the handler's callers pass no more); the full decider above is
// what lets callers' Event type be inferred.
function stamped<State, Command extends CommandEnvelope, Event extends StampedEvent>(
  decider: Pick<Decider<State, Command, Event>, 'decide'>,
  command: Command,
  state: State,
): Event[] {
  const metadata = eventMetadataOf(command.metadata);
  return stampEvents(decider.decide(command, state), metadata);
}

/** A stream as read: its events with where the store put them, the folded state and the revision to expect. */
export interface LoadedStream<State, Event> {
  readonly events: ReadonlyArray<{ readonly event: Event; readonly recorded: RecordedEvent }>;
  readonly state: State;
  readonly expected: ExpectedRevision;
}

/** How to read and write one stream of one decider. */
export interface StreamTarget<State, Event> {
  readonly stream: string;
  readonly evolve: (state: State, event: Event) => State;
  readonly initialState: () => State;
  /** Untrusted stored event -> typed event (throws naming the field). */
  readonly parse: (recorded: RecordedEvent) => Event;
  /** Typed event -> what the store appends. */
  readonly toNew: (event: Event) => NewEvent;
}

export interface RetryPolicy {
  /** Attempts in all when other writers keep winning the race. */
  readonly maxAttempts: number;
  /** Back-off before attempt `attempt` (1-based retry number), in ms. */
  readonly backoffMs: (attempt: number) => number;
}

export const RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  backoffMs: (attempt) => Math.random() * 5 * attempt,
};

export interface Decision<Event, Result> {
  readonly events: readonly Event[];
  readonly result: Result;
}

export interface HandleOptions<Event> {
  readonly policy?: RetryPolicy;
  /** The error to report when an event id clashes a second time (default: the store's EventIdConflictError). */
  readonly mapIdConflict?: (error: EventIdConflictError, events: readonly Event[]) => Error;
}

export interface Handled<State, Event, Result> {
  readonly result: Result;
  /** The events appended (empty when the decision was to do nothing). */
  readonly events: readonly Event[];
  /** Global position of the last appended event; undefined when nothing was appended. */
  readonly position: number | undefined;
  /** The stream the decision was made on. */
  readonly before: LoadedStream<State, Event>;
}

export async function loadStream<State, Event>(
  store: EventStore,
  target: StreamTarget<State, Event>,
): Promise<LoadedStream<State, Event>> {
  const recorded = await store.readStream(target.stream);
  const events = recorded.map((r) => ({ event: target.parse(r), recorded: r }));
  const state = events.reduce((s, { event }) => target.evolve(s, event), target.initialState());
  const last = recorded.at(-1);
  return { events, state, expected: last === undefined ? 'no_stream' : last.revision };
}

/**
 * Run `decide` against the freshly read stream and append what it returns; on a lost race, read and decide
 * again. `decide` is called once per attempt, so command ids and timestamps it creates stay fresh.
 */
export async function handleDecision<State, Event, Result>(
  store: EventStore,
  target: StreamTarget<State, Event>,
  decide: (stream: LoadedStream<State, Event>) => Decision<Event, Result>,
  options: HandleOptions<Event> = {},
): Promise<Handled<State, Event, Result>> {
  const policy = options.policy ?? RETRY_POLICY;
  let lastConflict: WrongExpectedRevisionError | undefined;
  let idConflicts = 0;
  for (let attempt = 0; attempt < policy.maxAttempts; attempt++) {
    if (attempt > 0 && lastConflict !== undefined) await sleep(policy.backoffMs(attempt));
    const before = await loadStream(store, target);
    const { events, result } = decide(before);
    if (events.length === 0) return { result, events, position: undefined, before };
    try {
      const appended = await store.append(target.stream, events.map(target.toNew), before.expected);
      return { result, events, position: appended.position, before };
    } catch (error) {
      if (error instanceof EventIdConflictError) {
        if (++idConflicts > 1) throw options.mapIdConflict?.(error, events) ?? error;
        lastConflict = undefined;
        continue;
      }
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      lastConflict = error;
    }
  }
  throw lastConflict ?? new Error(`stream "${target.stream}": no attempt was made (maxAttempts ${policy.maxAttempts})`);
}

/** `handleDecision` for one command: `command(state)` is rebuilt per attempt and decided by `decider`. */
export async function handleCommand<State, Command extends CommandEnvelope, Event extends StampedEvent>(
  store: EventStore,
  target: StreamTarget<State, Event>,
  decider: Pick<Decider<State, Command, Event>, 'decide'>,
  command: (state: State) => Command,
  options: HandleOptions<Event> = {},
): Promise<Handled<State, Event, undefined>> {
  return handleDecision(
    store,
    target,
    ({ state }) => ({ events: stamped(decider, command(state), state), result: undefined }),
    options,
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
