// Events of the audit trail itself: a signed checkpoint of the ledger head (position and chain hash, Ed25519),
// recorded in the `audit-checkpoints` stream and in the auditor's file copy (infra/audit/checkpoints.ts).
import { z } from 'zod';
import { LIMITS, position, requiredText } from './fields.ts';

export const AuditCheckpointSignedDataSchema = z.strictObject({
  v: z.literal(1),
  position,
  chainHash: z.string().regex(/^[0-9a-f]{64}$/),
  signedAt: z.string(),
  /** Which key signed it: a hash of its public half. */
  keyId: requiredText(LIMITS.name),
  /** Ed25519 over the checkpoint payload, base64. */
  signature: z.string().min(1).max(200),
});
export type AuditCheckpointSignedData = z.infer<typeof AuditCheckpointSignedDataSchema>;
