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
//
// Read it like llama2.c: the weights (host-weights.ts), the buffers (host-state.ts, the RunState), one layer forward
// and backward (host-layer.ts), attention's padded layout (host-attention.ts), the products (host-blas.ts) and the
// packed batch (host-batch.ts).
import type { ModelConfig } from '../model/config.ts';
import { ropeTable } from '../model/rope.ts';
import type { RowKernelAddon } from '../runtime/blas-kernel.ts';
import type { TrainingBatch } from './batch.ts';
import { packBatch, singleSequence } from './host-batch.ts';
import type { PackedBatch } from './host-batch.ts';
import { HostBlas, SMALL_PRODUCT_MACS } from './host-blas.ts';
import { layerBackward, layerForward, rmsNorm, rmsNormBackward } from './host-layer.ts';
import type { HostPass, LayerTape } from './host-layer.ts';
import { gatherRows, scatterRows } from './host-rows.ts';
import { StepState } from './host-state.ts';
import { readLayer } from './host-weights.ts';
import type { HostWeightSource, LayerWeights } from './host-weights.ts';

export { packBatch } from './host-batch.ts';
export type { PackedBatch } from './host-batch.ts';
export { SMALL_PRODUCT_MACS } from './host-blas.ts';
export type { HostWeightSource } from './host-weights.ts';

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

export class HostStepEngine {
  private readonly c: ModelConfig;
  private readonly pass: HostPass;
  private readonly blas: HostBlas;
  /** Layers L+1 .. N-1 (the ones a step runs). */
  private readonly layers: LayerWeights[] = [];
  /** Layers 0 .. L and the embedding, read on the first prefix() call. */
  private below: { layers: LayerWeights[]; embed: Float32Array } | undefined;
  private readonly source: HostWeightSource;
  private readonly finalNorm: Float32Array;
  private readonly head: Float32Array;

  /** @param tuned the tuned down_proj [D, F]; the engine reads it on every call (the optimizer updates it in place). */
  constructor(
    kernels: RowKernelAddon,
    source: HostWeightSource,
    readonly layer: number,
    readonly tuned: Float32Array,
    /** Products below this many multiply-adds run on one OpenBLAS thread (default SMALL_PRODUCT_MACS). */
    smallProductMacs = SMALL_PRODUCT_MACS,
  ) {
    const c = source.config;
    this.c = c;
    this.blas = new HostBlas(kernels, smallProductMacs);
    const why = hostStepUnsupported(c, layer);
    if (why) throw new Error(`host step: ${why}`);
    for (let l = layer + 1; l < c.numLayers; l++) this.layers.push(readLayer(source, l));
    this.source = source;
    this.finalNorm = source.read('model.norm.weight');
    this.head = source.read(c.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight');
    const rope = ropeTable(c.maxPositionEmbeddings, c.headDim, c.ropeTheta);
    this.pass = { blas: this.blas, config: c, rope, state: new StepState(c.numLayers) };
  }

  /** The batch's loss, and dLoss/dW when `withGrad`. */
  run(batch: PackedBatch, withGrad: boolean): HostStepResult {
    const { blas, pass } = this;
    const { state } = pass;
    blas.resetCounters();
    const D = this.c.hiddenSize;
    const F = this.c.intermediateSize;
    const V = this.c.vocabSize;
    const R = batch.rows;
    // x_L = A + M·Wᵀ
    const x = state.x.take(R * D);
    x.set(batch.residual);
    blas.gemm({ out: x, a: batch.mlpHidden, b: this.tuned, transB: true, m: R, n: D, k: F, accumulate: true });
    const tapes: LayerTape[] = [];
    let h: Float32Array = x;
    for (const [i, w] of this.layers.entries()) {
      const last = i === this.layers.length - 1;
      const { tape, out } = layerForward(pass, this.layer + 1 + i, w, h, batch, last ? batch.targetRows : null);
      tapes.push(tape);
      h = out;
    }
    // Final norm and head on target rows (already selected when a layer above L ran).
    const nt = batch.targetRows.length;
    const z = this.layers.length > 0 ? h : gatherRows(state.z.take(nt * D), h, batch.targetRows, D);
    const rsf = state.rsf.take(nt);
    const nf = rmsNorm(pass, state.nf, z, this.finalNorm, rsf);
    const logits = state.logits.take(nt * V);
    blas.gemm({ out: logits, a: nf, b: this.head, transB: true, m: nt, n: V, k: D });
    const loss = blas.kernels.softmaxXent(logits, nt, V, batch.labels, batch.weights, withGrad);
    if (!withGrad) return { loss, flops: blas.flops, sgemmMs: blas.sgemmMs };

    // Backward. `logits` now holds dLoss/dlogits.
    const dnf = state.dnf.take(nt * D);
    blas.gemm({ out: dnf, a: logits, b: this.head, m: nt, n: D, k: V });
    let dh = rmsNormBackward(pass, state.dz, z, rsf, this.finalNorm, dnf);
    for (let i = this.layers.length - 1; i >= 0; i--) dh = layerBackward(pass, this.layers[i]!, tapes[i]!, dh, batch);
    const dx = this.layers.length > 0 ? dh : scatterRows(state.dx.take(R * D).fill(0), dh, batch.targetRows, D);
    const grad = new Float32Array(D * F); // returned: not a reused buffer
    blas.gemm({ out: grad, a: dx, b: batch.mlpHidden, transA: true, m: D, n: F, k: R });
    return { loss, grad, flops: blas.flops, sgemmMs: blas.sgemmMs };
  }

  /**
   * The frozen activations the step starts from, for ONE edit's input ids alone: layer L's residual after attention
   * [tokens, D] and down_proj's input [tokens, F] (what trainer.ts caches). Computed alone so that an entry never
   * depends on which other edits share a batch.
   */
  prefix(ids: readonly number[]): [Float32Array, Float32Array] {
    const { c, pass } = this;
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
    let h: Float32Array = pass.state.embed.take(n * D);
    for (let t = 0; t < n; t++) {
      const id = ids[t]!;
      if (!Number.isInteger(id) || id < 0 || id >= c.vocabSize)
        throw new Error(`host prefix: id ${id} at ${t} is outside the vocabulary (0-${c.vocabSize - 1})`);
      h.set(this.below.embed.subarray(id * D, (id + 1) * D), t * D);
    }
    const one = singleSequence(n, h);
    for (let l = 0; l < this.layer; l++) h = layerForward(pass, l, this.below.layers[l]!, h, one, null).out;
    const { tape } = layerForward(pass, this.layer, this.below.layers[this.layer]!, h, one, null);
    return [tape.mid.slice(), tape.act.slice()]; // copies: the buffers are reused by the next call
  }

  /** packBatch into the engine's reused buffers (valid until the next pack). */
  pack(batch: TrainingBatch, entries: readonly (readonly Float32Array[])[]): PackedBatch {
    const { state } = this.pass;
    return packBatch(batch, entries, this.c.hiddenSize, this.c.intermediateSize, (role, n) =>
      (role === 'residual' ? state.packResidual : state.packMlpHidden).take(n),
    );
  }

  /** The native Adam loop for the optimizer of the tuned matrix (see HostAdam). */
  adamKernel(): RowKernelAddon['adamStep'] {
    const { kernels } = this.blas;
    return (...args) => kernels.adamStep(...args);
  }

  /** Puts OpenBLAS back to its default thread count (call when done with the engine). */
  release(): void {
    this.blas.release();
  }
}
