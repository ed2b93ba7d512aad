// A small LocFT run on the shipped base model (models/base, layer 6, the first edits of its world): what tests that
// check how a run is recorded train on. The caller picks the backend and native engine beforehand.
import { readFileSync } from 'node:fs';
import { parseDataset } from '../../domain/dataset-formats.ts';
import { checkpointHash, readHfCheckpoint } from '../../trainer/checkpoint/hf-checkpoint.ts';
import { MemoryActivationStore } from '../../trainer/locft/activation-cache.ts';
import { trainLocft, type LocftTrainResult } from '../../trainer/locft/trainer.ts';
import { LlamaModel } from '../../trainer/model/llama.ts';
import { loadHfTokenizer } from '../../trainer/tokenizer/hf-tokenizer.ts';

export const BASE_MODEL_DIR = 'models/base';

export interface BaseRun {
  readonly engine: 'host' | 'tfjs';
  /** How many of the world's edits (default 16). */
  readonly edits?: number;
  /** Epochs (default 3). */
  readonly epochs?: number;
}

export async function trainBaseModel({ engine, edits = 16, epochs = 3 }: BaseRun): Promise<LocftTrainResult> {
  const ck = await readHfCheckpoint(BASE_MODEL_DIR);
  const requests = parseDataset(readFileSync(`${BASE_MODEL_DIR}/world/edits.json`, 'utf8'))
    .requests.slice(0, edits)
    .map((r) => ({ prompt: r.prompt, target: r.target }));
  const model = LlamaModel.fromHostTensors(ck.config, ck.tensors);
  try {
    return await trainLocft({
      model,
      tokenizer: await loadHfTokenizer(BASE_MODEL_DIR),
      baseHash: await checkpointHash(BASE_MODEL_DIR),
      edits: requests,
      hyperParams: { layers: [6], batchSize: 4, epochs, lr: 5e-3, seed: 3 },
      options: { engine },
      store: new MemoryActivationStore(),
    });
  } finally {
    model.dispose();
  }
}
