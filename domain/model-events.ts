// Model-lifecycle event schemas the shared catalogue (domain/events.ts) does not have yet.
//
// BaseModelRegistered has no field for the training policy, yet a model version is defined by (base, edit set,
// policy) and the trainer must find the policy in the ledger, not in a local file. Until the catalogue grows a
// `policy` field (requested from the ledger engineer), registering a base appends this event right after
// BaseModelRegistered in the same batch. Only the model-lifecycle stream holds it.
import { z } from 'zod';
import { LIMITS, requiredText, sha256Hex, uuid } from './events/fields.ts';
import { EventMetadataSchema } from './events/metadata.ts';
import { TrainingPolicySchema } from './events/model-events.ts';

export const TrainingPolicyRegisteredDataSchema = z.strictObject({
  schemaVersion: z.literal(1),
  baseModelId: requiredText(LIMITS.name),
  policy: TrainingPolicySchema,
  /** sha256 of the canonical JSON of `policy`: one of the three inputs of a version id. */
  policyHash: sha256Hex,
});
export type TrainingPolicyRegisteredData = z.infer<typeof TrainingPolicyRegisteredDataSchema>;

export const TrainingPolicyRegisteredSchema = z.strictObject({
  id: uuid,
  type: z.literal('TrainingPolicyRegistered'),
  data: TrainingPolicyRegisteredDataSchema,
  metadata: EventMetadataSchema,
});
export type TrainingPolicyRegistered = z.infer<typeof TrainingPolicyRegisteredSchema>;
