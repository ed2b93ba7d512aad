// Events about models: a base checkpoint is registered, a model version (base + edit set + policy) is
// materialized, and the serving pointer moves. The trainer issue fills in how they are produced; the shapes
// here are what a version must record to be rebuilt bit-for-bit.
import { z } from 'zod';
import { LIMITS, position, requiredText, sha256Hex, uuid } from './fields.ts';
import { GovernanceSchema, VerdictSchema } from '../governance.ts';

export const modelId = requiredText(LIMITS.name);

export const BaseModelRegisteredDataSchema = z.strictObject({
  schemaVersion: z.literal(1),
  baseModelId: modelId,
  /** Human name, e.g. `gpt2-small`. */
  name: requiredText(LIMITS.name),
  /** sha256 of the weights file(s), in a canonical order. */
  baseHash: sha256Hex,
  configHash: sha256Hex,
  tokenizerHash: sha256Hex,
  architecture: requiredText(LIMITS.name),
  parameterCount: z.number().int().positive(),
  /** Where the checkpoint can be fetched (path or URI). */
  artifactUri: requiredText(LIMITS.url),
});
export type BaseModelRegisteredData = z.infer<typeof BaseModelRegisteredDataSchema>;

/** LocFT-BF hyper-parameters: everything besides base and edit set that determines the trained weights. */
export const TrainingPolicySchema = z.strictObject({
  method: z.literal('locft-bf'),
  /** Transformer block index of the one trained matrix. */
  layer: z.number().int().nonnegative(),
  /** Matrix inside the block, e.g. `mlp.down_proj`. */
  module: requiredText(LIMITS.name),
  optimizer: z.literal('adam'),
  /** In (0, 1]: Adam steps larger than the weights themselves only diverge. */
  lr: z.number().positive('must be in (0, 1]').max(1, 'must be in (0, 1]'),
  batchSize: z.number().int().min(1, 'must be an integer >= 1').max(1_000_000),
  /** Upper bound on epochs; training stops earlier when the epoch mean loss drops below `stopLoss`. */
  epochs: z.number().int().min(1, 'must be an integer >= 1').max(1_000_000),
  stopLoss: z.number().nonnegative(),
  /** A batch whose loss is already below this is skipped. */
  skipBatchLoss: z.number().nonnegative(),
  appendEos: z.boolean(),
  seed: z.number().int(),
});
export type TrainingPolicy = z.infer<typeof TrainingPolicySchema>;

/**
 * The policy a base is trained with, appended in the same batch as BaseModelRegistered: a model version is
 * defined by (base, edit set, policy), so the trainer finds the policy in the ledger, not in a local file.
 */
export const TrainingPolicyRegisteredDataSchema = z.strictObject({
  schemaVersion: z.literal(1),
  baseModelId: modelId,
  policy: TrainingPolicySchema,
  /** sha256 of the canonical JSON of `policy`: one of the three inputs of a version id. */
  policyHash: sha256Hex,
  /** The change envelope and promotion rules declared with the policy (not part of the policy hash). */
  governance: GovernanceSchema.optional(),
});
export type TrainingPolicyRegisteredData = z.infer<typeof TrainingPolicyRegisteredDataSchema>;

export const ModelVersionMaterializedDataSchema = z.strictObject({
  schemaVersion: z.literal(1),
  versionId: modelId,
  baseModelId: modelId,
  baseHash: sha256Hex,
  /** Ledger position whose edit set was trained. */
  position,
  editSetHash: sha256Hex,
  /** Hash of the edits' training content (prompt/target pairs): with baseHash and the policy it names the version. */
  trainingSetHash: sha256Hex,
  editIds: z.array(uuid),
  policy: TrainingPolicySchema,
  /** Compute backend that produced the artifact: bit-identical rebuilds are promised per backend. */
  backend: requiredText(LIMITS.name),
  /** sha256 of the produced weights artifact. */
  artifactSha256: sha256Hex,
  artifactUri: requiredText(LIMITS.url),
  /** Named scalar metrics, e.g. `editSuccess`, `locality`, `finalLoss`, `epochs`. */
  metrics: z.record(
    z.string().min(1).max(LIMITS.name),
    z.number().refine(Number.isFinite, { error: 'must be finite' }),
  ),
  durationMs: z.number().nonnegative(),
  /** The version judged against the change envelope in force when it was recorded (absent: none declared). */
  verdict: VerdictSchema.optional(),
  /**
   * sha256 of the canonical JSON of {file name: sha256 of its bytes} over every artifact file (the manifest too):
   * the ledger's chain covers what the artifact store's own descriptor could be re-hashed to hide.
   */
  artifactFilesSha256: sha256Hex.optional(),
  /** Trained on approved edits only (governance requireApproval was in force): a rebuild filters the same way. */
  approvedOnly: z.literal(true).optional(),
});
export type ModelVersionMaterializedData = z.infer<typeof ModelVersionMaterializedDataSchema>;

export const ServingVersionChangedDataSchema = z.strictObject({
  schemaVersion: z.literal(1),
  versionId: modelId,
  /** null when nothing was served before. */
  previousVersionId: modelId.nullable(),
  changedBy: requiredText(LIMITS.name),
  reason: requiredText(LIMITS.reason),
  /** true: the trainer consumer moved it; absent/false: a human decision, which pins the serving version. */
  automatic: z.boolean().optional(),
  /** The version served is outside the change envelope (promoted by an explicit, flagged decision). */
  outsideEnvelope: z.boolean().optional(),
});
export type ServingVersionChangedData = z.infer<typeof ServingVersionChangedDataSchema>;

/** A human releases the pin a manual promote or rollback set: the trainer consumer may move the pointer again. */
export const ServingPinReleasedDataSchema = z.strictObject({
  schemaVersion: z.literal(1),
  versionId: modelId,
  releasedBy: requiredText(LIMITS.name),
  reason: requiredText(LIMITS.reason),
});
export type ServingPinReleasedData = z.infer<typeof ServingPinReleasedDataSchema>;
