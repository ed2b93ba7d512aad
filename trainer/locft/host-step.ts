// The LocFT-BF training step written out by hand on host arrays, with every matrix product on OpenBLAS sgemm.
//
// Why: on the project's base model a tfjs step is ~400 small kernels (each with dispatch, allocation and a wasm
// heap round trip), so the whole step ran at 16-20% of what sgemm alone reaches. This engine does the same maths for
// the common LocFT case — only `model.layers.L.mlp.down_proj.weight` is tuned, activations cached at down_proj's
// input, loss on target rows only — in a few dozen sgemm calls and tight loops, and does less of it:
//   - rows are PACKED (real tokens only; a batch's padding is never computed), except inside attention, which uses
//     a padded [head, sequence, position] layout so that each product is one batched sgemm call;
//   - in the last layer only target rows go through o_proj and the MLP (nothing else reaches the loss);
//   - the vocabulary projection runs on target rows only (as in the tfjs path).
// Forward, in the model's own order (trainer/model/llama.ts): x_L = A + M·Wᵀ (A: layer L's residual after attention,
// M: silu(gate)·up, both cached; W: the tuned down_proj), then each layer above, the final RMSNorm and the weighted
// target-token cross-entropy (batch.ts). Backward is the chain rule by hand down to dW = dx_Lᵀ·M.
// Same inputs -> same bits (fixed loop order, single-threaded JavaScript, sgemm calls of fixed shapes); not the same
// bits as the tfjs path (float32 ops there, float64 accumulation in the loops here), so the engine is recorded with
// every run (see trainer.ts).
import type { ModelConfig } from '../model/config.ts';
import type { RowKernelAddon } from '../runtime/blas-kernel.ts';
import type { TrainingBatch } from './batch.ts';

/** What the engine needs of the model: its config and every frozen tensor above the split, as host arrays. */
export interface HostWeightSource {
  readonly config: ModelConfig;
  /** The current values of a parameter (HF name). */
  read(name: string): Float32Array;
}

interface LayerWeights {
  readonly norm1: Float32Array;
  /** q, k and v projections stacked row-wise: [(H + 2·KV)·hd, D]. */
  readonly qkv: Float32Array;
  readonly qkvBias: Float32Array | null;
  readonly o: Float32Array;
  readonly oBias: Float32Array | null;
  readonly norm2: Float32Array;
  /** gate and up projections stacked row-wise: [2F, D]. */
  readonly gateUp: Float32Array;
  readonly down: Float32Array;
}

/** Below this many multiply-adds a product runs on one OpenBLAS thread (measured on models/base: 0, 3e5, 2e6 and
 * "always one" give 14.5, 13.3, 13.7 and 16.5 ms per 100-edit step; the per-edit cache fill is the same either way). */
export const SMALL_PRODUCT_MACS = 300_000;

/** One batch in the engine's packed layout. */
export interface PackedBatch {
  readonly size: number;
  /** Longest sequence (the padded length inside attention). */
  readonly seqLen: number;
  readonly lengths: Int32Array;
  /** First packed row of each sequence. */
  readonly offsets: Int32Array;
  readonly rows: number;
  /** The sequence of every packed row, and 0 .. rows-1 (the row list when every row continues). */
  readonly seqOf: Int32Array;
  readonly allRows: Int32Array;
  /** Layer L's residual after attention [rows, D] and down_proj's input [rows, F], packed. */
  readonly residual: Float32Array;
  readonly mlpHidden: Float32Array;
  /** Packed rows that predict a target token, with labels and loss weights (batch.ts). */
  readonly targetRows: Int32Array;
  readonly labels: Int32Array;
  readonly weights: Float32Array;
}

