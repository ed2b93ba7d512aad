// Matmul throughput per compute backend, in one process (run alone: `npx tsx bench/matmul.bench.ts`).
//
//   plain          tf.matMul(a, b) on [m,k]·[k,n]
//   transposeA/B   tf.matMul with the transpose flags (tfjs's own matMul gradient uses these)
//   explicit T(A)/T(B)  tf.transpose first, then a plain matMul (what ops.linear's gradient does on plain wasm);
//                  the time includes the transpose
//   raw sgemm      the native addon on plain Float32Arrays, no tfjs: the machine's BLAS ceiling (per engine)
//   linear fwd+bwd y = x·wᵀ and both gradients (3 matmuls), via ops.linear vs via tfjs's own matMul gradient;
//                  shape is rows x in x out, FLOPs counted as 3·2·rows·in·out
//
// The ratio column compares each row with plain wasm on the same shape, measured in this run. cpu runs only small
// shapes (it is ~30x slower). Repeats are few to stay gentle on a shared 2-core machine; medians are reported.
// The second table times every engine on the LocFT host step's own products (trainer-shapes.ts: a 100-edit step on
// models/base, TRAINER_SHAPES below) — OpenBLAS, the blocked SGEMM with each micro-kernel this CPU runs, tfjs wasm and tfjs cpu — with the
// ratio to OpenBLAS on the same shape, measured in this run.
// Environment: BENCH_BACKENDS=wasm,wasm-blas,cpu (default: all available), BENCH_REPEATS=3.
import { backendUnavailableReason, initBackend, parseBackendChoice, tf } from '../trainer/runtime/backend.ts';
import type { BackendName } from '../trainer/runtime/backend.ts';
import { SMALL_PRODUCT_MACS } from '../trainer/locft/host-step.ts';
import { loadNativeEngine, NATIVE_ENGINES, type SgemmAddon } from '../trainer/runtime/native-addon.ts';
import { timeMedianMs } from '../trainer/runtime/ceiling.ts';
import { linear } from '../trainer/runtime/ops.ts';
import { markdownTable } from './table.ts';

