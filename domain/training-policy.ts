// The training policy a base model is registered with: the LocFT-BF authors' defaults, under the model's own
// editing card (the layer a location sweep chose, a learning rate that moves a model of its size), under what the
// operator asked for. Pure: the caller reads the card and the checkpoint's shape; this decides and checks.
import { InvalidFieldError } from './errors.ts';
import type { TrainingPolicy } from './events.ts';
import { TrainingPolicySchema, toInvalidFieldError } from './events.ts';

/** The paper's settings (made for 7B models): down_proj, Adam lr 5e-4, batch 100, <= 25 epochs, loss 1e-2, EOS. */
export const DEFAULT_POLICY: Omit<TrainingPolicy, 'layer'> = {
  method: 'locft-bf',
  module: 'mlp.down_proj',
  optimizer: 'adam',
  lr: 5e-4,
  batchSize: 100,
  epochs: 25,
  stopLoss: 1e-2,
  skipBatchLoss: 1e-2,
  appendEos: true,
  seed: 0,
};

/** What a model's editing card may set (trainer/locft/editing-card.ts reads it). */
export interface PolicyCard {
  readonly layer?: number;
  readonly module?: string;
  readonly lr?: number;
  readonly batchSize?: number;
  readonly epochs?: number;
}

/** The model the policy is for: its depth and whether a parameter of that name exists. */
export interface PolicyTarget {
  readonly numLayers: number;
  hasParameter(name: string): boolean;
}

/**
 * Defaults, then the card, then `overrides`; the layer defaults to the middle block. Throws InvalidFieldError
 * naming the field when a value is out of range or the module names no weight matrix of this model.
 */
export function trainingPolicyFor(
  card: PolicyCard,
  model: PolicyTarget,
  overrides: Partial<TrainingPolicy>,
): TrainingPolicy {
  const policy: TrainingPolicy = {
    ...DEFAULT_POLICY,
    ...(card.module !== undefined && { module: card.module }),
    ...(card.lr !== undefined && { lr: card.lr }),
    ...(card.batchSize !== undefined && { batchSize: card.batchSize }),
    ...(card.epochs !== undefined && { epochs: card.epochs }),
    layer: card.layer ?? Math.floor((model.numLayers - 1) / 2),
    ...overrides,
  };
  const checked = TrainingPolicySchema.safeParse(policy);
  if (!checked.success) throw toInvalidFieldError(checked.error);
  if (policy.layer >= model.numLayers)
    throw new InvalidFieldError(
      'layer',
      `${policy.layer} is out of range; the model has ${model.numLayers} layers (0-${model.numLayers - 1})`,
    );
  const tuned = `model.layers.${policy.layer}.${policy.module}.weight`;
  if (!model.hasParameter(tuned))
    throw new InvalidFieldError(
      'module',
      `"${policy.module}" names no weight matrix of this model (${tuned} does not exist); e.g. mlp.down_proj, mlp.up_proj, self_attn.o_proj`,
    );
  return policy;
}
