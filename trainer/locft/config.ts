// LocFT hyper-parameters (the recipe that, with the base checkpoint, the edit set and the seed, defines a model
// version) and run options (how the run is executed; recorded in the manifest, never part of the recipe).
// Defaults are the LocFT-BF authors': down_proj of one layer, Adam lr 5e-4, no weight decay, batch 100, 25 epochs.
import { z } from 'zod';

export const DEFAULT_REWRITE_MODULE = 'model.layers.{}.mlp.down_proj.weight';

/** Loss below which a batch makes no update, and an epoch mean below which training stops (authors: 1e-2). */
export const DEFAULT_LOSS_THRESHOLD = 1e-2;

export const ScheduleSchema = z.enum(['breadth-first', 'depth-first']);
export type Schedule = z.infer<typeof ScheduleSchema>;

export const LocftHyperParamsSchema = z
  .object({
    /** Parameter-name patterns with `{}` standing for the layer index; exact match or a whole sub-tree prefix. */
    rewriteModules: z.array(z.string().min(1)).min(1).default([DEFAULT_REWRITE_MODULE]),
    /** Layers the patterns are expanded for (several = multi-layer tuning). */
    layers: z.array(z.number().int().min(0)).min(1),
    lr: z.number().positive().default(5e-4),
    weightDecay: z.number().min(0).default(0),
    // PyTorch's Adam defaults, written out because tfjs's epsilon default (1e-7) differs.
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.999),
    epsilon: z.number().positive().default(1e-8),
    batchSize: z.number().int().positive().default(100),
    /** The epoch budget (the authors call it num_steps; see STORED_EPOCHS_KEY). Depth-first: epochs per edit. */
    epochs: z.number().int().positive().default(25),
    lossThreshold: z.number().positive().default(DEFAULT_LOSS_THRESHOLD),
    seed: z.number().int().min(0).max(0xffffffff).default(0),
    /** breadth-first = LocFT-BF; depth-first = each edit trained to convergence before the next (the baseline). */
    schedule: ScheduleSchema.default('breadth-first'),
  })
  .strict();
export type LocftHyperParams = z.infer<typeof LocftHyperParamsSchema>;
export type LocftHyperParamsInput = z.input<typeof LocftHyperParamsSchema>;

/**
 * The epoch budget's name in the stored form of the hyper-parameters (manifest.json and the hashed form behind
 * hyperParamsHash): the authors' `num_steps`, kept so the manifests and hashes of earlier runs stay valid.
 */
const STORED_EPOCHS_KEY = 'numSteps';

/** Hyper-parameters as manifests store them and as they are hashed. */
export function toStoredHyperParams(hp: LocftHyperParams): Record<string, unknown> {
  const { epochs, ...rest } = hp;
  return { ...rest, [STORED_EPOCHS_KEY]: epochs };
}

function fromStoredHyperParams(stored: unknown): unknown {
  if (typeof stored !== 'object' || stored === null || !Object.hasOwn(stored, STORED_EPOCHS_KEY)) return stored;
  const { [STORED_EPOCHS_KEY]: epochs, ...rest } = stored as Record<string, unknown>;
  return { ...rest, epochs };
}

/** Parses the stored form (toStoredHyperParams) back into hyper-parameters. */
export const StoredHyperParamsSchema = z.preprocess(fromStoredHyperParams, LocftHyperParamsSchema);

/** Appended to the compute backend a run records when the host engine ran its steps (e.g. "wasm-blas+host-step"). */
export const HOST_STEP_SUFFIX = '+host-step';

export const CacheModeSchema = z.enum(['auto', 'off']);

export const LocftRunOptionsSchema = z
  .object({
    /** 'auto' caches the deepest frozen activation below the tuned tensors; 'off' recomputes from the embedding. */
    activationCache: CacheModeSchema.default('auto'),
    /** Directory that persists cached activations across runs; omit to keep them in memory for this run only. */
    cacheDir: z.string().min(1).optional(),
    /** Project to the vocabulary only at target positions (true) or at every position (false, the plain way). */
    targetOnlyLogits: z.boolean().default(true),
    /** Run a forward pass alone first when a batch is forecast to be skipped (same result, less work). */
    forwardProbe: z.boolean().default(true),
    /**
     * Who runs the step: 'tfjs' (the model's tfjs ops), 'host' (host-step.ts: sgemm + hand-written backward; only
     * for a single down_proj with the activation cache and target-only logits, where the native sgemm is built), or
     * 'auto' (host where it applies, else tfjs). The engine used is part of the run's recorded backend.
     */
    engine: z.enum(['auto', 'tfjs', 'host']).default('auto'),
  })
  .strict();
export type LocftRunOptions = z.infer<typeof LocftRunOptionsSchema>;
export type LocftRunOptionsInput = z.input<typeof LocftRunOptionsSchema>;

/** Parse with zod and turn the first issue into an error that names the field. */
export function parseHyperParams(input: unknown): LocftHyperParams {
  return parseOrThrow(LocftHyperParamsSchema, input, 'hyper-parameters');
}

export function parseRunOptions(input: unknown): LocftRunOptions {
  return parseOrThrow(LocftRunOptionsSchema, input ?? {}, 'run options');
}

export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
  throw new Error(`invalid ${what}: field "${field}": ${issue?.message ?? 'invalid'}`);
}
