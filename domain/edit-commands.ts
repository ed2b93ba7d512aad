// Commands the edit decider accepts. Their payload schemas are the event schemas minus what the decider
// derives itself (schemaVersion, editId), so validation errors name the caller's own fields (`prompt`, not
// `data.prompt`).
import { z } from 'zod';
import { EditRetractedDataSchema, EditSubmittedDataSchema } from './events/edit-events.ts';
import { LIMITS, requiredText, uuid } from './events/fields.ts';
import type { Command } from './commands.ts';

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
