// What every command of every decider carries besides its payload: who asks, through which channel, the command's
// id and the decision time. The command handler (domain/command-handler.ts) turns it into the metadata of the events
// the command produces (domain/decided-event.ts).
import { z } from 'zod';
import { isoTimestamp, LIMITS, requiredText, uuid } from './events/fields.ts';
import { uuidV4 } from './ids.ts';

export const CommandMetadataSchema = z.strictObject({
  actor: requiredText(LIMITS.name),
  /** Channel: `cli`, `http`, `kafka:<topic>`, ... */
  channel: requiredText(LIMITS.name),
  /** Identifies this command; becomes the causationId of the events it produces. */
  commandId: uuid,
  correlationId: uuid,
  /** The decision time, supplied by the caller so `decide` stays pure. */
  now: isoTimestamp,
});
export type CommandMetadata = z.infer<typeof CommandMetadataSchema>;

/** A command of any decider: its type, its payload (validated by the decider) and its metadata. */
export interface Command<Type extends string, Data> {
  readonly type: Type;
  readonly data: Data;
  readonly metadata: CommandMetadata;
}

/** Who is acting and through which channel; the command id and the decision time are filled in per command. */
export interface CommandContext {
  readonly actor: string;
  /** Channel: `cli`, `trainer`, `http`, `kafka:<topic>`, ... */
  readonly channel: string;
  readonly correlationId?: string;
  readonly clock?: () => Date;
}

/** Fresh metadata for one command (a new command id; the correlation id defaults to it). */
export function commandMetadata(
  context: CommandContext,
  clock: () => Date = context.clock ?? (() => new Date()),
): CommandMetadata {
  const commandId = uuidV4();
  return {
    actor: context.actor,
    channel: context.channel,
    commandId,
    correlationId: context.correlationId ?? commandId,
    now: clock().toISOString(),
  };
}
