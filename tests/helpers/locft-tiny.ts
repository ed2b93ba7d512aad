// The tiny random Llama-style checkpoint the LocFT training tests share, loaded once per test file, with the
// edits and the fast hyper-parameters they train with. Bindings are live: read them after `loadTinyLocft` ran.
import { createHash } from 'node:crypto';
import { checkpointHash, readHfCheckpoint } from '../../trainer/checkpoint/hf-checkpoint.ts';
import type { HfCheckpoint } from '../../trainer/checkpoint/hf-checkpoint.ts';
import type { LocftHyperParamsInput } from '../../trainer/locft/config.ts';
import { serializeDelta } from '../../trainer/locft/delta-artifact.ts';
import { trainLocft } from '../../trainer/locft/trainer.ts';
import type { LocftTrainResult, TrainLocftInput } from '../../trainer/locft/trainer.ts';
import { LlamaModel } from '../../trainer/model/llama.ts';
import { initBackend } from '../../trainer/runtime/backend.ts';
import { loadHfTokenizer } from '../../trainer/tokenizer/hf-tokenizer.ts';
import type { HfTokenizer } from '../../trainer/tokenizer/hf-tokenizer.ts';
import { createTinyCheckpoint } from './tiny-checkpoint.ts';
import type { TinyCheckpoint } from './tiny-checkpoint.ts';

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

export let ck: TinyCheckpoint;
export let base: HfCheckpoint;
export let model: LlamaModel;
export let tokenizer: HfTokenizer;
export let baseHash: string;

/** For test.before: the checkpoint, its model, tokenizer and hash. */
export async function loadTinyLocft(): Promise<void> {
  await initBackend(undefined, { quiet: true });
  ck = await createTinyCheckpoint({ numLayers: 3, hiddenSize: 32, intermediateSize: 64 });
  base = await readHfCheckpoint(ck.dir);
  model = LlamaModel.fromHostTensors(base.config, base.tensors);
  tokenizer = await loadHfTokenizer(ck.dir);
  baseHash = await checkpointHash(ck.dir);
}

/** For test.after.always. */
export async function disposeTinyLocft(): Promise<void> {
  model?.dispose();
  await ck?.cleanup();
}

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
