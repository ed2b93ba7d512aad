/**
 * Tensor ops the transformer uses whose tfjs defaults are slow or missing on the wasm backend.
 *
 * All take and return tensors of the shared tfjs instance from backend.ts. Every op here has a gradient on every
 * backend (tests/runtime-backends.int.test.ts checks them against tfjs's own gradients and plain references).
 */
import type { GradSaveFunc, Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { tf, transposedMatmulIsFast } from './backend.ts';

/** A [rows, cols] view of `x` with its leading dimensions flattened. */
function flatten2d(x: Tensor, cols: number): Tensor2D {
  return tf.reshape(x, [x.size / cols, cols]);
}

/**
 * a · bᵀ for 2-D a [m,k], b [n,k] (the linear forward: a = x, b = w).
 *
 * On plain wasm only an untransposed, unbatched matMul reaches XNNPACK (15-30 GFLOP/s); with transpose flags it
 * falls back to a scalar loop (0.4-2 GFLOP/s). Every other path costs a transpose (wasm: ~110 M floats/s) plus
 * XNNPACK packing its right operand (another pass over it). Two ways to pay:
 *   A: a · T(b)        transposes and packs the whole weight: 2·n·k floats
 *   B: T(b · T(a))     transposes a, packs T(a), transposes the [n, m] result: m·(2k + n) floats
 * Measured on a [896, 4864] weight: B is 2-20x faster up to ~64 rows (generation, small batches), A wins from a few
 * hundred rows (training), hence the threshold below, which leans towards A because XNNPACK runs A's shape better.
 */
function matMulBt(a: Tensor2D, b: Tensor2D): Tensor2D {
  if (transposedMatmulIsFast()) return tf.matMul(a, b, false, true);
  const [m, k] = a.shape;
  const n = b.shape[0];
  if (m * (2 * k + n) < n * k) return tf.transpose(tf.matMul<Tensor2D>(b, tf.transpose(a)));
  return tf.matMul(a, tf.transpose(b));
}

/** aᵀ · b for 2-D a [k,m], b [k,n]. */
function matMulAt(a: Tensor2D, b: Tensor2D): Tensor2D {
  if (transposedMatmulIsFast()) return tf.matMul(a, b, true, false);
  return tf.matMul(tf.transpose(a), b);
}

function linearForward(x: Tensor, w: Tensor2D, b: Tensor1D | undefined): Tensor {
  const [outFeatures, inFeatures] = w.shape;
  let y: Tensor = matMulBt(flatten2d(x, inFeatures), w);
  if (b) y = tf.add(y, b);
  return tf.reshape(y, [...x.shape.slice(0, -1), outFeatures]);
}

/**
 * Gradients of y = x·wᵀ (+ b), with x flattened to X [rows, in] and dy to G [rows, out]:
 *   dx = G · w      (plain matMul)
 *   dw = Gᵀ · X     (explicit transpose of G, then plain matMul)
 *   db = Σ_rows G
 * tfjs's own matMul gradient uses transposeA/transposeB, which run at 0.4-2 GFLOP/s on plain wasm versus 15-30 for
 * a plain matMul; on backends where transposed matmuls are native (wasm-blas, tensorflow) we pass the flags instead
 * of materialising the transpose.
 */
function linearBackward(dy: Tensor, x: Tensor, w: Tensor2D): { dx: Tensor; dw: Tensor; g: Tensor2D } {
  const [outFeatures, inFeatures] = w.shape;
  const g = flatten2d(dy, outFeatures);
  const dx = tf.reshape(tf.matMul(g, w), x.shape);
  const dw = matMulAt(g, flatten2d(x, inFeatures));
  return { dx, dw, g };
}

const linearNoBias = tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => {
  const [x, w, save] = args as [Tensor, Tensor2D, GradSaveFunc];
  save([x, w]);
  return {
    value: linearForward(x, w, undefined),
    gradFunc: (dy: Tensor, saved: Tensor[]) => {
      const [sx, sw] = saved as [Tensor, Tensor2D];
      const { dx, dw } = linearBackward(dy, sx, sw);
      return [dx, dw];
    },
  };
});

const linearWithBias = tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => {
  const [x, w, b, save] = args as [Tensor, Tensor2D, Tensor1D, GradSaveFunc];
  save([x, w]);
  return {
    value: linearForward(x, w, b),
    gradFunc: (dy: Tensor, saved: Tensor[]) => {
      const [sx, sw] = saved as [Tensor, Tensor2D];
      const { dx, dw, g } = linearBackward(dy, sx, sw);
      return [dx, dw, tf.sum(g, 0)];
    },
  };
});

function checkLinearArgs(x: Tensor, w: Tensor2D, b: Tensor1D | undefined): void {
  if (w.rank !== 2) throw new Error(`linear: weight must be 2-D [out, in], got shape [${w.shape}]`);
  const [outFeatures, inFeatures] = w.shape;
  if (x.rank < 1 || x.shape[x.rank - 1] !== inFeatures) {
    throw new Error(`linear: input last dimension must be ${inFeatures} (weight [${w.shape}]), got [${x.shape}]`);
  }
  if (x.dtype !== 'float32' || w.dtype !== 'float32') {
    throw new Error(`linear: input and weight must be float32, got ${x.dtype} and ${w.dtype}`);
  }
  if (b !== undefined && (b.rank !== 1 || b.shape[0] !== outFeatures)) {
    throw new Error(`linear: bias must have shape [${outFeatures}], got [${b.shape}]`);
  }
}

