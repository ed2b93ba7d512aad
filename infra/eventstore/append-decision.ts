// The port's idempotency and expected-revision rules (domain/ports/event-store.ts), decided once for every adapter
// given what the store holds right now: each adapter only says how it finds an id already stored.
import {
  EventIdConflictError,
  WrongExpectedRevisionError,
  type AppendResult,
  type ExpectedRevision,
} from '../../domain/ports/event-store.ts';
import { revisionMatches, sameJsonText, type PreparedEvent } from './event-input.ts';

/** An event already stored under a batch event's id: where, and whether it says the same. */
export interface StoredMatch {
  readonly position: number;
  readonly same: boolean;
}

/** Either nothing to write (every id stored: the stored position) or the events still to append. */
export type AppendDecision<E> = { readonly result: AppendResult } | { readonly fresh: readonly E[] };

export function decideAppend<E extends { readonly id: string }>(
  stream: string,
  events: readonly E[],
  expected: ExpectedRevision,
  last: number | null,
  findStored: (event: E, index: number) => StoredMatch | undefined,
): AppendDecision<E> {
  const fresh: E[] = [];
  let storedPosition = 0;
  events.forEach((event, i) => {
    const stored = findStored(event, i);
    if (stored === undefined) fresh.push(event);
    else if (!stored.same) throw new EventIdConflictError(event.id);
    else storedPosition = Math.max(storedPosition, stored.position);
  });
  // A stored event of this stream exists, so `last` is a revision here.
  if (fresh.length === 0) return { result: { nextExpectedRevision: last ?? 0, position: storedPosition } };
  if (!revisionMatches(expected, last)) throw new WrongExpectedRevisionError(stream, expected, last ?? 'no_stream');
  return { fresh };
}

/** A stored row (JSON as text) against a batch event: same stream, type, data and metadata as JSON values. */
export function sameStoredText(
  stored: { readonly stream: string; readonly type: string; readonly data: string; readonly metadata: string },
  stream: string,
  event: PreparedEvent,
): boolean {
  return (
    stored.stream === stream &&
    stored.type === event.type &&
    sameJsonText(stored.data, event.dataJson) &&
    sameJsonText(stored.metadata, event.metadataJson)
  );
}
