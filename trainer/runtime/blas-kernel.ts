/**
 * wasm-blas: the wasm backend with its BatchMatMul kernel replaced by OpenBLAS `cblas_sgemm` through the native
 * addon in native/ (built by scripts/build-native.mjs where libopenblas-dev is present).
 *
 * The addon reads and writes the wasm linear memory directly (a Float32Array over the whole heap plus element
 * offsets of each matrix), so no tensor is copied. Transposes are passed to BLAS as CblasTrans (no slow transposed
 * path), batch dimensions may broadcast like tfjs (NumPy rules). Anything else (non-float32) goes to the original
 * wasm kernel, which is restored by `uninstallBlasKernel()`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { heapF32, wasmBackendView } from './wasm-heap.ts';

/** What native/sgemm.cc exports. */
export interface SgemmAddon {
  /** e.g. "OpenBLAS 0.3.21 ... (2 threads)". */
  info(): string;
  /**
   * Row-major C[i] = op(A[i]) * op(B[i]) for i in 0..batch-1 (alpha 1, beta 0), all matrices inside `heap`.
   * Offsets are in float32 elements; op(A) is m x k, op(B) is k x n, C is m x n.
   */
  sgemmBatch(
    heap: Float32Array,
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    aOffsets: Float64Array,
    bOffsets: Float64Array,
    cOffsets: Float64Array,
  ): void;
  /** Row-major c = op(a) · op(b) (+ beta · c) on three separate arrays (benchmarks, and the LocFT host step). */
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    beta?: number,
  ): void;
  /**
   * Row kernels of the LocFT host step (native/row-kernels.cc; absent from an addon built before them).
   * softmaxXent: Σ_i w_i·(logsumexp(z_i) − z_i[label_i]) over rows x vocab logits; with grad, the logits are
   * overwritten by w_i·(softmax(z_i) − onehot(label_i)).
   */
  softmaxXent?(
    logits: Float32Array,
    rows: number,
    vocab: number,
    labels: Int32Array,
    weights: Float32Array,
    grad: boolean,
  ): number;
  /** act = silu(gate)·up for rows of [gate (width) | up (width)]. */
  swiglu?(gateUp: Float32Array, rows: number, width: number, act: Float32Array): void;
  /** d[gate | up] from d act. */
  swigluBackward?(gateUp: Float32Array, dAct: Float32Array, rows: number, width: number, dGateUp: Float32Array): void;
  /** out = x · rsqrt(mean(x²) + eps) · g per row of width; rs[r] receives the row's rsqrt. */
  rmsNorm?(
    x: Float32Array,
    rows: number,
    width: number,
    g: Float32Array,
    eps: number,
    out: Float32Array,
    rs: Float32Array,
  ): void;
  /** dx of rmsNorm from dy (with x and rs from the forward); with `accumulate`, added onto dx. */
  rmsNormBackward?(
    x: Float32Array,
    rs: Float32Array,
    rows: number,
    width: number,
    g: Float32Array,
    dy: Float32Array,
    dx: Float32Array,
    accumulate?: boolean,
  ): void;
  /**
   * Row-wise softmax over keys j <= i of each [T, T] block of `scores`, in place; with `dProbs`, instead overwrites
   * dProbs with the scores' gradient P ⊙ (dP − Σ_j P·dP) (scores then hold the probabilities P).
   */
  causalSoftmax?(scores: Float32Array, blocks: number, T: number, dProbs?: Float32Array): void;
  /**
   * Attention layout moves of the host step (native/head-layout.cc), on the batch geometry dims [B, T, H, KV, hd],
   * offsets[B], lengths[B] (packed rows of each sequence) and RoPE tables cos/sin [positions, hd/2]:
   * qkvToHeads: packed [q | k | v] rows -> padded per-head q (RoPE · scale), k (RoPE), v;
   * headsToRows / rowsToHeads: per-head [H, B, T, hd] <-> packed rows [n, H·hd] for the listed rows;
   * headsToQkvGrad: the gradient of qkvToHeads' input from per-query-head dq, dk, dv.
   */
  qkvToHeads?(
    qkv: Float32Array,
    dims: Int32Array,
    offsets: Int32Array,
    lengths: Int32Array,
    cos: Float32Array,
    sin: Float32Array,
    scale: number,
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
  ): void;
  headsToRows?(
    heads: Float32Array,
    dims: Int32Array,
    offsets: Int32Array,
    lengths: Int32Array,
    rows: Int32Array,
    seqOf: Int32Array,
    out: Float32Array,
  ): void;
  rowsToHeads?(
    src: Float32Array,
    dims: Int32Array,
    offsets: Int32Array,
    lengths: Int32Array,
    rows: Int32Array,
    seqOf: Int32Array,
    heads: Float32Array,
  ): void;
  headsToQkvGrad?(
    dq: Float32Array,
    dk: Float32Array,
    dv: Float32Array,
    dims: Int32Array,
    offsets: Int32Array,
    lengths: Int32Array,
    cos: Float32Array,
    sin: Float32Array,
    scale: number,
    dqkv: Float32Array,
  ): void;
  /** One Adam update of p in place (HostAdam's arithmetic; m and v are its moment buffers). */
  adamStep?(
    p: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    beta1: number,
    beta2: number,
    epsilon: number,
    weightDecay: number,
    stepSize: number,
    sqrtBc2: number,
  ): void;
  /** OpenBLAS's thread count for the calls that follow; returns the previous one. */
  setNumThreads?(n: number): number;
}