/** Packs a TrainingBatch and each edit's cached [tokens, width] arrays (residual, mlpHidden). */
export function packBatch(
  batch: TrainingBatch,
  entries: readonly (readonly Float32Array[])[],
  hidden: number,
  intermediate: number,
  allocate: (role: 'residual' | 'mlpHidden', n: number) => Float32Array = (_, n) => new Float32Array(n),
): PackedBatch {
  const lengths = new Int32Array(batch.size);
  const offsets = new Int32Array(batch.size);
  let rows = 0;
  for (let b = 0; b < batch.size; b++) {
    const mask = batch.attentionMask[b]!;
    let n = 0;
    for (const m of mask) n += m;
    const [res, mlp] = entries[b] ?? [];
    if (!res || !mlp || res.length !== n * hidden || mlp.length !== n * intermediate) {
      throw new Error(
        `batch item ${b}: cached activations do not hold ${n} rows of widths ${hidden} and ${intermediate}; truncated cache entry`,
      );
    }
    lengths[b] = n;
    offsets[b] = rows;
    rows += n;
  }
  const residual = allocate('residual', rows * hidden);
  const mlpHidden = allocate('mlpHidden', rows * intermediate);
  for (let b = 0; b < batch.size; b++) {
    residual.set(entries[b]![0]!, offsets[b]! * hidden);
    mlpHidden.set(entries[b]![1]!, offsets[b]! * intermediate);
  }
  const targetRows = new Int32Array(batch.targetRows.length);
  for (let i = 0; i < targetRows.length; i++) {
    const padded = batch.targetRows[i]!;
    const b = Math.floor(padded / batch.seqLen);
    targetRows[i] = offsets[b]! + (padded - b * batch.seqLen);
  }
  return {
    size: batch.size,
    seqLen: batch.seqLen,
    lengths,
    offsets,
    rows,
    ...rowIndex(lengths, offsets, rows),
    residual,
    mlpHidden,
    targetRows,
    labels: batch.targetLabels,
    weights: batch.targetWeights,
  };
}

export interface HostStepResult {
  readonly loss: number;
  /** dLoss/dW [D, F] (only when asked for). */
  readonly grad?: Float32Array;
  /** Matmul FLOPs this call performed (2·m·n·k summed over its sgemm calls). */
  readonly flops: number;
  /** Wall time inside those sgemm calls (the step's own-shape matmul ceiling is flops / this). */
  readonly sgemmMs: number;
}

/** Why the engine cannot run a configuration, or undefined when it can. */
export function hostStepUnsupported(config: ModelConfig, layer: number): string | undefined {
  if (layer < 0 || layer >= config.numLayers) return `layer ${layer} is out of range`;
  if (config.headDim % 2 !== 0) return `head dim ${config.headDim} is odd`;
  if (config.numHeads % config.numKvHeads !== 0) return 'heads are not a multiple of kv heads';
  return undefined;
}

/** Per-layer activations kept for the backward pass. */
interface LayerTape {
  readonly layer: number;
  readonly input: Float32Array;
  readonly rs1: Float32Array;
  /** Padded per-head buffers, all inside one array (sgemmBatch addresses its matrices within a single array). */
  readonly attn: AttentionWorkspace;
  /** Rows after attention that continue (all rows, or the target rows in the last layer). */
  readonly selected: Int32Array | null;
  readonly mid: Float32Array;
  readonly rs2: Float32Array;
  readonly gateUp: Float32Array;
  readonly act: Float32Array;
}

export class HostStepEngine {
  private readonly c: ModelConfig;
  /** Layers L+1 .. N-1 (the ones a step runs). */
  private readonly layers: LayerWeights[] = [];
  /** Layers 0 .. L and the embedding, read on the first prefix() call. */
  private below: { layers: LayerWeights[]; embed: Float32Array } | undefined;
  private readonly source: HostWeightSource;
  private readonly finalNorm: Float32Array;
  private readonly head: Float32Array;
  private readonly cos: Float32Array;
  private readonly sin: Float32Array;
  private flops = 0;
  /** Reused buffers by role (see buf). */
  private readonly arena = new Map<string, Float32Array>();
  private sgemmMs = 0;
  private readonly defaultThreads: number;
  private threads: number;