/**
 * Hugging Face nn.Linear: y = x · wᵀ + b for x [..., in], w [out, in], b [out]; returns [..., out].
 * Differentiable in x, w and b with the fast gradient described at linearBackward.
 */
export function linear(x: Tensor, w: Tensor2D, b?: Tensor1D): Tensor {
  checkLinearArgs(x, w, b);
  return b === undefined ? linearNoBias(x, w) : linearWithBias(x, w, b);
}

/**
 * `linear` for a weight that gets no gradient (a frozen tensor, e.g. every layer above the one LocFT tunes, and
 * lm_head). tfjs evaluates every output of a customGrad's gradFunc eagerly, so with w as an input each backward
 * pass would also compute dw = Gᵀ·X, which nobody reads: about a third of the backward matmul work. Here the
 * gradient is defined per call with x as the only input and w closed over; dx is computed exactly as in `linear`
 * (same kernels, same bits). The bias, if any, is added outside, where tfjs differentiates it lazily.
 */
export function linearFrozen(x: Tensor, w: Tensor2D, b?: Tensor1D): Tensor {
  checkLinearArgs(x, w, b);
  const [outFeatures] = w.shape;
  const onlyX = tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const [input, save] = args as [Tensor, GradSaveFunc];
    save([w]); // kept for the backward pass even when w was made in a tidy that has ended (vocabulary slices)
    return {
      value: linearForward(input, w, undefined),
      gradFunc: (dy: Tensor, saved: Tensor[]) =>
        tf.reshape(tf.matMul(flatten2d(dy, outFeatures), saved[0] as Tensor2D), input.shape),
    };
  });
  const y = onlyX(x);
  return b === undefined ? y : tf.add(y, b);
}

function assertIndices(name: string, ids: Tensor): void {
  if (ids.dtype !== 'int32') throw new Error(`${name}: indices must be int32, got ${ids.dtype}`);
}

/**
 * Embedding lookup: rows of `table` [vocab, hidden] for int32 `ids` of any shape; returns [...ids.shape, hidden].
 * Gradient with respect to the table: tfjs's own gather gradient (a scatter-add via UnsortedSegmentSum). The wasm
 * backend lacks that kernel, so backend.ts registers a JavaScript one (wasm-kernels.ts). Its cost is a zero-filled
 * [vocab, hidden] gradient plus one pass over dy, i.e. memory-bound and small next to the matmuls. Out-of-range ids
 * give zero rows on cpu/wasm (tfjs does not check), so callers should validate token ids at the tokenizer.
 */
export function embed(ids: Tensor, table: Tensor2D): Tensor {
  assertIndices('embed', ids);
  if (table.rank !== 2) throw new Error(`embed: table must be 2-D [vocab, hidden], got shape [${table.shape}]`);
  const rows = tf.gather(table, tf.reshape(ids, [-1]), 0);
  return tf.reshape(rows, [...ids.shape, table.shape[1]]);
}

/** Rows `rows` (int32 [k]) of a 2-D `x` [n, d] → [k, d]; differentiable in x (same mechanism as embed). */
export function takeRows(x: Tensor2D, rows: Tensor1D): Tensor2D {
  assertIndices('takeRows', rows);
  if (x.rank !== 2) throw new Error(`takeRows: x must be 2-D, got shape [${x.shape}]`);
  return tf.gather(x, rows, 0);
}

/**
 * out[...] = x[..., idx[...]] for x [..., V] and int32 idx [...] (x's shape without its last dim).
 * E.g. the log-probability of each target token from log-softmax output. Differentiable in x: the gradient is a
 * scatter into a zero tensor the size of x (which exists anyway), via a flat gather.
 */
export function pickLastDim(x: Tensor, idx: Tensor): Tensor {
  assertIndices('pickLastDim', idx);
  const lead = x.shape.slice(0, -1);
  if (idx.shape.length !== lead.length || idx.shape.some((d, i) => d !== lead[i])) {
    throw new Error(`pickLastDim: idx shape [${idx.shape}] must equal x shape without its last dim [${lead}]`);
  }
  const v = x.shape[x.rank - 1]!;
  const rows = idx.size;
  const flatIdx = tf.add(tf.mul(tf.range(0, rows, 1, 'int32'), tf.scalar(v, 'int32')), tf.reshape(idx, [-1]));
  return tf.reshape(tf.gather(tf.reshape(x, [-1]), flatIdx, 0), idx.shape);
}

/**
 * x[..., begin : begin + size] along the last dimension, differentiable (tf.slice; its gradient pads with zeros).
 * Prefer this (or tf.split) over tf.stridedSlice: StridedSlice has no gradient in tfjs.
 */
export function sliceLastDim(x: Tensor, begin: number, size: number): Tensor {
  const last = x.shape[x.rank - 1]!;
  if (!Number.isInteger(begin) || !Number.isInteger(size) || begin < 0 || size < 0 || begin + size > last) {
    throw new Error(`sliceLastDim: [${begin}, ${begin + size}) is outside the last dimension (${last})`);
  }
  const starts = x.shape.map((_, i) => (i === x.rank - 1 ? begin : 0));
  const sizes = x.shape.map((d, i) => (i === x.rank - 1 ? size : d));
  return tf.slice(x, starts, sizes);
}

const stopGradientImpl = tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => {
  const [x] = args as [Tensor];
  return { value: tf.clone(x), gradFunc: (dy: Tensor) => [tf.zerosLike(dy)] };
});

/** x in the forward pass, zero gradient in the backward pass (tfjs has no tf.stopGradient). */
export function stopGradient(x: Tensor): Tensor {
  return stopGradientImpl(x);
}
