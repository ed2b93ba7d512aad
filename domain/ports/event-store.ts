// The event-store port: the only way the core talks to a store of events.
// Adapters (infra/eventstore/*) implement it; one contract test suite checks every adapter.
//
// Semantics every adapter must honour:
// - Streams hold events at 0-based revisions (as EventStoreDB). A new stream's first event is revision 0.
// - Every event has a UUID `id`. Appending an id that is already stored with the SAME type/data/metadata
//   is a no-op that returns the stored position (idempotent redelivery); the same id with different
//   content is an `EventIdConflictError`. A batch is all-or-nothing.
// - `$all` positions are positive, strictly increasing, and a reader never sees a hole that fills later.
//   A cursor is "the last position I processed"; reads and subscriptions resume strictly AFTER it.
//   Positions are contiguous on SQLite; on EventStoreDB they are log offsets (increasing, with gaps), so a
//   cursor is only meaningful for the store it came from.
// - Idempotency is per event: in a partly stored batch the stored events are skipped and the rest appended
//   (subject to the expected-revision check); a batch that is entirely stored returns its stored position
//   whatever the expected revision. `AppendResult.position` is the highest position among the batch's events.
// - Calling `stop()` from inside `onEvent` resolves at once and nothing more is delivered.
import { defineError } from '../errors.ts';

export type ExpectedRevision =
  | number // the stream's current last revision must be exactly this
  | 'any'
  | 'no_stream' // the stream must not exist
  | 'stream_exists';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface NewEvent {
  readonly id: string; // UUID
  readonly type: string;
  readonly data: JsonValue;
  readonly metadata: { readonly [key: string]: JsonValue };
}

export interface RecordedEvent extends NewEvent {
  readonly stream: string;
  readonly revision: number; // 0-based within the stream
  readonly position: number; // global, strictly increasing across $all
  /** The store's commit time, ISO-8601, set by the store (metadata.recordedAt is the application's decision time). */
  readonly storedAt: string;
  /**
   * The event's link in the ledger's hash chain (domain/chain.ts), computed by the store inside the append. Absent
   * from stores or rows without one (a store opened read-only before its chain was built, a chain-less bench store).
   */
  readonly chainHash?: string;
}

/** A stored event as the hash chain (domain/chain.ts) covers it: its data and metadata JSON exactly as stored. */
export interface ChainEntry {
  readonly position: number;
  readonly stream: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly dataJson: string;
  readonly metadataJson: string;
  readonly chainHash?: string;
}

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  readonly nextExpectedRevision: number;
  /** Global position of the last event of the batch. */
  readonly position: number;
}

export interface AllFilter {
  readonly streamPrefixes?: readonly string[];
  readonly eventTypes?: readonly string[];
}

export interface ReadAllOptions {
  /** Exclusive: events with position > after. Omit to read from the start. */
  readonly after?: number;
  readonly maxCount?: number;
  readonly filter?: AllFilter;
}

export interface ReadStreamOptions {
  /** Inclusive 0-based revision. */
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

export interface SubscribeOptions {
  /** Exclusive cursor: deliver events with position > after. */
  readonly after?: number;
  readonly filter?: AllFilter;
  /** Called in position order, one at a time; a rejected promise stops the subscription with that error. */
  readonly onEvent: (event: RecordedEvent) => void | Promise<void>;
  /** Called once when the subscription has delivered everything that existed when it started. */
  readonly onCaughtUp?: () => void;
  readonly onError?: (error: Error) => void;
}

export interface Subscription {
  stop(): Promise<void>;
  /** Resolves when the subscription ends (stopped or failed). */
  readonly done: Promise<void>;
}

export interface EventStore {
  append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  subscribeToAll(options: SubscribeOptions): Subscription;
  /** Position of the newest event in $all, 0 when empty. */
  headPosition(): Promise<number>;
  /**
   * Optional: up to maxCount events after `after` in $all order, unparsed, for auditing the chain at the speed of a
   * table scan. Without it the audit re-serializes what readAll returns (the same text for events editledger wrote).
   */
  readChain?(after: number, maxCount: number): Promise<ChainEntry[]>;
  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends defineError(
  'wrong_expected_revision',
  'conflict',
  (stream: string, expected: ExpectedRevision, actual: number | 'no_stream') => ({
    message: `stream "${stream}": expected revision ${String(expected)}, but it is at ${String(actual)}`,
    stream,
    expected,
    actual,
  }),
) {}

export class EventIdConflictError extends defineError('event_id_conflict', 'conflict', (eventId: string) => ({
  message: `event id ${eventId} is already stored with different content`,
  eventId,
})) {}