/** The addon with the host step's row kernels. */
const ROW_KERNELS = [
  'softmaxXent',
  'swiglu',
  'swigluBackward',
  'rmsNorm',
  'rmsNormBackward',
  'causalSoftmax',
  'qkvToHeads',
  'headsToRows',
  'rowsToHeads',
  'headsToQkvGrad',
  'adamStep',
  'setNumThreads',
] as const;
export type RowKernelAddon = SgemmAddon & Required<Pick<SgemmAddon, (typeof ROW_KERNELS)[number]>>;

export function hasRowKernels(addon: SgemmAddon): addon is RowKernelAddon {
  return ROW_KERNELS.every((k) => typeof addon[k] === 'function');
}

export type AddonLoad = { ok: true; addon: SgemmAddon; path: string } | { ok: false; reason: string };

export const SGEMM_ADDON_PATH = fileURLToPath(
  new URL('../../native/build/Release/editledger_sgemm.node', import.meta.url),
);

let loaded: AddonLoad | undefined;

/** Loads the native addon once. Set EDITLEDGER_NATIVE_SGEMM=off to simulate its absence. */
export function loadSgemmAddon(): AddonLoad {
  if (process.env['EDITLEDGER_NATIVE_SGEMM'] === 'off') {
    return { ok: false, reason: 'native sgemm disabled by EDITLEDGER_NATIVE_SGEMM=off' };
  }
  if (loaded) return loaded;
  if (!existsSync(SGEMM_ADDON_PATH)) {
    loaded = {
      ok: false,
      reason:
        `native sgemm addon not built (${SGEMM_ADDON_PATH} missing; install libopenblas-dev, then ` +
        '`npm run build:native`)',
    };
    return loaded;
  }
  try {
    const addon = createRequire(import.meta.url)(SGEMM_ADDON_PATH) as SgemmAddon;
    if (
      typeof addon.sgemmBatch !== 'function' ||
      typeof addon.sgemm !== 'function' ||
      typeof addon.info !== 'function'
    ) {
      throw new Error('addon does not export sgemmBatch/sgemm/info (rebuild it: npm run build:native)');
    }
    loaded = { ok: true, addon, path: SGEMM_ADDON_PATH };
  } catch (err) {
    loaded = { ok: false, reason: `native sgemm addon failed to load: ${(err as Error).message}` };
  }
  return loaded;
}

let original: KernelConfig | undefined;
let installed = false;

