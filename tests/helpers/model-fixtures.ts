// Values the model-lifecycle tests (decider, versions read model) build their events from.
import type { TrainingPolicy } from '../../domain/events.ts';
import { DEFAULT_POLICY } from '../../domain/training-policy.ts';

/** A 64-hex-digit digest made of one repeated character: hex('a') is the base, hex('e') an artifact, and so on. */
export const hex = (c: string): string => c.repeat(64);

/** The default LocFT-BF policy (the paper's settings) on layer 1. */
export const TEST_POLICY: TrainingPolicy = { ...DEFAULT_POLICY, layer: 1 };

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

/** BaseModelRegistered data of a tiny llama the report fixtures register (schemaVersion added by the caller). */
export function tinyBaseData(baseModelId: string, artifactUri: string) {
  return {
    baseModelId,
    name: 'tiny',
    baseHash: hex('b'),
    configHash: hex('c'),
    tokenizerHash: hex('d'),
    architecture: 'llama',
    parameterCount: 1000,
    artifactUri,
  };
}
