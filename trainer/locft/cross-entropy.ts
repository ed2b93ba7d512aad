// Weighted token cross-entropy with a hand-written gradient: loss = Σ_i w_i · (logsumexp(z_i) - z_i[label_i]).
// The gradient is w_i · (softmax(z_i) - onehot(label_i)), computed directly instead of differentiating
// logSoftmax + a gather (whose gradient on wasm goes through a JavaScript scatter over the whole logits matrix).
// With w_i = 1 / (batch · targetTokens of i's sample) at target rows and 0 elsewhere this is the authors' loss:
// per-sample mean over target tokens, then mean over the batch.
import type { GradSaveFunc, Tensor } from '@tensorflow/tfjs-core';
import { tf } from '../runtime/backend.ts';
import { pickLastDim } from '../runtime/ops.ts';

const weightedCe = tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => {
  const [logits, labels, weights, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, GradSaveFunc];
  const shifted = tf.sub(logits, tf.max(logits, -1, true));
  const exps = tf.exp(shifted);
  const sums = tf.sum(exps, -1, true);
  const nll = tf.sub(tf.log(tf.reshape(sums, [-1])), pickLastDim(shifted, labels));
  // The softmax for the backward pass from the same exponentials (the exp over rows x vocab is the costly part).
  save([tf.div(exps, sums), labels, weights]);
  return {
    value: tf.sum(tf.mul(nll, weights)),
    gradFunc: (dy: Tensor, saved: Tensor[]) => {
      const [probs, l, w] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
      // int32 one-hot, then cast: tfjs-backend-wasm 4.22's OneHot writes garbage for dtype float32.
      const oneHot = tf.cast(tf.oneHot(l, probs.shape[1]), 'float32');
      const scale = tf.mul(tf.reshape(w, [-1, 1]), dy);
      return [tf.mul(tf.sub(probs, oneHot), scale), tf.zerosLike(l), tf.zerosLike(w)];
    },
  };
});

/** Σ_i weights[i] · CE(logits[i], labels[i]) for logits [n, vocab], int32 labels [n], float32 weights [n]. */
export function weightedCrossEntropy(logits: Tensor, labels: Tensor, weights: Tensor): tf.Scalar {
  if (logits.rank !== 2) throw new Error(`weightedCrossEntropy: logits must be [n, vocab], got [${logits.shape}]`);
  const n = logits.shape[0];
  if (labels.shape.join() !== String(n) || weights.shape.join() !== String(n)) {
    throw new Error(
      `weightedCrossEntropy: labels [${labels.shape}] and weights [${weights.shape}] must both be [${n}]`,
    );
  }
  if (labels.dtype !== 'int32') throw new Error('weightedCrossEntropy: labels must be int32');
  return weightedCe(logits, labels, weights) as tf.Scalar;
}