  /** @param tuned the tuned down_proj [D, F]; the engine reads it on every call (the optimizer updates it in place). */
  constructor(
    private readonly blas: RowKernelAddon,
    source: HostWeightSource,
    readonly layer: number,
    readonly tuned: Float32Array,
    /** Products below this many multiply-adds run on one OpenBLAS thread (default SMALL_PRODUCT_MACS). */
    private readonly smallProductMacs = SMALL_PRODUCT_MACS,
  ) {
    const c = source.config;
    this.c = c;
    this.defaultThreads = blas.setNumThreads(1);
    blas.setNumThreads(this.defaultThreads);
    this.threads = this.defaultThreads;
    const why = hostStepUnsupported(c, layer);
    if (why) throw new Error(`host step: ${why}`);
    for (let l = layer + 1; l < c.numLayers; l++) this.layers.push(readLayer(source, l));
    this.source = source;
    this.finalNorm = source.read('model.norm.weight');
    this.head = source.read(c.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight');
    // RoPE tables per position, computed as createContext does (float64 angles stored as float32).
    const half = c.headDim / 2;
    const positions = c.maxPositionEmbeddings;
    this.cos = new Float32Array(positions * half);
    this.sin = new Float32Array(positions * half);
    for (let pos = 0; pos < positions; pos++) {
      for (let k = 0; k < half; k++) {
        const angle = pos * (1 / c.ropeTheta ** ((2 * k) / c.headDim));
        this.cos[pos * half + k] = Math.cos(angle);
        this.sin[pos * half + k] = Math.sin(angle);
      }
    }
  }

  /** The batch's loss, and dLoss/dW when `withGrad`. */
  run(batch: PackedBatch, withGrad: boolean): HostStepResult {
    this.flops = 0;
    this.sgemmMs = 0;
    const { c } = this;
    const D = c.hiddenSize;
    const F = c.intermediateSize;
    const R = batch.rows;
    // x_L = A + M·Wᵀ
    const x = this.buf('x', R * D);
    x.set(batch.residual);
    this.gemm(false, true, R, D, F, batch.mlpHidden, this.tuned, x, true);
    const tapes: LayerTape[] = [];
    let h: Float32Array = x;
    for (const [i, w] of this.layers.entries()) {
      const last = i === this.layers.length - 1;
      const { tape, out } = this.layerForward(this.layer + 1 + i, w, h, batch, last ? batch.targetRows : null);
      tapes.push(tape);
      h = out;
    }
    // Final norm and head on target rows (already selected when a layer above L ran).
    const nt = batch.targetRows.length;
    const z = this.layers.length > 0 ? h : gatherRows(this.buf('z', nt * D), h, batch.targetRows, D);
    const rsf = this.buf('rsf', nt);
    const nf = this.rmsNorm('nf', z, this.finalNorm, D, rsf);
    const V = c.vocabSize;
    const logits = this.buf('logits', nt * V);
    this.gemm(false, true, nt, V, D, nf, this.head, logits);
    const loss = this.blas.softmaxXent(logits, nt, V, batch.labels, batch.weights, withGrad);
    if (!withGrad) return { loss, flops: this.flops, sgemmMs: this.sgemmMs };

    // Backward. `logits` now holds dLoss/dlogits.
    const dnf = this.buf('dnf', nt * D);
    this.gemm(false, false, nt, D, V, logits, this.head, dnf);
    let dh = this.rmsNormBackward('dz', z, rsf, this.finalNorm, dnf, D);
    for (let i = this.layers.length - 1; i >= 0; i--) dh = this.layerBackward(this.layers[i]!, tapes[i]!, dh, batch);
    const dx = this.layers.length > 0 ? dh : scatterRows(this.buf('dx', R * D).fill(0), dh, batch.targetRows, D);
    const grad = new Float32Array(D * F); // returned: not an arena buffer
    this.gemm(true, false, D, F, R, dx, batch.mlpHidden, grad);
    return { loss, grad, flops: this.flops, sgemmMs: this.sgemmMs };
  }

  /**
   * The frozen activations the step starts from, for ONE edit's input ids alone: layer L's residual after attention
   * [tokens, D] and down_proj's input [tokens, F] (what trainer.ts caches). Computed alone so that an entry never
   * depends on which other edits share a batch.
   */
  prefix(ids: readonly number[]): [Float32Array, Float32Array] {
    const { c } = this;
    const D = c.hiddenSize;
    if (ids.length === 0) throw new Error('host prefix: no input ids');
    if (ids.length > c.maxPositionEmbeddings)
      throw new Error(`host prefix: ${ids.length} ids exceed ${c.maxPositionEmbeddings} positions`);
    if (!this.below) {
      const layers: LayerWeights[] = [];
      for (let l = 0; l <= this.layer; l++) layers.push(readLayer(this.source, l));
      this.below = { layers, embed: this.source.read('model.embed_tokens.weight') };
    }
    const n = ids.length;
    let h: Float32Array = this.buf('embed', n * D);
    for (let t = 0; t < n; t++) {
      const id = ids[t]!;
      if (!Number.isInteger(id) || id < 0 || id >= c.vocabSize)
        throw new Error(`host prefix: id ${id} at ${t} is outside the vocabulary (0-${c.vocabSize - 1})`);
      h.set(this.below.embed.subarray(id * D, (id + 1) * D), t * D);
    }
    const one: PackedBatch = {
      size: 1,
      seqLen: n,
      lengths: Int32Array.of(n),
      offsets: Int32Array.of(0),
      rows: n,
      ...rowIndex(Int32Array.of(n), Int32Array.of(0), n),
      residual: h,
      mlpHidden: new Float32Array(0),
      targetRows: new Int32Array(0),
      labels: new Int32Array(0),
      weights: new Float32Array(0),
    };
    for (let l = 0; l < this.layer; l++) h = this.layerForward(l, this.below.layers[l]!, h, one, null).out;
    const { tape } = this.layerForward(this.layer, this.below.layers[this.layer]!, h, one, null);
    return [tape.mid.slice(), tape.act.slice()]; // copies: the arena is reused by the next call
  }

  /**
   * A buffer of n floats for one role in the step (e.g. "7:qkv"), reused across calls so that a step allocates
   * (and the collector frees) almost nothing. Contents are whatever the last call left: callers either overwrite
   * it whole or zero it.
   */
  private buf(key: string, n: number): Float32Array {
    let b = this.arena.get(key);
    if (!b || b.length < n) {
      b = new Float32Array(Math.ceil(n * 1.25));
      this.arena.set(key, b);
    }
    return b.subarray(0, n);
  }

  /** out = op(a) · op(b), or out += op(a) · op(b) with `accumulate` (sgemm's beta = 1). */
  private gemm(
    ta: boolean,
    tb: boolean,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    accumulate = false,
  ): void {
    if (m === 0 || n === 0) return;
    if (k === 0) {
      if (!accumulate) out.fill(0, 0, m * n);
      return;
    }
    this.useThreads(m * n * k);
    const t0 = performance.now();
    this.blas.sgemm(ta, tb, m, n, k, a, b, out, accumulate ? 1 : 0);
    this.sgemmMs += performance.now() - t0;
    this.flops += 2 * m * n * k;
  }

  private gemmBatch(
    heap: Float32Array,
    ta: boolean,
    tb: boolean,
    m: number,
    n: number,
    k: number,
    a: Float64Array,
    b: Float64Array,
    out: Float64Array,
  ): void {
    this.useThreads(m * n * k); // each product of the batch is small
    const t0 = performance.now();
    this.blas.sgemmBatch(heap, ta, tb, m, n, k, a, b, out);
    this.sgemmMs += performance.now() - t0;
    this.flops += 2 * m * n * k * out.length;
  }

  /**
   * One OpenBLAS thread for products below SMALL_PRODUCT_MACS multiply-adds (waking the second thread costs more
   * than it saves there), the addon's default above. A pure function of the shape, so runs stay deterministic.
   */
  private useThreads(macs: number): void {
    const want = macs < this.smallProductMacs ? 1 : this.defaultThreads;
    if (want !== this.threads) {
      this.blas.setNumThreads(want);
      this.threads = want;
    }
  }

  /** packBatch into the engine's reused buffers (valid until the next pack). */
  pack(batch: TrainingBatch, entries: readonly (readonly Float32Array[])[]): PackedBatch {
    return packBatch(batch, entries, this.c.hiddenSize, this.c.intermediateSize, (role, n) =>
      this.buf(`pack:${role}`, n),
    );
  }

  /** The native Adam loop for the optimizer of the tuned matrix (see HostAdam). */
  adamKernel(): RowKernelAddon['adamStep'] {
    return (...args) => this.blas.adamStep(...args);
  }

  /** Puts OpenBLAS back to its default thread count (call when done with the engine). */
  release(): void {
    this.useThreads(Number.POSITIVE_INFINITY);
  }

  /**
   * One layer above L: the attention sub-block on all rows, then only `selected` rows (null: all) go on through the
   * residual, o_proj and the MLP. Returns the layer's output rows and what the backward pass needs.
   */
  private layerForward(
    l: number,
    w: LayerWeights,
    input: Float32Array,
    batch: PackedBatch,
    selected: Int32Array | null,
  ): { tape: LayerTape; out: Float32Array } {
    const { c } = this;
    const D = c.hiddenSize;
    const F = c.intermediateSize;
    const R = batch.rows;
    const { numHeads: H, numKvHeads: KV, headDim: hd } = c;
    const width = (H + 2 * KV) * hd;
    const rs1 = this.buf(`${l}:rs1`, R);
    const n1 = this.rmsNorm(`${l}:n1`, input, w.norm1, D, rs1);
    const qkv = this.buf(`${l}:qkv`, R * width);
    this.gemm(false, true, R, width, D, n1, w.qkv, qkv);
    if (w.qkvBias) addBias(qkv, w.qkvBias, width);
    // RoPE on q and k (q also scaled by 1/sqrt(hd), as the model does) into the padded per-head layout.
    const ws = new AttentionWorkspace(H, KV, batch.size, batch.seqLen, hd, (n) => this.buf(`${l}:attention`, n));
    const { B, T } = ws;
    const geometry = this.geometry(batch);
    this.blas.qkvToHeads(qkv, ...geometry, this.cos, this.sin, 1 / Math.sqrt(hd), ws.q, ws.k, ws.v);
    // probs = causal softmax(q·kᵀ), attended = probs·v, per (head, sequence).
    this.attnGemm(ws, ws.q, 'q', ws.k, 'kv', ws.probs, 's', false, true, T, T, hd);
    this.blas.causalSoftmax(ws.probs, H * B, T);
    this.attnGemm(ws, ws.probs, 's', ws.v, 'kv', ws.attended, 'q', false, false, T, hd, T);
    // Back to packed rows [n, H·hd] for the rows that continue.
    const continuing = selected ?? batch.allRows;
    const n = continuing.length;
    const attnRows = this.buf(`${l}:attnRows`, n * H * hd);
    this.blas.headsToRows(ws.attended, ...geometry, continuing, batch.seqOf, attnRows);
    const mid = this.buf(`${l}:mid`, n * D);
    if (selected) gatherRows(mid, input, selected, D);
    else mid.set(input);
    if (w.oBias) addBias(mid, w.oBias, D);
    this.gemm(false, true, n, D, H * hd, attnRows, w.o, mid, true);
    // MLP: out = mid + down(silu(gate(n2)) · up(n2)).
    const rs2 = this.buf(`${l}:rs2`, n);
    const n2 = this.rmsNorm(`${l}:n2`, mid, w.norm2, D, rs2);
    const gateUp = this.buf(`${l}:gateUp`, n * 2 * F);
    this.gemm(false, true, n, 2 * F, D, n2, w.gateUp, gateUp);
    const act = this.buf(`${l}:act`, n * F);
    this.blas.swiglu(gateUp, n, F, act);
    const out = this.buf(`${l}:out`, n * D);
    out.set(mid);
    this.gemm(false, true, n, D, F, act, w.down, out, true);
    return { tape: { layer: l, input, rs1, attn: ws, selected, mid, rs2, gateUp, act }, out };
  }

  /** dLoss/d(layer output rows) -> dLoss/d(layer input), all packed rows. */
  private layerBackward(w: LayerWeights, tape: LayerTape, dOut: Float32Array, batch: PackedBatch): Float32Array {
    const { c } = this;
    const D = c.hiddenSize;
    const F = c.intermediateSize;
    const n = tape.rs2.length;
    // MLP.
    const dAct = this.buf('dAct', n * F);
    this.gemm(false, false, n, F, D, dOut, w.down, dAct);
    const dGateUp = this.buf('dGateUp', n * 2 * F);
    this.blas.swigluBackward(tape.gateUp, dAct, n, F, dGateUp);
    const dn2 = this.buf('dn2', n * D);
    this.gemm(false, false, n, D, 2 * F, dGateUp, w.gateUp, dn2);
    const dMid = this.rmsNormBackward('dMid', tape.mid, tape.rs2, w.norm2, dn2, D, dOut);
    // Attention: o_proj, then the per (head, sequence) products in the padded layout.
    const { numHeads: H, numKvHeads: KV, headDim: hd } = c;
    const ws = tape.attn;
    const { B, T } = ws;
    const dAttnRows = this.buf('dAttnRows', n * H * hd);
    this.gemm(false, false, n, H * hd, D, dMid, w.o, dAttnRows);
    const geometry = this.geometry(batch);
    this.blas.rowsToHeads(dAttnRows, ...geometry, tape.selected ?? batch.allRows, batch.seqOf, ws.dAttended);
    this.attnGemm(ws, ws.dAttended, 'q', ws.v, 'kv', ws.dProbs, 's', false, true, T, T, hd);
    this.attnGemm(ws, ws.probs, 's', ws.dAttended, 'q', ws.dvHeads, 'q', true, false, T, hd, T);
    this.blas.causalSoftmax(ws.probs, H * B, T, ws.dProbs); // dProbs := dScores
    this.attnGemm(ws, ws.dProbs, 's', ws.k, 'kv', ws.dq, 'q', false, false, T, hd, T);
    this.attnGemm(ws, ws.dProbs, 's', ws.q, 'q', ws.dkHeads, 'q', true, false, T, hd, T);
    // Back to packed q/k/v gradients, undoing RoPE and q's scale; a kv head sums the gradients of its query heads.
    const R = batch.rows;
    const width = (H + 2 * KV) * hd;
    const dqkv = this.buf('dqkv', R * width);
    this.blas.headsToQkvGrad(ws.dq, ws.dkHeads, ws.dvHeads, ...geometry, this.cos, this.sin, 1 / Math.sqrt(hd), dqkv);
    const dn1 = this.buf('dn1', R * D);
    this.gemm(false, false, R, D, width, dqkv, w.qkv, dn1);
    const dInput = this.rmsNormBackward(
      `${tape.layer}:dInput`,
      tape.input,
      tape.rs1,
      w.norm1,
      dn1,
      D,
      tape.selected ? undefined : dMid,
    );
    // The residual path: rows that went on past attention carry dMid straight back to the input.
    if (tape.selected) for (let r = 0; r < n; r++) addRow(dInput, tape.selected[r]!, dMid, r, D);
    return dInput;
  }

  /**
   * One sgemm call over all (head, sequence) pairs; each operand is a view inside the workspace, addressed per
   * query head h and sequence b in one of three layouts: 'q' [H, B, T, hd], 'kv' [KV, B, T, hd] (h's kv head),
   * 's' [H, B, T, T].
   */
  private attnGemm(
    ws: AttentionWorkspace,
    a: Float32Array,
    aLayout: Layout,
    b: Float32Array,
    bLayout: Layout,
    out: Float32Array,
    outLayout: Layout,
    ta: boolean,
    tb: boolean,
    m: number,
    n: number,
    k: number,
  ): void {
    this.gemmBatch(
      ws.heap,
      ta,
      tb,
      m,
      n,
      k,
      ws.offsets(a, aLayout),
      ws.offsets(b, bLayout),
      ws.offsets(out, outLayout),
    );
  }

  private rmsNorm(key: string, x: Float32Array, g: Float32Array, width: number, rs: Float32Array): Float32Array {
    const out = this.buf(key, x.length);
    this.blas.rmsNorm(x, x.length / width, width, g, this.c.rmsNormEps, out, rs);
    return out;
  }

  /** RMSNorm's input gradient, plus `residual` (the gradient arriving by the skip connection) when given. */
  private rmsNormBackward(
    key: string,
    x: Float32Array,
    rs: Float32Array,
    g: Float32Array,
    dy: Float32Array,
    width: number,
    residual?: Float32Array,
  ): Float32Array {
    const dx = this.buf(key, x.length);
    if (residual) dx.set(residual);
    this.blas.rmsNormBackward(x, rs, x.length / width, width, g, dy, dx, residual !== undefined);
    return dx;
  }

  /** The batch geometry the head-layout kernels take: dims [B, T, H, KV, hd], offsets, lengths. */
  private geometry(batch: PackedBatch): [Int32Array, Int32Array, Int32Array] {
    const { numHeads, numKvHeads, headDim } = this.c;
    return [Int32Array.of(batch.size, batch.seqLen, numHeads, numKvHeads, headDim), batch.offsets, batch.lengths];
  }
}

type Layout = 'q' | 'kv' | 's';

/** The padded per-head buffers of one layer's attention, as views into one array. */
class AttentionWorkspace {
  readonly heap: Float32Array;
  readonly q: Float32Array;
  readonly k: Float32Array;
  readonly v: Float32Array;
  readonly probs: Float32Array;
  readonly attended: Float32Array;
  readonly dAttended: Float32Array;
  readonly dProbs: Float32Array;
  readonly dq: Float32Array;
  readonly dkHeads: Float32Array;
  readonly dvHeads: Float32Array;

