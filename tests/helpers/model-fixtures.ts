// Values the model-lifecycle tests (decider, versions read model) build their events from.
import type { TrainingPolicy } from '../../domain/events.ts';

/** A 64-hex-digit digest made of one repeated character: hex('a') is the base, hex('e') an artifact, and so on. */
export const hex = (c: string): string => c.repeat(64);

/** The default LocFT-BF policy (the paper's settings) on layer 1. */
export const TEST_POLICY: TrainingPolicy = {
  method: 'locft-bf',
  layer: 1,
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

/** The bold policy a tiny model is trained under (lr 0.05, small batches), as the report fixtures record it. */
export const TINY_TRAINING_POLICY = {
  method: 'locft-bf',
  layer: 1,
  module: 'mlp.down_proj',
  optimizer: 'adam',
  lr: 0.05,
  batchSize: 4,
  epochs: 10,
  stopLoss: 0.01,
  skipBatchLoss: 0.01,
  appendEos: true,
  seed: 7,
} as const satisfies TrainingPolicy;
