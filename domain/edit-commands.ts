// Commands the edit decider accepts. Their payload schemas are the event schemas minus what the decider
// derives itself (schemaVersion, editId), so validation errors name the caller's own fields (`prompt`, not
// `data.prompt`).
import { z } from 'zod';
import { EditRetractedDataSchema, EditSubmittedDataSchema } from './events/edit-events.ts';
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

/**
 * A submission as entry points take it. `dataSubject` names the person the edit is about (any stable id the
 * organisation uses, e.g. a customer number): the edit is then recorded sealed under that person's key and can be
 * erased (`editledger erase --data-subject`). The id itself is never stored in the ledger.
 */
export const SubmitEditDataSchema = EditSubmittedDataSchema.omit({
  schemaVersion: true,
  editId: true,
  subjectKeyId: true,
}).extend({ dataSubject: requiredText(LIMITS.name).optional() });
export type SubmitEditData = z.infer<typeof SubmitEditDataSchema>;

/** What the decider decides on: the data subject already replaced by its key id (and the fact key by a pseudonym). */
export const DecideSubmitDataSchema = EditSubmittedDataSchema.omit({ schemaVersion: true, editId: true });
export type DecideSubmitData = z.infer<typeof DecideSubmitDataSchema>;

export const RetractEditDataSchema = EditRetractedDataSchema.omit({ schemaVersion: true, subjectKeyId: true }).extend({
  editId: uuid,
});
export type RetractEditData = z.infer<typeof RetractEditDataSchema>;

export const ReinstateEditDataSchema = RetractEditDataSchema;
export type ReinstateEditData = z.infer<typeof ReinstateEditDataSchema>;

export type SubmitEdit = Command<'SubmitEdit', DecideSubmitData>;
export type RetractEdit = Command<'RetractEdit', RetractEditData>;
export type ReinstateEdit = Command<'ReinstateEdit', ReinstateEditData>;

/** Four-eyes review of a submitted edit (governance `requireApproval`). */
export const ReviewEditDataSchema = RetractEditDataSchema;
export type ReviewEditData = z.infer<typeof ReviewEditDataSchema>;
export type ApproveEdit = Command<'ApproveEdit', ReviewEditData>;
export type RejectEdit = Command<'RejectEdit', ReviewEditData>;

export type EditCommand = SubmitEdit | RetractEdit | ReinstateEdit | ApproveEdit | RejectEdit;