export interface MatmulBenchRow {
  backend: BackendName | `native ${string}`;
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
  const w = tf.randomUniform<tf.Rank.R2>([LINEAR.n, LINEAR.k], -1, 1, 'float32', 4);
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

function rawSgemmMs(engine: (typeof NATIVE_ENGINES)[number], s: Shape, repeats: number): number | undefined {
  const loaded = loadNativeEngine(engine);
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
  const wanted = opts.backends ?? (['tensorflow', 'wasm-blas', 'wasm-blocked', 'wasm', 'cpu'] as BackendName[]);
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
  for (const engine of NATIVE_ENGINES) {
    for (const s of LARGE) {
      const ms = rawSgemmMs(engine, s, repeats);
      if (ms !== undefined) add(`native ${engine}`, s, 'raw sgemm', ms);
    }
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

// ---------- the trainer's own products ----------

interface TrainerShape extends Shape {
  ta: boolean;
  tb: boolean;
  /** sgemm's beta (1: accumulate onto a residual); tfjs rows run beta 0. */
  beta: 0 | 1;
  /** > 1: sgemmBatch over this many products (per-head attention). */
  batch: number;
  role: string;
}

// Recorded by wrapping the addon during a 100-edit LocFT step on models/base (layer 6 of 8; D 128, F 344, V 1488,
// 935 packed rows, 231 target rows, 4 heads of 32): each product below runs once per step, except the per-edit
// cache fill (m = one edit's ~10 tokens), which runs once per edit and layer.
const TRAINER_SHAPES: TrainerShape[] = [
  { ta: false, tb: true, m: 935, n: 128, k: 344, beta: 1, batch: 1, role: 'x += M·Wᵀ (tuned down_proj)' },
  { ta: false, tb: true, m: 935, n: 256, k: 128, beta: 0, batch: 1, role: 'qkv projection' },
  { ta: false, tb: true, m: 935, n: 128, k: 128, beta: 1, batch: 1, role: 'o_proj' },
  { ta: false, tb: true, m: 935, n: 688, k: 128, beta: 0, batch: 1, role: 'gate|up' },
  { ta: false, tb: true, m: 231, n: 1488, k: 128, beta: 0, batch: 1, role: 'lm_head, target rows' },
  { ta: false, tb: false, m: 231, n: 128, k: 1488, beta: 0, batch: 1, role: 'd lm_head input' },
  { ta: false, tb: false, m: 935, n: 344, k: 128, beta: 0, batch: 1, role: 'd act' },
  { ta: false, tb: false, m: 935, n: 128, k: 688, beta: 0, batch: 1, role: 'd gate|up input' },
  { ta: false, tb: false, m: 935, n: 128, k: 256, beta: 0, batch: 1, role: 'd qkv input' },
  { ta: true, tb: false, m: 128, n: 344, k: 935, beta: 0, batch: 1, role: 'down_proj gradient' },
  { ta: false, tb: true, m: 15, n: 15, k: 32, beta: 0, batch: 400, role: 'attention scores' },
  { ta: false, tb: false, m: 15, n: 32, k: 15, beta: 0, batch: 400, role: 'attention P·V' },
  { ta: true, tb: false, m: 15, n: 32, k: 15, beta: 0, batch: 400, role: 'attention dV' },
  { ta: false, tb: true, m: 10, n: 688, k: 128, beta: 0, batch: 1, role: 'cache fill gate|up (per edit)' },
  { ta: false, tb: true, m: 10, n: 256, k: 128, beta: 0, batch: 1, role: 'cache fill qkv (per edit)' },
  { ta: false, tb: true, m: 10, n: 128, k: 344, beta: 1, batch: 1, role: 'cache fill down_proj (per edit)' },
  { ta: false, tb: true, m: 10, n: 10, k: 32, beta: 0, batch: 4, role: 'cache fill attention (per edit)' },
];
const STEP_SHAPES = TRAINER_SHAPES.filter((s) => !s.role.includes('per edit'));

export interface TrainerShapeRow {
  engine: string;
  shape: string;
  role: string;
  ms: number;
  gflops: number;
  /** ms of OpenBLAS / ms of this engine on the same product, this run (higher is faster). */
  vsOpenblas: number | undefined;
}

const shapeLabel = (s: TrainerShape): string =>
  `${s.ta ? 'T' : 'N'}${s.tb ? 'T' : 'N'} ${s.m}x${s.n}x${s.k}${s.batch > 1 ? ` x${s.batch}` : ''}${s.beta ? ' β1' : ''}`;

/** Median ms of `run`, each sample long enough (>= ~20 ms) for the timer, after a warm-up. */
function medianMs(run: () => void, repeats: number, macs: number): number {
  const inner = Math.max(1, Math.min(2000, Math.round(2e8 / macs)));
  for (let i = 0; i < Math.min(inner, 20); i++) run();
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) run();
    samples.push((performance.now() - t0) / inner);
  }
  samples.sort((x, y) => x - y);
  return samples[samples.length >> 1]!;
}

/** Median ms of one product on the addon, on the threads the host step uses (one below SMALL_PRODUCT_MACS). */
function addonMs(addon: SgemmAddon, s: TrainerShape, repeats: number): number {
  const a = new Float32Array(s.batch * s.m * s.k).map((_, i) => ((i * 7) % 13) / 13 - 0.5);
  const b = new Float32Array(s.batch * s.k * s.n).map((_, i) => ((i * 5) % 11) / 11 - 0.5);
  const c = new Float32Array(s.batch * s.m * s.n);
  const heap = new Float32Array(a.length + b.length + c.length);
  heap.set(a);
  heap.set(b, a.length);
  const offsets = (base: number, size: number) => Float64Array.from({ length: s.batch }, (_, i) => base + i * size);
  const [ao, bo, co] = [offsets(0, s.m * s.k), offsets(a.length, s.k * s.n), offsets(a.length + b.length, s.m * s.n)];
  const run =
    s.batch === 1
      ? () => addon.sgemm(s.ta, s.tb, s.m, s.n, s.k, a, b, c, s.beta)
      : () => addon.sgemmBatch(heap, s.ta, s.tb, s.m, s.n, s.k, ao, bo, co);
  const before = s.m * s.n * s.k < SMALL_PRODUCT_MACS ? addon.setNumThreads?.(1) : undefined;
  try {
    return medianMs(run, repeats, macs(s));
  } finally {
    if (before !== undefined) addon.setNumThreads?.(before);
  }
}

function tfjsRunner(s: TrainerShape): { run: () => void; dispose: () => void } {
  const lead = s.batch > 1 ? [s.batch] : [];
  const a = tf.randomUniform([...lead, ...(s.ta ? [s.k, s.m] : [s.m, s.k])], -1, 1, 'float32', 5);
  const b = tf.randomUniform([...lead, ...(s.tb ? [s.n, s.k] : [s.k, s.n])], -1, 1, 'float32', 6);
  return { run: () => tf.matMul(a, b, s.ta, s.tb).dispose(), dispose: () => tf.dispose([a, b]) };
}

/** Every engine on every trainer product, plus one step's sum; ratios against OpenBLAS measured in this run. */
export async function runTrainerShapesBench(
  opts: { repeats?: number; log?: (line: string) => void } = {},
): Promise<TrainerShapeRow[]> {
  const repeats = opts.repeats ?? 5;
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const engines: { name: string; time: (s: TrainerShape) => number; done?: () => void }[] = [];
  const openblas = loadNativeEngine('openblas');
  if (openblas.ok) engines.push({ name: 'openblas', time: (s) => addonMs(openblas.addon, s, repeats) });
  else log(`skip openblas: ${openblas.reason}`);
  const blocked = loadNativeEngine('blocked');
  const setKernel = blocked.ok ? blocked.addon.setBlockedKernel?.bind(blocked.addon) : undefined;
  if (blocked.ok && setKernel) {
    for (const kernel of ['avx512', 'avx2', 'generic']) {
      try {
        setKernel(kernel);
      } catch {
        continue; // not on this CPU
      }
      const time = (s: TrainerShape): number => (setKernel(kernel), addonMs(blocked.addon, s, repeats));
      engines.push({ name: `native-blocked ${kernel}`, time, done: () => setKernel('auto') });
    }
    setKernel('auto');
  } else log(`skip native-blocked: ${blocked.ok ? 'addon without setBlockedKernel' : blocked.reason}`);
  for (const backend of ['wasm', 'cpu'] as const) {
    engines.push({
      name: `tfjs ${backend}`,
      time: (s) => {
        const r = tfjsRunner(s);
        try {
          return medianMs(r.run, backend === 'cpu' ? 1 : Math.min(repeats, 3), macs(s));
        } finally {
          r.dispose();
        }
      },
    });
  }

  // Engines interleaved shape by shape, so a neighbour's load on the shared machine hits every engine alike.
  const times = new Map<string, Map<TrainerShape, number>>(engines.map((e) => [e.name, new Map()]));
  for (const s of TRAINER_SHAPES) {
    for (const engine of engines) {
      if (engine.name.startsWith('tfjs ')) await initBackend(engine.name.slice(5) as BackendName, { quiet: true });
      const ms = engine.time(s);
      engine.done?.();
      times.get(engine.name)!.set(s, ms);
      log(`${engine.name} ${shapeLabel(s)}: ${ms.toFixed(3)} ms`);
    }
  }
  const rows: TrainerShapeRow[] = [];
  const reference = times.get('openblas');
  for (const s of [...TRAINER_SHAPES, undefined]) {
    for (const [name, perShape] of times) {
      const ms = s ? perShape.get(s)! : STEP_SHAPES.reduce((sum, x) => sum + perShape.get(x)!, 0);
      const base = reference && (s ? reference.get(s)! : STEP_SHAPES.reduce((sum, x) => sum + reference.get(x)!, 0));
      const work = s ? macs(s) : STEP_SHAPES.reduce((sum, x) => sum + macs(x), 0);
      rows.push({
        engine: name,
        shape: s ? shapeLabel(s) : 'one step (sum of the step rows)',
        role: s ? s.role : 'sgemm time of a 100-edit step',
        ms,
        gflops: (2 * work) / (ms * 1e6),
        vsOpenblas: base === undefined ? undefined : base / ms,
      });
    }
  }
  return rows;
}

const macs = (s: TrainerShape): number => s.batch * s.m * s.n * s.k;

export function formatTrainerShapesTable(rows: TrainerShapeRow[]): string {
  const header = ['product (op m x n x k)', 'role', 'engine', 'ms', 'GFLOP/s', 'vs openblas'];
  const body = rows.map((r) => [
    r.shape,
    r.role,
    r.engine,
    r.ms.toPrecision(3),
    r.gflops.toFixed(1),
    r.vsOpenblas === undefined ? '-' : `${r.vsOpenblas.toFixed(2)}x`,
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
  process.stdout.write(formatMatmulTable(rows) + '\n\n');
  const shapeRows = await runTrainerShapesBench(repeats ? { repeats } : {});
  process.stdout.write('LocFT host-step products (models/base, 100-edit step):\n');
  process.stdout.write(formatTrainerShapesTable(shapeRows) + '\n');
}
