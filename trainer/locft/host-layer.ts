// One decoder layer of the host step engine, forward and backward, on packed rows (host-batch.ts) with the padded
// per-head layout inside attention (host-attention.ts). The order of operations is the model's own
// (trainer/model/llama.ts); every buffer is a named slot of the layer's state (host-state.ts).
import type { ModelConfig } from '../model/config.ts';
import type { RopeTable } from '../model/rope.ts';
import { AttentionWorkspace } from './host-attention.ts';
import type { PackedBatch } from './host-batch.ts';
import type { HostBlas } from './host-blas.ts';
import { addBias, addRow, gatherRows } from './host-rows.ts';
import type { LayerState, Slot, StepState } from './host-state.ts';
import type { LayerWeights } from './host-weights.ts';

/** What every layer pass shares: the products, the model's shape, the RoPE table and the buffers. */
export interface HostPass {
  readonly blas: HostBlas;
  readonly config: ModelConfig;
  readonly rope: RopeTable;
  readonly state: StepState;
}

/** Per-layer activations kept for the backward pass. */
export interface LayerTape {
  readonly layer: number;
  readonly input: Float32Array;
  readonly rs1: Float32Array;
  readonly attn: AttentionWorkspace;
  /** Rows after attention that continue (all rows, or the target rows in the last layer). */
  readonly selected: Int32Array | null;
  readonly mid: Float32Array;
  readonly rs2: Float32Array;
  readonly gateUp: Float32Array;
  readonly act: Float32Array;
}

/**
 * Layer l: the attention sub-block on all rows, then only `selected` rows (null: all) go on through the residual,
 * o_proj and the MLP. Returns the layer's output rows and what the backward pass needs.
 */
export function layerForward(
  pass: HostPass,
  l: number,
  w: LayerWeights,
  input: Float32Array,
  batch: PackedBatch,
  selected: Int32Array | null,
): { tape: LayerTape; out: Float32Array } {
  const { blas, config: c } = pass;
  const s: LayerState = pass.state.layer(l);
  const D = c.hiddenSize;
  const F = c.intermediateSize;
  const R = batch.rows;
  const { numHeads: H, numKvHeads: KV, headDim: hd } = c;
  const width = (H + 2 * KV) * hd;
  const rs1 = s.rs1.take(R);
  const n1 = rmsNorm(pass, s.n1, input, w.norm1, rs1);
  const qkv = s.qkv.take(R * width);
  blas.gemm({ out: qkv, a: n1, b: w.qkv, transB: true, m: R, n: width, k: D });
  if (w.qkvBias) addBias(qkv, w.qkvBias, width);
  // RoPE on q and k (q also scaled by 1/sqrt(hd), as the model does) into the padded per-head layout.
  const ws = new AttentionWorkspace(H, KV, batch.size, batch.seqLen, hd, (n) => s.attention.take(n));
  const { B, T } = ws;
  const geometry = headGeometry(c, batch);
  const { cos, sin } = pass.rope;
  blas.kernels.qkvToHeads(qkv, ...geometry, cos, sin, 1 / Math.sqrt(hd), ws.q, ws.k, ws.v);
  // probs = causal softmax(q·kᵀ), attended = probs·v, per (head, sequence).
  blas.gemmBatch(ws.product({ out: ws.probs, a: ws.q, b: ws.k, transB: true, m: T, n: T, k: hd }));
  blas.kernels.causalSoftmax(ws.probs, H * B, T);
  blas.gemmBatch(ws.product({ out: ws.attended, a: ws.probs, b: ws.v, m: T, n: hd, k: T }));
  // Back to packed rows [n, H·hd] for the rows that continue.
  const continuing = selected ?? batch.allRows;
  const n = continuing.length;
  const attnRows = s.attnRows.take(n * H * hd);
  blas.kernels.headsToRows(ws.attended, ...geometry, continuing, batch.seqOf, attnRows);
  // mid = input + o_proj(attention), on the continuing rows.
  const mid = s.mid.take(n * D);
  if (selected) gatherRows(mid, input, selected, D);
  else mid.set(input);
  if (w.oBias) addBias(mid, w.oBias, D);
  blas.gemm({ out: mid, a: attnRows, b: w.o, transB: true, m: n, n: D, k: H * hd, accumulate: true });
  // MLP: out = mid + down(silu(gate(n2)) · up(n2)).
  const rs2 = s.rs2.take(n);
  const n2 = rmsNorm(pass, s.n2, mid, w.norm2, rs2);
  const gateUp = s.gateUp.take(n * 2 * F);
  blas.gemm({ out: gateUp, a: n2, b: w.gateUp, transB: true, m: n, n: 2 * F, k: D });
  const act = s.act.take(n * F);
  blas.kernels.swiglu(gateUp, n, F, act);
  const out = s.out.take(n * D);
  out.set(mid);
  blas.gemm({ out, a: act, b: w.down, transB: true, m: n, n: D, k: F, accumulate: true });
  return { tape: { layer: l, input, rs1, attn: ws, selected, mid, rs2, gateUp, act }, out };
}

