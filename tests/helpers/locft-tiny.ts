// The tiny random Llama-style checkpoint the LocFT training tests share, loaded once per test file (useTinyLocft).
// Bindings are live: read them in tests, after the hook ran. What they train with: locft-training.ts.
import test from 'ava';
import { checkpointHash, readHfCheckpoint } from '../../trainer/checkpoint/hf-checkpoint.ts';
import type { HfCheckpoint } from '../../trainer/checkpoint/hf-checkpoint.ts';
import { LlamaModel } from '../../trainer/model/llama.ts';
import { initBackend } from '../../trainer/runtime/backend.ts';
import { loadHfTokenizer } from '../../trainer/tokenizer/hf-tokenizer.ts';
import type { HfTokenizer } from '../../trainer/tokenizer/hf-tokenizer.ts';
import { createTinyCheckpoint } from './tiny-checkpoint.ts';
import type { TinyCheckpoint } from './tiny-checkpoint.ts';

export let ck: TinyCheckpoint;
export let base: HfCheckpoint;
export let model: LlamaModel;
export let tokenizer: HfTokenizer;
export let baseHash: string;

/** Loads the checkpoint, its model, tokenizer and hash before the file's tests, and disposes of them after. */
export function useTinyLocft(): void {
  test.before(loadTinyLocft);
  test.after.always(disposeTinyLocft);
}

async function loadTinyLocft(): Promise<void> {
  await initBackend(undefined, { quiet: true });
  ck = await createTinyCheckpoint({ numLayers: 3, hiddenSize: 32, intermediateSize: 64 });
  base = await readHfCheckpoint(ck.dir);
  model = LlamaModel.fromHostTensors(base.config, base.tensors);
  tokenizer = await loadHfTokenizer(ck.dir);
  baseHash = await checkpointHash(ck.dir);
}

async function disposeTinyLocft(): Promise<void> {
  model?.dispose();
  await ck?.cleanup();
}
