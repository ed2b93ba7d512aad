// The editing methods compared by `npm run eval:paper`, as trainer/locft hyper-parameters (the authors' defaults
// otherwise: Adam lr 5e-4, batch 100, <= 25 epochs, loss threshold 1e-2, seed 0):
//   locft-bf   breadth-first, model.layers.L.mlp.down_proj.weight          (the method)
//   df         depth-first, the same matrix                                 (the pipeline the paper shows failing)
//   bf-layer   breadth-first, every tensor of model.layers.L                (Table 3's full-layer tuning)

import type { CounterfactEdit } from '../trainer/basemodel/corpus-schemas.ts';
import type { HfCheckpoint } from '../trainer/checkpoint/hf-checkpoint.ts';
import type { HostTensor } from '../trainer/checkpoint/safetensors.ts';
import { DEFAULT_REWRITE_MODULE, type LocftHyperParamsInput } from '../trainer/locft/config.ts';
import { trainLocft } from '../trainer/locft/trainer.ts';
import { LlamaModel } from '../trainer/model/llama.ts';
import { formatDuration } from '../trainer/pretrain/progress.ts';
import type { HfTokenizer } from '../trainer/tokenizer/hf-tokenizer.ts';

export const EDIT_METHODS = ['locft-bf', 'df', 'bf-layer'] as const;
export type EditMethod = (typeof EDIT_METHODS)[number];

/** Hyper-parameters shared by every method of a comparison (unset = the authors' defaults). */
export interface SharedHyperParams {
  readonly lr?: number;
  readonly epochs?: number;
  readonly batchSize?: number;
}

export function methodHyperParams(
  method: EditMethod,
  layer: number,
  shared: SharedHyperParams = {},
): LocftHyperParamsInput {
  const common = { layers: [layer], ...shared };
  switch (method) {
    case 'locft-bf':
      return { ...common, rewriteModules: [DEFAULT_REWRITE_MODULE], schedule: 'breadth-first' };
    case 'df':
      return { ...common, rewriteModules: [DEFAULT_REWRITE_MODULE], schedule: 'depth-first' };
    case 'bf-layer':
      return { ...common, rewriteModules: ['model.layers.{}'], schedule: 'breadth-first' };
  }
}

export interface EditRun {
  /** The tuned tensors (replace the base's of the same name). */
  readonly tuned: Map<string, HostTensor>;
  readonly seconds: number;
  readonly epochs: number | null;
}

export async function runEditMethod(
  method: EditMethod,
  base: HfCheckpoint,
  tokenizer: HfTokenizer,
  edits: readonly CounterfactEdit[],
  layer: number,
  say: (msg: string) => void,
  shared: SharedHyperParams = {},
): Promise<EditRun> {
  const model = LlamaModel.fromHostTensors(base.config, base.tensors);
  let lastSaid = 0;
  try {
    const result = await trainLocft({
      model,
      tokenizer,
      baseHash: 'eval-paper',
      edits: edits.map((e) => ({ prompt: e.prompt, target: e.target_new })),
      hyperParams: methodHyperParams(method, layer, shared),
      onProgress: (p) => {
        if (p.elapsedMs - lastSaid < 30_000 && !p.done) return;
        lastSaid = p.elapsedMs;
        say(
          `${p.phase} epoch ${p.epoch}/${p.epochs} edit group ${p.group}/${p.groups} batch ${p.batch}/${p.batches} loss ${p.loss.toFixed(4)} elapsed ${formatDuration(p.elapsedMs / 1000)} ETA ${formatDuration(p.etaMs / 1000)}`,
        );
      },
    });
    return { tuned: result.tensors, seconds: result.durationMs / 1000, epochs: result.epochs };
  } finally {
    model.dispose();
  }
}