  constructor(
    readonly H: number,
    readonly KV: number,
    readonly B: number,
    readonly T: number,
    readonly hd: number,
    /** Storage of n floats, any contents: the buffers whose padding positions are read are zeroed here. */
    allocate: (n: number) => Float32Array,
  ) {
    const qSize = H * B * T * hd;
    const kvSize = KV * B * T * hd;
    const sSize = H * B * T * T;
    // Forward buffers first; the backward ones are only touched when a gradient is asked for.
    const sizes = [qSize, kvSize, kvSize, sSize, qSize, qSize, sSize, qSize, qSize, qSize];
    this.heap = allocate(sizes.reduce((x, y) => x + y, 0));
    let at = 0;
    const views = sizes.map((n) => {
      const view = this.heap.subarray(at, at + n);
      at += n;
      return view;
    });
    [
      this.q,
      this.k,
      this.v,
      this.probs,
      this.attended,
      this.dAttended,
      this.dProbs,
      this.dq,
      this.dkHeads,
      this.dvHeads,
    ] = views as [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
    ];
    // q, k and v are written at real positions only and read at padding ones too (times a zero probability, which
    // must not meet NaN); dAttended is scattered into. Every other buffer is an sgemm output, written whole.
    for (const b of [this.q, this.k, this.v, this.dAttended]) b.fill(0);
  }

