// Matmul throughput per compute backend, in one process (run alone: `npx tsx bench/matmul.bench.ts`).
//
//   plain          tf.matMul(a, b) on [m,k]·[k,n]
//   transposeA/B   tf.matMul with the transpose flags (tfjs's own matMul gradient uses these)
//   explicit T(A)/T(B)  tf.transpose first, then a plain matMul (what ops.linear's gradient does on plain wasm);
//                  the time includes the transpose
//   raw sgemm      the native addon on plain Float32Arrays, no tfjs: the machine's BLAS ceiling
//   linear fwd+bwd y = x·wᵀ and both gradients (3 matmuls), via ops.linear vs via tfjs's own matMul gradient;
//                  shape is rows x in x out, FLOPs counted as 3·2·rows·in·out
//
// The ratio column compares each row with plain wasm on the same shape, measured in this run. cpu runs only small
// shapes (it is ~30x slower). Repeats are few to stay gentle on a shared 2-core machine; medians are reported.
// Environment: BENCH_BACKENDS=wasm,wasm-blas,cpu (default: all available), BENCH_REPEATS=3.
import { backendUnavailableReason, initBackend, parseBackendChoice, tf } from '../trainer/runtime/backend.ts';
import type { BackendName } from '../trainer/runtime/backend.ts';
import { loadSgemmAddon } from '../trainer/runtime/blas-kernel.ts';
import { timeMedianMs } from '../trainer/runtime/ceiling.ts';
import { linear } from '../trainer/runtime/ops.ts';
import { markdownTable } from './table.ts';

export interface MatmulBenchRow {
  backend: BackendName | 'native';
  shape: string;
  variant: string;
  ms: number;
  gflops: number;
  /** gflops / plain-wasm gflops on the same shape (linear rows: / plain wasm with ops.linear); undefined if absent. */
  vsWasm: number | undefined;
}

interface Shape {
  m: number;
  k: number;
  n: number;
}

const LARGE: Shape[] = [
  { m: 256, k: 256, n: 256 },
  { m: 1024, k: 1024, n: 1024 },
  // A Qwen2-0.5B mlp.down_proj over 512 tokens: [512, 4864]·[4864, 896].
  { m: 512, k: 4864, n: 896 },
];
const SMALL: Shape[] = [
  { m: 128, k: 128, n: 128 },
  { m: 256, k: 256, n: 256 },
];
// The transposed-matmul trap is shown on one moderate shape: transposeA on plain wasm runs at ~0.2-1 GFLOP/s.
const TRAP: Shape = { m: 384, k: 384, n: 384 };

const label = (s: Shape): string => `${s.m}x${s.k}x${s.n}`;
const flops = (s: Shape): number => 2 * s.m * s.k * s.n;

type Variant = 'plain' | 'transposeA' | 'transposeB' | 'explicit T(A)' | 'explicit T(B)';

function runVariant(s: Shape, variant: Variant, repeats: number): number {
  const ta = variant === 'transposeA' || variant === 'explicit T(A)';
  const tb = variant === 'transposeB' || variant === 'explicit T(B)';
  const a = tf.randomUniform(ta ? [s.k, s.m] : [s.m, s.k], -1, 1, 'float32', 1);
  const b = tf.randomUniform(tb ? [s.n, s.k] : [s.k, s.n], -1, 1, 'float32', 2);
  try {
    const run = (): tf.Tensor => {
      switch (variant) {
        case 'plain':
          return tf.matMul(a, b);
        case 'transposeA':
          return tf.matMul(a, b, true, false);
        case 'transposeB':
          return tf.matMul(a, b, false, true);
        case 'explicit T(A)':
          return tf.tidy(() => tf.matMul(tf.transpose(a), b));
        case 'explicit T(B)':
          return tf.tidy(() => tf.matMul(a, tf.transpose(b)));
      }
    };
    return timeMedianMs(run, 1, repeats).medianMs;
  } finally {
    tf.dispose([a, b]);
  }
}

// A linear layer's training step: [256 rows, 512 in] · [1024 out, 512 in]ᵀ.
const LINEAR: Shape = { m: 256, k: 512, n: 1024 };

function linearStepMs(viaOps: boolean, repeats: number): number {
  const x = tf.randomUniform([LINEAR.m, LINEAR.k], -1, 1, 'float32', 3);
  const w = tf.randomUniform([LINEAR.n, LINEAR.k], -1, 1, 'float32', 4) as tf.Tensor2D;
  const f = viaOps
    ? (xx: tf.Tensor, ww: tf.Tensor) => tf.sum(linear(xx, ww as tf.Tensor2D))
    : (xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.matMul(xx, ww, false, true));
  const step = tf.grads(f);
  try {
    return timeMedianMs(() => step([x, w]), 1, repeats).medianMs;
  } finally {
    tf.dispose([x, w]);
  }
}

