// The training loss of one batch from its frozen prefix: the layers above the split, the final norm, the vocabulary
// projection and the weighted cross-entropy. Target-only: gather the rows that predict a target token first and
// project only those (rows x vocab instead of batch*seq x vocab). Full: project every row, weight 0 off-target.
import type { ForwardContext, LlamaModel } from '../model/llama.ts';
import { tf } from '../runtime/backend.ts';
import { takeRows } from '../runtime/ops.ts';
import type { TrainingBatch } from './batch.ts';
import { weightedCrossEntropy } from './cross-entropy.ts';
import { upperLayers } from './frozen-prefix.ts';
import type { SplitPoint } from './frozen-prefix.ts';

export function batchLoss(
  model: LlamaModel,
  at: SplitPoint,
  prefix: readonly tf.Tensor[],
  ctx: ForwardContext,
  batch: TrainingBatch,
  targetOnly: boolean,
): tf.Scalar {
  return tf.tidy(() => {
    const top = upperLayers(model, at, prefix, ctx);
    const flat = tf.reshape<tf.Rank.R2>(top, [batch.size * batch.seqLen, model.config.hiddenSize]);
    if (targetOnly) {
      const rows = takeRows(flat, tf.tensor1d(batch.targetRows, 'int32'));
      const logits = model.logits(model.finalNorm(rows));
      return weightedCrossEntropy(
        logits,
        tf.tensor1d(batch.targetLabels, 'int32'),
        tf.tensor1d(batch.targetWeights, 'float32'),
      );
    }
    const logits = model.logits(model.finalNorm(flat));
    return weightedCrossEntropy(
      logits,
      tf.tensor1d(batch.allLabels, 'int32'),
      tf.tensor1d(batch.allWeights, 'float32'),
    );
  });
}
