// Erasure of a data subject (GDPR Art. 17) by crypto-shredding, recorded in the model-lifecycle stream because it
// retires model versions: their weights encode the erased facts, so they are never served or rolled back to again.
// The subject is named only by its key id (a random pseudonym); the key itself is destroyed right after this event.
import { z } from 'zod';
import { LIMITS, requiredText, subjectKeyId, uuid } from './fields.ts';
import { modelId } from './model-events.ts';

export const DataSubjectErasedDataSchema = z.strictObject({
  schemaVersion: z.literal(1),
  keyId: subjectKeyId,
  /** Every edit about the subject (retracted first where still active). */
  erasedEditIds: z.array(uuid),
  /** Versions built from any of them. */
  retiredVersionIds: z.array(modelId),
  erasedBy: requiredText(LIMITS.name),
  reason: requiredText(LIMITS.reason),
});
export type DataSubjectErasedData = z.infer<typeof DataSubjectErasedDataSchema>;
