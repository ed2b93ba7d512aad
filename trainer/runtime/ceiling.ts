/**
 * Matmul throughput of the active backend, so benchmarks can print achieved GFLOP/s next to what the backend can
 * reach at best on this machine in the same run (a "ceiling").
 *
 * Timing is of the tf.matMul call itself: on cpu, wasm, wasm-blas and tfjs-node the kernel runs synchronously inside
 * the call, so no read-back (which would add a copy of the output) is needed.
 */
import { currentBackend, tf } from './backend.ts';

export interface MatmulCeilingOptions {
  transposeA?: boolean;
  transposeB?: boolean;
  /** Untimed runs first (JIT, allocator, BLAS thread start-up). Default 1. */
  warmup?: number;
  /** Timed runs; the median is reported. Default 5. */
  repeats?: number;
}

export interface MatmulCeiling {
  backend: string;
  m: number;
  k: number;
  n: number;
  transposeA: boolean;
  transposeB: boolean;
  /** 2·m·k·n / median time. */
  gflops: number;
  medianMs: number;
  samplesMs: number[];
}

/** Median wall time of `run` over `repeats` timed calls after `warmup` untimed ones; `run` returns what to dispose. */
export function timeMedianMs(
  run: () => tf.TensorContainer,
  warmup = 1,
  repeats = 5,
): { medianMs: number; samplesMs: number[] } {
  const samplesMs: number[] = [];
  for (let i = 0; i < warmup + repeats; i++) {
    const t0 = performance.now();
    const out = run();
    const dt = performance.now() - t0;
    tf.dispose(out);
    if (i >= warmup) samplesMs.push(dt);
  }
  return { medianMs: median(samplesMs), samplesMs };
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median GFLOP/s of an [m,k]·[k,n] float32 matmul (operands laid out for the requested transposes). */
export function measureMatmulGflops(m: number, k: number, n: number, opts: MatmulCeilingOptions = {}): MatmulCeiling {
  for (const [name, v] of [
    ['m', m],
    ['k', k],
    ['n', n],
  ] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`measureMatmulGflops: ${name} must be a positive integer`);
  }
  const transposeA = opts.transposeA ?? false;
  const transposeB = opts.transposeB ?? false;
  const warmup = opts.warmup ?? 1;
  const repeats = opts.repeats ?? 5;
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error('measureMatmulGflops: repeats must be >= 1');
  const backend = currentBackend()?.name ?? tf.getBackend();
  const a = tf.randomUniform(transposeA ? [k, m] : [m, k], -1, 1, 'float32', 1);
  const b = tf.randomUniform(transposeB ? [n, k] : [k, n], -1, 1, 'float32', 2);
  let timing: { medianMs: number; samplesMs: number[] };
  try {
    timing = timeMedianMs(() => tf.matMul(a, b, transposeA, transposeB), warmup, repeats);
  } finally {
    tf.dispose([a, b]);
  }
  const { medianMs, samplesMs } = timing;
  return {
    backend,
    m,
    k,
    n,
    transposeA,
    transposeB,
    gflops: (2 * m * k * n) / (medianMs * 1e6),
    medianMs,
    samplesMs,
  };
}
