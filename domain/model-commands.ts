// The commands of the model lifecycle (domain/model-lifecycle.ts decides them). Their payloads are the events'
// data minus what the decider derives itself, so validation errors name the caller's own fields.
import { z } from 'zod';
import type { Command } from './commands.ts';
import { LIMITS, requiredText } from './events/fields.ts';
import { DataSubjectErasedDataSchema } from './events/erasure-events.ts';
import {
  BaseModelRegisteredDataSchema,
  ModelVersionMaterializedDataSchema,
  TrainingPolicySchema,
} from './events/model-events.ts';
import { GovernanceSchema } from './governance.ts';

export const RegisterBaseDataSchema = BaseModelRegisteredDataSchema.omit({
  schemaVersion: true,
  baseModelId: true,
}).extend({
  policy: TrainingPolicySchema,
  governance: GovernanceSchema.optional(),
});
export type RegisterBaseData = z.infer<typeof RegisterBaseDataSchema>;

/** The event's fields minus what the decider derives (the version id, from base, training set and policy). */
export const MaterializeVersionDataSchema = ModelVersionMaterializedDataSchema.omit({
  schemaVersion: true,
  versionId: true,
  verdict: true,
});
export type MaterializeVersionData = z.infer<typeof MaterializeVersionDataSchema>;

export const ChangeServingVersionDataSchema = z.strictObject({
  versionId: requiredText(LIMITS.name),
  changedBy: requiredText(LIMITS.name),
  reason: requiredText(LIMITS.reason),
  /** The trainer consumer asks: refused quietly (no event) when governance or a pin says no. */
  automatic: z.boolean().optional(),
  /** A human serving a version outside the envelope must say so explicitly; it is flagged in the ledger. */
  acceptOutsideEnvelope: z.boolean().optional(),
});
export type ChangeServingVersionData = z.infer<typeof ChangeServingVersionDataSchema>;

export type RegisterBase = Command<'RegisterBase', RegisterBaseData>;
export type MaterializeVersion = Command<'MaterializeVersion', MaterializeVersionData>;
export type ChangeServingVersion = Command<'ChangeServingVersion', ChangeServingVersionData>;
export const ReleaseServingPinDataSchema = z.strictObject({
  releasedBy: requiredText(LIMITS.name),
  reason: requiredText(LIMITS.reason),
});
export type ReleaseServingPinData = z.infer<typeof ReleaseServingPinDataSchema>;
export type ReleaseServingPin = Command<'ReleaseServingPin', ReleaseServingPinData>;
/** Erasure of a data subject: retire the versions built from its edits (the use case retracts and re-trains). */
export const EraseDataSubjectDataSchema = DataSubjectErasedDataSchema.omit({ schemaVersion: true });
export type EraseDataSubjectData = z.infer<typeof EraseDataSubjectDataSchema>;
export type EraseDataSubject = Command<'EraseDataSubject', EraseDataSubjectData>;

export type ModelCommand =
  RegisterBase | MaterializeVersion | ChangeServingVersion | ReleaseServingPin | EraseDataSubject;