  /** Offsets in `heap` of the matrix of every (query head, sequence) pair, in a view laid out as `layout`. */
  offsets(view: Float32Array, layout: Layout): Float64Array {
    const base = (view.byteOffset - this.heap.byteOffset) / 4;
    const { H, B, T, hd } = this;
    const groups = H / this.KV;
    const out = new Float64Array(H * B);
    for (let head = 0; head < H; head++) {
      for (let b = 0; b < B; b++) {
        const i = head * B + b;
        out[i] =
          base +
          (layout === 's' ? i * T * T : layout === 'q' ? i * T * hd : (Math.floor(head / groups) * B + b) * T * hd);
      }
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Row-wise helpers on packed [rows, width] arrays.

function readLayer(source: HostWeightSource, l: number): LayerWeights {
  const c = source.config;
  const p = `model.layers.${l}`;
  const a = `${p}.self_attn`;
  return {
    norm1: source.read(`${p}.input_layernorm.weight`),
    qkv: concat([
      source.read(`${a}.q_proj.weight`),
      source.read(`${a}.k_proj.weight`),
      source.read(`${a}.v_proj.weight`),
    ]),
    qkvBias: c.qkvBias
      ? concat([source.read(`${a}.q_proj.bias`), source.read(`${a}.k_proj.bias`), source.read(`${a}.v_proj.bias`)])
      : null,
    o: source.read(`${a}.o_proj.weight`),
    oBias: c.oBias ? source.read(`${a}.o_proj.bias`) : null,
    norm2: source.read(`${p}.post_attention_layernorm.weight`),
    gateUp: concat([source.read(`${p}.mlp.gate_proj.weight`), source.read(`${p}.mlp.up_proj.weight`)]),
    down: source.read(`${p}.mlp.down_proj.weight`),
  };
}

/** dst[d .. d+n) = src[s .. s+n) (a plain loop: no view objects in the hot paths). */
function copy(src: Float32Array, s: number, dst: Float32Array, d: number, n: number): void {
  for (let j = 0; j < n; j++) dst[d + j] = src[s + j]!;
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function addBias(x: Float32Array, bias: Float32Array, width: number): void {
  for (let i = 0; i < x.length; i += width) for (let j = 0; j < width; j++) x[i + j]! += bias[j]!;
}

function addRow(target: Float32Array, targetRow: number, src: Float32Array, srcRow: number, width: number): void {
  const t = targetRow * width;
  const s = srcRow * width;
  for (let j = 0; j < width; j++) target[t + j]! += src[s + j]!;
}

function gatherRows(out: Float32Array, x: Float32Array, rows: Int32Array, width: number): Float32Array {
  for (let r = 0; r < rows.length; r++) copy(x, rows[r]! * width, out, r * width, width);
  return out;
}

/** Adds row r of x into row rows[r] of out (out zeroed by the caller). */
function scatterRows(out: Float32Array, x: Float32Array, rows: Int32Array, width: number): Float32Array {
  for (let r = 0; r < rows.length; r++) addRow(out, rows[r]!, x, r, width);
  return out;
}

function rowIndex(lengths: Int32Array, offsets: Int32Array, rows: number): { seqOf: Int32Array; allRows: Int32Array } {
  const seqOf = new Int32Array(rows);
  for (let b = 0; b < lengths.length; b++) seqOf.fill(b, offsets[b]!, offsets[b]! + lengths[b]!);
  return { seqOf, allRows: Int32Array.from({ length: rows }, (_, i) => i) };
}