/** dLoss/d(layer output rows) -> dLoss/d(layer input), all packed rows. */
export function layerBackward(
  pass: HostPass,
  w: LayerWeights,
  tape: LayerTape,
  dOut: Float32Array,
  batch: PackedBatch,
): Float32Array {
  const { blas, config: c, state } = pass;
  const D = c.hiddenSize;
  const F = c.intermediateSize;
  const n = tape.rs2.length;
  // MLP.
  const dAct = state.dAct.take(n * F);
  blas.gemm({ out: dAct, a: dOut, b: w.down, m: n, n: F, k: D });
  const dGateUp = state.dGateUp.take(n * 2 * F);
  blas.kernels.swigluBackward(tape.gateUp, dAct, n, F, dGateUp);
  const dn2 = state.dn2.take(n * D);
  blas.gemm({ out: dn2, a: dGateUp, b: w.gateUp, m: n, n: D, k: 2 * F });
  const dMid = rmsNormBackward(pass, state.dMid, tape.mid, tape.rs2, w.norm2, dn2, dOut);
  // Attention: o_proj, then the per (head, sequence) products in the padded layout.
  const { numHeads: H, numKvHeads: KV, headDim: hd } = c;
  const ws = tape.attn;
  const { B, T } = ws;
  const dAttnRows = state.dAttnRows.take(n * H * hd);
  blas.gemm({ out: dAttnRows, a: dMid, b: w.o, m: n, n: H * hd, k: D });
  const geometry = headGeometry(c, batch);
  blas.kernels.rowsToHeads(dAttnRows, ...geometry, tape.selected ?? batch.allRows, batch.seqOf, ws.dAttended);
  blas.gemmBatch(ws.product({ out: ws.dProbs, a: ws.dAttended, b: ws.v, transB: true, m: T, n: T, k: hd }));
  blas.gemmBatch(ws.product({ out: ws.dvHeads, a: ws.probs, b: ws.dAttended, transA: true, m: T, n: hd, k: T }));
  blas.kernels.causalSoftmax(ws.probs, H * B, T, ws.dProbs); // dProbs := dScores
  blas.gemmBatch(ws.product({ out: ws.dq, a: ws.dProbs, b: ws.k, m: T, n: hd, k: T }));
  blas.gemmBatch(ws.product({ out: ws.dkHeads, a: ws.dProbs, b: ws.q, transA: true, m: T, n: hd, k: T }));
  // Back to packed q/k/v gradients, undoing RoPE and q's scale; a kv head sums the gradients of its query heads.
  const R = batch.rows;
  const width = (H + 2 * KV) * hd;
  const dqkv = state.dqkv.take(R * width);
  const { cos, sin } = pass.rope;
  blas.kernels.headsToQkvGrad(ws.dq, ws.dkHeads, ws.dvHeads, ...geometry, cos, sin, 1 / Math.sqrt(hd), dqkv);
  const dn1 = state.dn1.take(R * D);
  blas.gemm({ out: dn1, a: dqkv, b: w.qkv, m: R, n: D, k: width });
  const dInputSlot = state.layer(tape.layer).dInput;
  const dInput = rmsNormBackward(
    pass,
    dInputSlot,
    tape.input,
    tape.rs1,
    w.norm1,
    dn1,
    tape.selected ? undefined : dMid,
  );
  // The residual path: rows that went on past attention carry dMid straight back to the input.
  if (tape.selected) for (let r = 0; r < n; r++) addRow(dInput, tape.selected[r]!, dMid, r, D);
  return dInput;
}

/** RMSNorm of every row of x into `into`; rs receives each row's 1/rms. */
export function rmsNorm(pass: HostPass, into: Slot, x: Float32Array, g: Float32Array, rs: Float32Array): Float32Array {
  const width = pass.config.hiddenSize;
  const out = into.take(x.length);
  pass.blas.kernels.rmsNorm(x, x.length / width, width, g, pass.config.rmsNormEps, out, rs);
  return out;
}

/** RMSNorm's input gradient, plus `residual` (the gradient arriving by the skip connection) when given. */
export function rmsNormBackward(
  pass: HostPass,
  into: Slot,
  x: Float32Array,
  rs: Float32Array,
  g: Float32Array,
  dy: Float32Array,
  residual?: Float32Array,
): Float32Array {
  const width = pass.config.hiddenSize;
  const dx = into.take(x.length);
  if (residual) dx.set(residual);
  pass.blas.kernels.rmsNormBackward(x, rs, x.length / width, width, g, dy, dx, residual !== undefined);
  return dx;
}

/** The batch geometry the head-layout kernels take: dims [B, T, H, KV, hd], offsets, lengths. */
function headGeometry(c: ModelConfig, batch: PackedBatch): [Int32Array, Int32Array, Int32Array] {
  return [Int32Array.of(batch.size, batch.seqLen, c.numHeads, c.numKvHeads, c.headDim), batch.offsets, batch.lengths];
}
