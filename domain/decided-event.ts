// What a decider returns, and the one place that makes a stored event of it. Deciders say WHAT happened (type
// and data) and how the event's id follows from it; the command handler (domain/command-handler.ts) adds the id
// and the metadata of the command that caused it. So no decider builds metadata or computes ids itself, and every
// event of every stream gets them by the same rule.
import { CommandMetadataSchema } from './commands.ts';
import { validated } from './events.ts';
import type { EventMetadata } from './events/metadata.ts';
import { commandEventIdFor, eventIdFor } from './ids.ts';

/**
 * How an event's id follows, so that a retried or redelivered command appends nothing new:
 * - `{ oncePer: subject }`: the event happens at most once per subject (an edit is submitted once, a version is
 *   materialized once): the id is derived from (type, subject).
 * - `'per-command'`: the event may legitimately recur (a policy registered again, a promote back and forth): the id
 *   is derived from the id of the command that caused it.
 */
export type EventIdentity = { readonly oncePer: string } | 'per-command';

/** The envelope of a stored event, as the stamp fills it in. */
export interface StampedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

/** An event as a decider returns it: each member of the union `E` without its id and metadata. */
export type Decided<E extends StampedEvent> = E extends StampedEvent
  ? { readonly type: E['type']; readonly data: E['data']; readonly identity: EventIdentity }
  : never;

/** The event metadata of a command's (untrusted) metadata; a bad field is an InvalidFieldError on `metadata.*`. */
export function eventMetadataOf(commandMetadata: unknown): EventMetadata {
  const m = validated(CommandMetadataSchema, commandMetadata, ['metadata']);
  return {
    actor: m.actor,
    channel: m.channel,
    correlationId: m.correlationId,
    causationId: m.commandId,
    recordedAt: m.now,
  };
}

/** `decided` as stored events: ids by their identity, metadata of the command (causationId is its command id). */
export function stampEvents<E extends StampedEvent>(decided: readonly Decided<E>[], metadata: EventMetadata): E[] {
  return decided.map(({ type, data, identity }) => {
    const id =
      identity === 'per-command' ? commandEventIdFor(type, metadata.causationId) : eventIdFor(type, identity.oncePer);
    // The decider's union member `Decided<E>` plus its id and metadata is that member of `E`; TypeScript cannot
    // follow a distributive type through a destructuring, hence the cast.
    return { id, type, data, metadata } as unknown as E;
  });
}
