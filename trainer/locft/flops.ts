// Matmul FLOPs of one LocFT step (forward above the split + the backward it needs), for achieved-GFLOP/s figures.
// Counted as useful work: forward of every linear and attention product above the split, the input gradient of
// everything on the path back to the lowest tuned tensor, and the weight gradient of tuned tensors only.
// Elementwise ops (norms, softmax, RoPE) are not counted; they are small next to the matmuls.
import type { ModelConfig } from '../model/config.ts';
import type { SplitPoint } from './frozen-prefix.ts';

export interface StepShape {
  readonly batch: number;
  readonly seqLen: number;
  /** Rows projected to the vocabulary (target rows, or batch*seqLen without target-only logits). */
  readonly projectedRows: number;
}

function layerFlops(
  c: ModelConfig,
  rows: number,
  batch: number,
  seqLen: number,
): { attn: number; mlpUpGate: number; down: number } {
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const proj = 2 * rows * c.hiddenSize * (q + 2 * kv) + 2 * rows * q * c.hiddenSize;
  const products = 2 * 2 * batch * c.numHeads * seqLen * seqLen * c.headDim;
  return {
    attn: proj + products,
    mlpUpGate: 2 * 2 * rows * c.hiddenSize * c.intermediateSize,
    down: 2 * rows * c.intermediateSize * c.hiddenSize,
  };
}

/** Matmul FLOPs of one step's forward, and forward + backward; `tunedDownOnly`: down_proj is the only tuned tensor. */
export function stepFlops(
  c: ModelConfig,
  at: SplitPoint,
  shape: StepShape,
  tunedLayers: readonly number[],
  tunedDownOnly: boolean,
): { forward: number; total: number } {
  const rows = shape.batch * shape.seqLen;
  const l = layerFlops(c, rows, shape.batch, shape.seqLen);
  const full = l.attn + l.mlpUpGate + l.down;
  let fwd = 0;
  let bwd = 0;
  // The split layer itself: only what lies above the split point runs.
  const splitPart = at.level === 'down-input' ? l.down : at.level === 'mlp-input' ? l.mlpUpGate + l.down : full;
  fwd += splitPart;
  for (let i = at.layer + 1; i < c.numLayers; i++) fwd += full;
  const logits = 2 * shape.projectedRows * c.hiddenSize * c.vocabSize;
  fwd += logits;
  // Backward: input gradients through everything above the split (counted like the forward, a slight overcount
  // at the split layer), plus the weight gradients of the tuned tensors (each costs its forward again).
  bwd += fwd;
  for (const _layer of new Set(tunedLayers)) bwd += tunedDownOnly ? l.down : full;
  return { forward: fwd, total: fwd + bwd };
}
