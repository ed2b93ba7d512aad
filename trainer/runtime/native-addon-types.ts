/**
 * What the native addons export (native/sgemm.cc, row-kernels.cc, head-layout.cc; the same functions on either GEMM
 * engine, see native-addon.ts).
 */
/** The batch geometry and RoPE tables the head-layout moves take, in the addon's argument order. */
export type RopeGeometry = [
  dims: Int32Array,
  offsets: Int32Array,
  lengths: Int32Array,
  cos: Float32Array,
  sin: Float32Array,
  scale: number,
];

/** Copies the listed rows between per-head [H, B, T, hd] and packed rows [n, H·hd], `from` into `to` (either way). */
export type HeadRowsCopy = (
  from: Float32Array,
  dims: Int32Array,
  offsets: Int32Array,
  lengths: Int32Array,
  rows: Int32Array,
  seqOf: Int32Array,
  to: Float32Array,
) => void;

export interface SgemmAddon {
  /** e.g. "OpenBLAS 0.3.21 ... SkylakeX MAX_THREADS=64, 2 threads" or "native-blocked sgemm, avx512 kernel, 2 threads". */
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
  qkvToHeads?(qkv: Float32Array, ...rest: [...RopeGeometry, q: Float32Array, k: Float32Array, v: Float32Array]): void;
  headsToRows?: HeadRowsCopy;
  rowsToHeads?: HeadRowsCopy;
  headsToQkvGrad?(
    ...args: [dq: Float32Array, dk: Float32Array, dv: Float32Array, ...RopeGeometry, dqkv: Float32Array]
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
  /** The engine's thread count for the calls that follow; returns the previous one. */
  setNumThreads?(n: number): number;
  /** Blocked engine only: its micro-kernel ("avx512", "avx2" or "generic"). */
  blockedKernel?(): string;
  /** Blocked engine only: use that micro-kernel ("auto" = the widest this CPU runs); returns the previous one. */
  setBlockedKernel?(name: string): string;
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
