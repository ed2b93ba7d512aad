// Causal language-modelling loss over a padded batch: mean token cross-entropy of next-token predictions, padding
// masked out. Every real position predicts (BOS -> first word ... answer -> EOS), so the model learns the text, the
// facts, and to stop with EOS right after an answer.

import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import { createContext, tokenIds } from '../model/llama.ts';
import type { LlamaModel } from '../model/llama.ts';
import { tf } from '../runtime/backend.ts';
import { pickLastDim } from '../runtime/ops.ts';
import type { PaddedBatch } from './batches.ts';

/** Mean negative log-likelihood (natural log) per predicted token; differentiable in the model's weights. */
export function causalLmLoss(model: LlamaModel, batch: PaddedBatch): Scalar {
  if (batch.tokens === 0) throw new RangeError('causalLmLoss: the batch has no predicted tokens');
  const vocab = model.config.vocabSize;
  const ctx = createContext(model.config, { attentionMask: batch.attentionMask });
  try {
    const logits = model.forward(tokenIds(batch.inputs, vocab), ctx);
    const logProbs = tf.logSoftmax(logits, -1);
    const picked = pickLastDim(logProbs, tokenIds(batch.targets, vocab));
    const mask = tf.tensor2d(batch.lossMask.flat(), [batch.lossMask.length, batch.lossMask[0]!.length]);
    return tf.div<Scalar>(tf.neg(tf.sum(tf.mul(picked, mask))), batch.tokens);
  } finally {
    ctx.dispose();
  }
}

/** Summed NLL and token count of a batch, without gradients (evaluation / perplexity). */
export async function batchNll(model: LlamaModel, batch: PaddedBatch): Promise<{ nll: number; tokens: number }> {
  const loss: Tensor = tf.tidy(() => causalLmLoss(model, batch));
  const mean = (await loss.data())[0]!;
  loss.dispose();
  return { nll: mean * batch.tokens, tokens: batch.tokens };
}
