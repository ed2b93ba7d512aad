// Which tensors a LocFT run tunes, and how much of the forward pass lies strictly below them (frozen, so it can be
// computed once per edit and cached). The deeper the cache level, the less each step recomputes:
//
//   down-input   only down_proj is tuned in the lowest tuned layer L: cache layer L's residual after attention and
//                down_proj's input (silu(gate)·up); a step runs down_proj and the layers above.
//   mlp-input    only MLP tensors of layer L are tuned: cache the residual after L's attention block.
//   layer-input  anything else in layer L (attention, norms, the whole layer): cache the residual entering L.
import type { ModelConfig } from '../model/config.ts';
import { selectParameters } from '../model/params.ts';
import type { LocftHyperParams } from './config.ts';

export const CACHE_LEVELS = ['down-input', 'mlp-input', 'layer-input'] as const;
export type CacheLevel = (typeof CACHE_LEVELS)[number];

export interface TuningPlan {
  /** Tuned parameter names, in the model's parameter order. */
  readonly tunedNames: readonly string[];
  /** Lowest layer holding a tuned tensor. */
  readonly lowestLayer: number;
  readonly level: CacheLevel;
}

const LAYER_NAME = /^model\.layers\.(\d+)\.(.+)$/;

export class TuningPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TuningPlanError';
  }
}

/** Float arrays the cache holds per edit at each level, as [rows = tokens, columns] widths. */
export function cachedWidths(level: CacheLevel, config: ModelConfig): number[] {
  return level === 'down-input' ? [config.hiddenSize, config.intermediateSize] : [config.hiddenSize];
}

export function planTuning(
  config: ModelConfig,
  parameterNames: Iterable<string>,
  hp: Pick<LocftHyperParams, 'rewriteModules' | 'layers'>,
): TuningPlan {
  const tunedNames = selectParameters(
    parameterNames,
    { pattern: hp.rewriteModules, layers: hp.layers },
    config.numLayers,
  );
  let lowestLayer = Number.POSITIVE_INFINITY;
  const byLayer = new Map<number, string[]>();
  for (const name of tunedNames) {
    const m = LAYER_NAME.exec(name);
    if (!m) {
      throw new TuningPlanError(
        `rewriteModules: selects "${name}", which is outside the transformer layers; LocFT tunes tensors of model.layers.{i}`,
      );
    }
    const layer = Number(m[1]);
    lowestLayer = Math.min(lowestLayer, layer);
    byLayer.set(layer, [...(byLayer.get(layer) ?? []), m[2]!]);
  }
  if (tunedNames.length === 0) throw new TuningPlanError('rewriteModules: selects no parameter');
  const local = byLayer.get(lowestLayer) ?? [];
  const level: CacheLevel = local.every((n) => n === 'mlp.down_proj.weight')
    ? 'down-input'
    : local.every((n) => n.startsWith('mlp.') || n === 'post_attention_layernorm.weight')
      ? 'mlp-input'
      : 'layer-input';
  return { tunedNames, lowestLayer, level };
}
