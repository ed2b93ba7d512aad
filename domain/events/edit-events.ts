// Events about edits: a correction is submitted, later retracted, or superseded by a newer correction of the
// same fact, and possibly reinstated after that. `schemaVersion` lives in `data` because it versions the shape of `data`.
import { z } from 'zod';
import { factKey, httpUrl, LIMITS, requiredText, subjectKeyId, uuid } from './fields.ts';

export const LocalityProbeSchema = z.strictObject({
  prompt: requiredText(LIMITS.prompt),
  /** What the model answered before editing, if known; absent means "whatever the base model says". */
  answer: requiredText(LIMITS.target).optional(),
});
export type LocalityProbe = z.infer<typeof LocalityProbeSchema>;

export const EditSourceSchema = z.strictObject({
  /** The upstream system, e.g. `wikidata-sync` or `cli`. */
  system: requiredText(LIMITS.name),
  /** The upstream id of this correction; (system, ref) is unique and makes redelivery idempotent. */
  ref: requiredText(LIMITS.ref),
});
export type EditSource = z.infer<typeof EditSourceSchema>;

export const EditSubmittedDataSchema = z.strictObject({
  schemaVersion: z.literal(1),
  editId: uuid,
  factKey,
  prompt: requiredText(LIMITS.prompt),
  target: requiredText(LIMITS.target),
  subject: requiredText(LIMITS.prompt).optional(),
  /** Paraphrases of the prompt: generalization probes. */
  rephrase: z.array(requiredText(LIMITS.prompt)).max(LIMITS.probes),
  /** Unrelated prompts whose answers must not change. */
  locality: z.array(LocalityProbeSchema).max(LIMITS.probes),
  source: EditSourceSchema,
  submittedBy: requiredText(LIMITS.name),
  reason: requiredText(LIMITS.reason),
  evidenceUrl: httpUrl.optional(),
  /**
   * Present when the submission named a data subject (a person the edit is about): the id of that subject's key.
   * The store seals the edit's content, reason and evidence under it; erasure destroys it (domain/personal-data.ts).
   */
  subjectKeyId: subjectKeyId.optional(),
});
export type EditSubmittedData = z.infer<typeof EditSubmittedDataSchema>;

/**
 * A decision about a submitted edit, by an actor with a reason: a retraction, a reinstatement (a retracted or
 * superseded edit made active again) or a four-eyes review (governance `requireApproval`).
 */
const EditDecisionDataSchema = z.strictObject({
  schemaVersion: z.literal(1),
  editId: uuid,
  /** The edit's fact key (also its stream), so readers need no lookup. */
  factKey,
  reason: requiredText(LIMITS.reason),
  by: requiredText(LIMITS.name),
  /** The edit's data subject key, if any, so the reason is sealed with the edit's content. */
  subjectKeyId: subjectKeyId.optional(),
});

export const EditRetractedDataSchema = EditDecisionDataSchema;
export type EditRetractedData = z.infer<typeof EditRetractedDataSchema>;

export const EditReinstatedDataSchema = EditDecisionDataSchema;
export type EditReinstatedData = z.infer<typeof EditReinstatedDataSchema>;

export const EditReviewedDataSchema = EditDecisionDataSchema;
export type EditReviewedData = z.infer<typeof EditReviewedDataSchema>;

export const EditSupersededDataSchema = z.strictObject({
  schemaVersion: z.literal(1),
  oldEditId: uuid,
  newEditId: uuid,
  factKey,
});
export type EditSupersededData = z.infer<typeof EditSupersededDataSchema>;
