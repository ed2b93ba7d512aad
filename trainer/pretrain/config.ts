// Pretraining hyper-parameters (zod: the single source of truth; types inferred). Defaults are what the shipped
// base model uses unless scripts/build-base-model.ts overrides them (the model card records the values used).

import { z } from 'zod';

export const PretrainConfigSchema = z.strictObject({
  /** Seeds the initial weights and the data order. */
  seed: z.union([z.int().nonnegative(), z.string().min(1)]).default(1),
  /** Optimizer steps in total (the schedule's length). */
  steps: z.int().positive(),
  /** Sequences (corpus lines) per step. */
  batchSize: z.int().positive().default(64),
  peakLr: z.number().positive().max(1).default(2e-3),
  /** Linear warmup over this fraction of the steps (at least one step). */
  warmupFraction: z.number().min(0).max(0.5).default(0.03),
  /** Cosine decay ends at peakLr * minLrRatio. */
  minLrRatio: z.number().min(0).max(1).default(0.1),
  weightDecay: z.number().min(0).max(1).default(0.05),
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.95),
  eps: z.number().positive().default(1e-8),
  /** Global gradient-norm clipping (0 = off). */
  gradClip: z.number().min(0).default(1),
  /** Std of the normal initialisation (HF initializer_range). */
  initializerRange: z.number().positive().default(0.02),
  /** Write the resumable state every this many steps (and at the end). */
  checkpointEvery: z.int().positive().default(250),
  /** Record the mean training loss every this many steps. */
  logEvery: z.int().positive().default(25),
});
export type PretrainConfigInput = z.input<typeof PretrainConfigSchema>;
export type PretrainConfig = z.output<typeof PretrainConfigSchema>;

/** Validates; the error names every offending field. */
export function parsePretrainConfig(input: unknown): PretrainConfig {
  const result = PretrainConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  throw new RangeError(`pretrain config: ${lines.join('; ')}`);
}

export function warmupSteps(c: PretrainConfig): number {
  return Math.max(1, Math.round(c.steps * c.warmupFraction));
}