function rawSgemmMs(s: Shape, repeats: number): number | undefined {
  const loaded = loadSgemmAddon();
  if (!loaded.ok) return undefined;
  const a = new Float32Array(s.m * s.k).map((_, i) => (i % 7) - 3);
  const b = new Float32Array(s.k * s.n).map((_, i) => (i % 5) - 2);
  const c = new Float32Array(s.m * s.n);
  const samples: number[] = [];
  for (let i = 0; i < repeats + 1; i++) {
    const t0 = performance.now();
    loaded.addon.sgemm(false, false, s.m, s.n, s.k, a, b, c);
    if (i > 0) samples.push(performance.now() - t0);
  }
  samples.sort((x, y) => x - y);
  return samples[samples.length >> 1]!;
}

/** Runs the benchmark and returns one row per (backend, shape, variant). Logs progress to stderr. */
export async function runMatmulBench(
  opts: { backends?: BackendName[]; repeats?: number; log?: (line: string) => void } = {},
): Promise<MatmulBenchRow[]> {
  const repeats = opts.repeats ?? 3;
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const wanted = opts.backends ?? (['tensorflow', 'wasm-blas', 'wasm', 'cpu'] as BackendName[]);
  const backends: BackendName[] = [];
  for (const name of wanted) {
    const reason = await backendUnavailableReason(name);
    if (reason) log(`skip ${name}: ${reason}`);
    else backends.push(name);
  }
  // Plain wasm first: it is the baseline of the ratio column.
  backends.sort((x, y) => (x === 'wasm' ? -1 : y === 'wasm' ? 1 : 0));

  const rows: MatmulBenchRow[] = [];
  const baseline = new Map<string, number>();
  const add = (backend: MatmulBenchRow['backend'], s: Shape, variant: string, ms: number, work: Shape = s): void => {
    const gflops = flops(work) / (ms * 1e6);
    const key = variant.startsWith('linear') ? `${label(s)} linear` : label(s);
    if (backend === 'wasm' && (variant === 'plain' || variant === 'linear fwd+bwd: ops.linear'))
      baseline.set(key, gflops);
    const base = baseline.get(key);
    rows.push({
      backend,
      shape: label(s),
      variant,
      ms,
      gflops,
      vsWasm: base === undefined ? undefined : gflops / base,
    });
    log(`${backend} ${label(s)} ${variant}: ${gflops.toFixed(2)} GFLOP/s`);
  };

  for (const backend of backends) {
    await initBackend(backend, { quiet: true });
    const shapes = backend === 'cpu' ? SMALL : LARGE;
    for (const s of shapes) add(backend, s, 'plain', runVariant(s, 'plain', repeats));
    if (backend !== 'cpu') {
      for (const v of ['plain', 'transposeA', 'transposeB', 'explicit T(A)', 'explicit T(B)'] as const) {
        add(backend, TRAP, v, runVariant(TRAP, v, v === 'transposeA' && backend === 'wasm' ? 1 : repeats));
      }
      const linearFlops = { m: LINEAR.m * 3, k: LINEAR.k, n: LINEAR.n }; // 3 matmuls of the same size
      add(backend, LINEAR, 'linear fwd+bwd: ops.linear', linearStepMs(true, repeats), linearFlops);
      add(
        backend,
        LINEAR,
        'linear fwd+bwd: tfjs grad',
        linearStepMs(false, backend === 'wasm' ? 1 : repeats),
        linearFlops,
      );
    }
  }
  for (const s of LARGE) {
    const ms = rawSgemmMs(s, repeats);
    if (ms !== undefined) add('native', s, 'raw sgemm', ms);
  }
  return rows;
}

export function formatMatmulTable(rows: MatmulBenchRow[]): string {
  const header = ['backend', 'shape (m x k x n)', 'variant', 'ms', 'GFLOP/s', 'vs wasm plain'];
  const body = rows.map((r) => [
    r.backend,
    r.shape,
    r.variant,
    r.ms.toFixed(1),
    r.gflops.toFixed(2),
    r.vsWasm === undefined ? '-' : `${r.vsWasm.toFixed(2)}x`,
  ]);
  return markdownTable(header, body);
}

const isMain = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('matmul.bench.ts');
if (isMain) {
  const env = process.env['BENCH_BACKENDS'];
  const backends = env
    ? env.split(',').map((s) => {
        const choice = parseBackendChoice(s, 'BENCH_BACKENDS');
        if (choice === 'auto') throw new Error('BENCH_BACKENDS: list backends by name, not auto');
        return choice;
      })
    : undefined;
  const repeats = process.env['BENCH_REPEATS'] ? Number(process.env['BENCH_REPEATS']) : undefined;
  const rows = await runMatmulBench({ ...(backends ? { backends } : {}), ...(repeats ? { repeats } : {}) });
  process.stdout.write(formatMatmulTable(rows) + '\n');
}
