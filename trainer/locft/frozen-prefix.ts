// The frozen part of the forward pass (everything below the tuned tensors) and the trainable part above it, split
// at a cache level (see tuning-plan.ts). prefix(ids) -> tensors at the level; upper(prefix) -> the residual stream
// after the last layer. upper(prefix(ids)) is the model's ordinary forward pass up to the final norm.
import type { ForwardContext, LlamaModel } from '../model/llama.ts';
import { tf } from '../runtime/backend.ts';
import type { CacheLevel } from './tuning-plan.ts';

type Tensor = tf.Tensor;

export interface SplitPoint {
  readonly level: CacheLevel;
  readonly layer: number;
}

/** The frozen activations at the split point for int32 ids [batch, seq]: one or two [batch, seq, width] tensors. */
export function frozenPrefix(model: LlamaModel, at: SplitPoint, ids: Tensor, ctx: ForwardContext): Tensor[] {
  return tf.tidy(() => {
    const h = model.runLayers(model.embed(ids), 0, at.layer, ctx);
    if (at.level === 'layer-input') return [h];
    const afterAttention = model.attentionBlock(at.layer, h, ctx);
    if (at.level === 'mlp-input') return [afterAttention];
    return [afterAttention, model.mlpHidden(at.layer, afterAttention)];
  });
}

/** From the frozen activations to the residual stream after the last layer (before the final norm). */
export function upperLayers(model: LlamaModel, at: SplitPoint, prefix: readonly Tensor[], ctx: ForwardContext): Tensor {
  const [first, second] = prefix;
  if (!first) throw new Error('upperLayers: no prefix activations');
  if (at.level === 'layer-input') return model.runLayers(first, at.layer, model.numLayers, ctx);
  const mlpInput = at.level === 'down-input' ? second : model.mlpHidden(at.layer, first);
  if (!mlpInput) throw new Error('upperLayers: down-input level needs two prefix tensors');
  const h = tf.add(first, model.mlpOut(at.layer, mlpInput));
  return model.runLayers(h, at.layer + 1, model.numLayers, ctx);
}
