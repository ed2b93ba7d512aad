// The edits and fast hyper-parameters the LocFT training tests train the tiny checkpoint (locft-tiny.ts) with, and
// what they compare results by.
import { createHash } from 'node:crypto';
import type { LocftHyperParamsInput } from '../../trainer/locft/config.ts';
import { serializeDelta } from '../../trainer/locft/delta-artifact.ts';
import { trainLocft } from '../../trainer/locft/trainer.ts';
import type { LocftTrainResult, TrainLocftInput } from '../../trainer/locft/trainer.ts';

import { baseHash, model, tokenizer } from './locft-tiny.ts';

export const DOWN1 = 'model.layers.1.mlp.down_proj.weight';
export const EDITS = [
  ['Paris is in', 'France'],
  ['Rome is in', 'Italy'],
  ['Tokyo is in', 'Japan'],
  ['Lima is in', 'Peru'],
  ['Oslo is in', 'Norway'],
  ['Cairo is in', 'Egypt'],
].map(([prompt, target]) => ({ prompt: prompt!, target: target! }));
// Tiny random models need a larger step than the authors' 5e-4 to learn in a few epochs.
export const FAST = { layers: [1], batchSize: 4, epochs: 40, lr: 5e-2 } satisfies LocftHyperParamsInput;

export function train(overrides: Partial<TrainLocftInput> = {}): Promise<LocftTrainResult> {
  return trainLocft({ model, tokenizer, baseHash, edits: EDITS, hyperParams: FAST, ...overrides });
}

export function deltaBytes(r: LocftTrainResult): Uint8Array {
  return serializeDelta(r.tensors, { baseHash, editSetHash: '0'.repeat(64), hyperParamsHash: '0'.repeat(64) });
}

export const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