/** Makes the wasm backend's BatchMatMul run on BLAS. Idempotent. The wasm backend must be initialised. */
export function installBlasKernel(addon: SgemmAddon): void {
  if (installed) return;
  const current = tf.getKernel('BatchMatMul', 'wasm');
  if (!current) throw new Error('wasm backend has no BatchMatMul kernel to replace (is it registered?)');
  original = current;
  const fallback = current.kernelFunc;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    // If the backend is (re)initialised after this swap, the original kernel's setup must still run for fallback.
    setupFunc: current.setupFunc,
    kernelFunc: ((args) => blasBatchMatMul(addon, fallback, args)) as KernelFunc,
  });
  installed = true;
}

/** Restores tfjs's own wasm BatchMatMul. Idempotent. */
export function uninstallBlasKernel(): void {
  if (!installed || !original) return;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel(original);
  installed = false;
}

export function blasKernelInstalled(): boolean {
  return installed;
}

function blasBatchMatMul(addon: SgemmAddon, fallback: KernelFunc, args: Parameters<KernelFunc>[0]): TensorInfo {
  const a = args.inputs['a'];
  const b = args.inputs['b'];
  if (!a || !b) throw new Error('BatchMatMul: inputs a and b are required');
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) {
    return fallback(args) as TensorInfo;
  }
  const transA = args.attrs?.['transposeA'] === true;
  const transB = args.attrs?.['transposeB'] === true;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = a.shape[transA ? ra - 1 : ra - 2]!;
  const kA = a.shape[transA ? ra - 2 : ra - 1]!;
  const kB = b.shape[transB ? rb - 1 : rb - 2]!;
  const n = b.shape[transB ? rb - 2 : rb - 1]!;
  if (kA !== kB) {
    throw new Error(
      `Error in matMul: inner shapes (${kA}) and (${kB}) of Tensors with shapes ${a.shape} and ${b.shape} and ` +
        `transposeA=${transA} and transposeB=${transB} must match.`,
    );
  }
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(aBatch, bBatch);
  const backend = wasmBackendView(args.backend);
  const out = backend.makeOutput([...outBatch, m, n], 'float32');
  const batch = outBatch.reduce((x, y) => x * y, 1);
  if (batch * m * n === 0) return out;
  if (kA === 0) {
    backend.typedArrayFromHeap(out).fill(0);
    return out;
  }
  // Element offsets (the wasm allocator aligns tensors to at least 8 bytes, so byte offsets are multiples of 4).
  const aBase = backend.getMemoryOffset(a.dataId) / 4;
  const bBase = backend.getMemoryOffset(b.dataId) / 4;
  const cBase = backend.getMemoryOffset(out.dataId) / 4;
  const aOffsets = new Float64Array(batch);
  const bOffsets = new Float64Array(batch);
  const cOffsets = new Float64Array(batch);
  const aIndex = broadcastIndexer(outBatch, aBatch);
  const bIndex = broadcastIndexer(outBatch, bBatch);
  for (let i = 0; i < batch; i++) {
    aOffsets[i] = aBase + aIndex(i) * m * kA;
    bOffsets[i] = bBase + bIndex(i) * kA * n;
    cOffsets[i] = cBase + i * m * n;
  }
  // The heap view is taken after makeOutput (whose malloc may have grown and detached the memory).
  addon.sgemmBatch(heapF32(backend), transA, transB, m, n, kA, aOffsets, bOffsets, cOffsets);
  return out;
}

/** Maps a flat index in the broadcast batch shape `outShape` to the flat index in the (right-aligned) `inShape`. */
function broadcastIndexer(outShape: number[], inShape: number[]): (flat: number) => number {
  const inSize = inShape.reduce((x, y) => x * y, 1);
  const outSize = outShape.reduce((x, y) => x * y, 1);
  if (inSize === outSize) return (i) => i; // same batch (broadcasting only ever adds 1-sized dims then)
  if (inSize === 1) return () => 0;
  const offset = outShape.length - inShape.length;
  return (flat) => {
    let rest = flat;
    let index = 0;
    let stride = 1;
    for (let d = outShape.length - 1; d >= offset; d--) {
      const outDim = outShape[d]!;
      const coord = rest % outDim;
      rest = (rest - coord) / outDim;
      const inDim = inShape[d - offset]!;
      index += (inDim === 1 ? 0 : coord) * stride;
      stride *= inDim;
    }
    return index;
  };
}
