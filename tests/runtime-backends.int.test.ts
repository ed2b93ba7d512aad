/**
 * Compute backends and the runtime ops, checked against independent float64 references written here in plain loops.
 * Every test is serial: they switch the process-wide tfjs backend.
 */
import test from 'ava';
import type { ExecutionContext } from 'ava';
import {
  backendUnavailableReason,
  currentBackend,
  initBackend,
  parseBackendChoice,
  tf,
  type BackendName,
} from '../trainer/runtime/backend.ts';
import { spawnSync } from 'node:child_process';
import { backendLine, takeVerboseFlag, verboseRequested } from '../trainer/runtime/backend-line.ts';
import { loadNativeEngine, NATIVE_ENGINES } from '../trainer/runtime/native-addon.ts';
import { measureMatmulGflops } from '../trainer/runtime/ceiling.ts';
import { embed, linear, pickLastDim, sliceLastDim, stopGradient, takeRows } from '../trainer/runtime/ops.ts';
import { mulberry32 } from './helpers/mulberry32.ts';

type Tensor = tf.Tensor;

const ALL: BackendName[] = ['tensorflow', 'wasm-blas', 'wasm-blocked', 'wasm', 'cpu'];
/** The wasm backend with BatchMatMul on the native addon: OpenBLAS, and the blocked SGEMM (native/blocked-*.cc). */
const NATIVE: BackendName[] = ['wasm-blas', 'wasm-blocked'];
const available: BackendName[] = [];
const unavailable = new Map<BackendName, string>();

test.before(async () => {
  await initBackend('cpu', { quiet: true });
  for (const name of ALL) {
    const reason = await backendUnavailableReason(name);
    if (reason === undefined) available.push(name);
    else unavailable.set(name, reason);
  }
});

// ---------- independent references ----------

function randomArray(size: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: size }, () => next() * 2 - 1);
}

const prod = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** float64 batched matmul with tfjs semantics (transposes, NumPy broadcasting of batch dims). */
function refMatMul(
  a: Float32Array,
  aShape: number[],
  b: Float32Array,
  bShape: number[],
  transA: boolean,
  transB: boolean,
): { values: Float64Array; shape: number[] } {
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const rank = Math.max(aBatch.length, bBatch.length);
  const pad = (s: number[]): number[] => [...Array<number>(rank - s.length).fill(1), ...s];
  const pa = pad(aBatch);
  const pb = pad(bBatch);
  const outBatch = pa.map((d, i) => Math.max(d, pb[i]!));
  const [ar, ac] = aShape.slice(-2) as [number, number];
  const [br, bc] = bShape.slice(-2) as [number, number];
  const m = transA ? ac : ar;
  const k = transA ? ar : ac;
  const n = transB ? br : bc;
  const values = new Float64Array(prod(outBatch) * m * n);
  const flatIndex = (coords: number[], shape: number[]): number =>
    coords.reduce((acc, c, i) => acc * shape[i]! + (shape[i] === 1 ? 0 : c), 0);
  for (let ob = 0; ob < prod(outBatch); ob++) {
    const coords: number[] = [];
    let rest = ob;
    for (let d = rank - 1; d >= 0; d--) {
      coords[d] = rest % outBatch[d]!;
      rest = Math.floor(rest / outBatch[d]!);
    }
    const ai = flatIndex(coords, pa) * ar * ac;
    const bi = flatIndex(coords, pb) * br * bc;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = transA ? a[ai + p * ac + i]! : a[ai + i * ac + p]!;
          const bv = transB ? b[bi + j * bc + p]! : b[bi + p * bc + j]!;
          s += av * bv;
        }
        values[ob * m * n + i * n + j] = s;
      }
    }
  }
  return { values, shape: [...outBatch, m, n] };
}

function assertClose(
  t: ExecutionContext,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what: string,
  tol = 1e-4,
): void {
  t.is(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!));
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  t.true(
    worst <= tol,
    `${what}: max relative error ${worst} at ${at} (actual ${actual[at]}, expected ${expected[at]})`,
  );
}

function reportUnavailable(t: ExecutionContext, name: BackendName): boolean {
  const reason = unavailable.get(name);
  if (reason === undefined) return false;
  t.log(`SKIPPED backend ${name}: ${reason}`);
  return true;
}

// ---------- backend selection ----------

test.serial('availability: every backend is either usable or reported with a reason', (t) => {
  t.true(available.includes('wasm'), 'the wasm backend must work on every machine');
  t.true(available.includes('cpu'), 'the cpu backend must work on every machine');
  for (const name of ALL) {
    if (reportUnavailable(t, name)) t.regex(unavailable.get(name)!, /\S/);
    else t.log(`backend ${name}: available`);
  }
});

test.serial('initBackend: explicit choice is applied, no-arg call keeps it, bad names are clear errors', async (t) => {
  const info = await initBackend('cpu', { quiet: true });
  t.deepEqual([info.name, info.blas, tf.getBackend()], ['cpu', false, 'cpu']);
  t.is((await initBackend()).name, 'cpu', 'initBackend() must not override an explicit choice');
  const wasm = await initBackend('wasm', { quiet: true });
  t.is(wasm.name, 'wasm');
  t.is(currentBackend()?.name, 'wasm');
  t.throws(() => parseBackendChoice('gpu', 'EDITLEDGER_BACKEND'), { message: /EDITLEDGER_BACKEND.*"gpu".*auto/ });
  await t.throwsAsync(initBackend('webgl' as never), { message: /unknown backend "webgl"/ });
});

test.serial('auto picks the fastest available backend in the documented order', async (t) => {
  const info = await initBackend('auto', { quiet: true });
  const expected = ALL.find((name) => available.includes(name));
  t.is<string | undefined, string | undefined>(info.name, expected);
  t.log(`auto -> ${info.name}: ${info.detail}`);
});

test.serial('tensorflow: an explicit choice without tfjs-node is a clear error', async (t) => {
  if (available.includes('tensorflow')) {
    t.log('tfjs-node is installed here; nothing to check');
    t.pass();
    return;
  }
  await t.throwsAsync(initBackend('tensorflow', { quiet: true }), { message: /tfjs-node.*optional dependencies/ });
});

test.serial('wasm-blas: disabled addon is a clear error for the explicit choice and auto falls back', async (t) => {
  const before = process.env['EDITLEDGER_NATIVE_SGEMM'];
  process.env['EDITLEDGER_NATIVE_SGEMM'] = 'off';
  try {
    await t.throwsAsync(initBackend('wasm-blas', { quiet: true }), { message: /wasm-blas unavailable.*disabled/ });
    t.is(
      await backendUnavailableReason('wasm-blas'),
      'wasm-blas unavailable: native sgemm disabled by EDITLEDGER_NATIVE_SGEMM=off',
    );
  } finally {
    if (before === undefined) delete process.env['EDITLEDGER_NATIVE_SGEMM'];
    else process.env['EDITLEDGER_NATIVE_SGEMM'] = before;
  }
});

// ---------- the backend line on stderr ----------

/** What a fresh process prints on stderr when it resolves `auto` (the line every CLI command shows). */
function autoLine(env: Record<string, string>): string {
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      "const { initBackend } = await import('./trainer/runtime/backend.ts'); await initBackend('auto');",
    ],
    { encoding: 'utf8', env: { ...process.env, EDITLEDGER_VERBOSE: '', EDITLEDGER_NATIVE_ENGINE: '', ...env } },
  );
  if (child.status !== 0) throw new Error(`child failed: ${child.stderr}`);
  return child.stderr;
}

test.serial('backend line: one short line by default, the full description with EDITLEDGER_VERBOSE=1', (t) => {
  const short = autoLine({});
  t.log(short.trim());
  t.is(short.split('\n').length, 2, 'exactly one line');
  t.true(short.length < 100, `${short.length} characters`);
  const best = ALL.find((name) => available.includes(name))!;
  if (best === 'wasm-blas') t.regex(short, /^editledger: backend wasm-blas: native openblas sgemm, \d+ threads\n$/);
  else t.regex(short, new RegExp(`^editledger: backend ${best}: `));
  t.notRegex(short, /skipped|tfjs-backend-wasm 4/);

  const verbose = autoLine({ EDITLEDGER_VERBOSE: '1' });
  t.regex(verbose, new RegExp(`^editledger: compute backend ${best}: `));
  if (best === 'wasm-blas') t.regex(verbose, /matmul via OpenBLAS sgemm \(OpenBLAS \d/);
  if (unavailable.has('tensorflow')) t.regex(verbose, /\(skipped: tensorflow: .*tfjs-node/);
  t.true(verbose.length > short.length);

  if (available.includes('wasm-blocked')) {
    const blocked = autoLine({ EDITLEDGER_NATIVE_ENGINE: 'blocked' });
    t.regex(
      blocked,
      /^editledger: backend wasm-blocked: native blocked sgemm \((avx512|avx2|generic)\), \d+ threads\n$/,
    );
  }
  const plain = autoLine({ EDITLEDGER_NATIVE_SGEMM: 'off' });
  t.regex(plain, /^editledger: backend wasm: tfjs wasm SIMD, 1 thread \(EDITLEDGER_VERBOSE=1: why no native\)\n$/);
  t.true(plain.length < 100, `${plain.length} characters`);
});

test.serial('backend line: --verbose is taken off the CLI arguments and turns verbose on', (t) => {
  const env: NodeJS.ProcessEnv = {};
  t.deepEqual(takeVerboseFlag(['train', '--verbose', '--edits', 'x'], env), ['train', '--edits', 'x']);
  t.is(env['EDITLEDGER_VERBOSE'], '1');
  t.true(verboseRequested(env));
  const untouched: NodeJS.ProcessEnv = {};
  t.deepEqual(takeVerboseFlag(['edit', 'add', '--', '--verbose'], untouched), ['edit', 'add', '--', '--verbose']);
  t.false(verboseRequested(untouched), 'a --verbose after -- is an argument, not the flag');
  t.false(verboseRequested({ EDITLEDGER_VERBOSE: '0' }));
  const info = { name: 'wasm-blas', summary: 'native openblas sgemm, 2 threads', detail: 'd'.repeat(300), blas: true };
  t.is(
    backendLine(info, ['tensorflow: absent'], false),
    'editledger: backend wasm-blas: native openblas sgemm, 2 threads',
  );
  t.is(
    backendLine(info, ['tensorflow: absent'], true),
    `editledger: compute backend wasm-blas: ${'d'.repeat(300)} (skipped: tensorflow: absent)`,
  );
});

// ---------- matmuls on every backend ----------

const MATMUL_CASES: { name: string; a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [
  { name: '2-D', a: [7, 13], b: [13, 5], ta: false, tb: false },
  { name: 'transposeA', a: [13, 7], b: [13, 5], ta: true, tb: false },
  { name: 'transposeB', a: [7, 13], b: [5, 13], ta: false, tb: true },
  { name: 'both transposed', a: [13, 7], b: [5, 13], ta: true, tb: true },
  { name: 'batched', a: [3, 4, 9], b: [3, 9, 6], ta: false, tb: false },
  { name: 'batched transposeB', a: [2, 3, 4, 9], b: [2, 3, 6, 9], ta: false, tb: true },
  { name: 'broadcast b', a: [4, 5, 8], b: [8, 3], ta: false, tb: false },
  { name: 'broadcast a, transposeA', a: [8, 5], b: [4, 8, 3], ta: true, tb: false },
  { name: 'larger', a: [64, 96], b: [96, 80], ta: false, tb: false },
];

test.serial('matmul: every available backend matches the float64 reference', async (t) => {
  for (const name of ALL) {
    if (reportUnavailable(t, name)) continue;
    await initBackend(name, { quiet: true });
    for (const [i, c] of MATMUL_CASES.entries()) {
      const av = randomArray(prod(c.a), 10 + i);
      const bv = randomArray(prod(c.b), 100 + i);
      const ref = refMatMul(av, c.a, bv, c.b, c.ta, c.tb);
      const out = tf.tidy(() => tf.matMul(tf.tensor(av, c.a), tf.tensor(bv, c.b), c.ta, c.tb));
      t.deepEqual(out.shape, ref.shape, `${name} ${c.name}: shape`);
      assertClose(t, out.dataSync(), ref.values, `${name} ${c.name}`);
      out.dispose();
    }
  }
});

/** A small RMSNorm -> linear -> SiLU -> linear -> softmax block, as tensors and as float64 loops. */
const COMPOSED = { batch: 2, seq: 5, hidden: 16, inner: 24 };

function composedTf(x: Float32Array, w1: Float32Array, b1: Float32Array, w2: Float32Array): Tensor {
  const { batch, seq, hidden, inner } = COMPOSED;
  return tf.tidy(() => {
    const xt = tf.tensor(x, [batch, seq, hidden]);
    const norm = tf.mul(xt, tf.rsqrt(tf.add(tf.mean(tf.square(xt), -1, true), 1e-6)));
    const h = linear(norm, tf.tensor2d(w1, [inner, hidden]), tf.tensor1d(b1));
    const act = tf.mul(h, tf.sigmoid(h));
    return tf.softmax(linear(act, tf.tensor2d(w2, [hidden, inner])), -1);
  });
}

function composedRef(x: Float32Array, w1: Float32Array, b1: Float32Array, w2: Float32Array): Float64Array {
  const { batch, seq, hidden, inner } = COMPOSED;
  const out = new Float64Array(batch * seq * hidden);
  for (let r = 0; r < batch * seq; r++) {
    const row = Array.from(x.subarray(r * hidden, (r + 1) * hidden));
    const ms = row.reduce((s, v) => s + v * v, 0) / hidden;
    const norm = row.map((v) => v / Math.sqrt(ms + 1e-6));
    const act = Array.from({ length: inner }, (_, o) => {
      let s = b1[o]!;
      for (let i = 0; i < hidden; i++) s += norm[i]! * w1[o * hidden + i]!;
      return s / (1 + Math.exp(-s));
    });
    const logits = Array.from({ length: hidden }, (_, o) => {
      let s = 0;
      for (let i = 0; i < inner; i++) s += act[i]! * w2[o * inner + i]!;
      return s;
    });
    const max = Math.max(...logits);
    const exps = logits.map((v) => Math.exp(v - max));
    const total = exps.reduce((a, b) => a + b, 0);
    exps.forEach((v, o) => (out[r * hidden + o] = v / total));
  }
  return out;
}

test.serial('composed computation: every available backend matches the float64 reference', async (t) => {
  const { batch, seq, hidden, inner } = COMPOSED;
  const x = randomArray(batch * seq * hidden, 1);
  const w1 = randomArray(inner * hidden, 2);
  const b1 = randomArray(inner, 3);
  const w2 = randomArray(hidden * inner, 4);
  const ref = composedRef(x, w1, b1, w2);
  for (const name of ALL) {
    if (reportUnavailable(t, name)) continue;
    await initBackend(name, { quiet: true });
    const out = composedTf(x, w1, b1, w2);
    assertClose(t, out.dataSync(), ref, `${name} composed`, 1e-5);
    out.dispose();
  }
});

// ---------- gradients ----------

// Many rows (training: the weight is transposed) and few rows (generation: the input is transposed instead).
const LINEAR_SHAPES: { x: number[]; out: number }[] = [
  { x: [2, 6, 10], out: 7 },
  { x: [1, 2, 40], out: 30 },
];

test.serial("linear: custom gradient equals tfjs's own gradient of the plain formula, on every backend", async (t) => {
  for (const name of ALL) {
    if (reportUnavailable(t, name)) continue;
    await initBackend(name, { quiet: true });
    for (const [si, shape] of LINEAR_SHAPES.entries()) {
      const inF = shape.x[shape.x.length - 1]!;
      const rows = prod(shape.x) / inF;
      const yShape = [...shape.x.slice(0, -1), shape.out];
      for (const withBias of [true, false]) {
        tf.tidy(() => {
          const x = tf.tensor(randomArray(prod(shape.x), 5 + si), shape.x);
          const w = tf.tensor2d(randomArray(shape.out * inF, 6 + si), [shape.out, inF]);
          const b = tf.tensor1d(randomArray(shape.out, 7 + si));
          const dy = tf.tensor(randomArray(prod(yShape), 8 + si), yShape);
          const inputs = withBias ? [x, w, b] : [x, w];
          const ours = tf.grads((...v: Tensor[]) =>
            tf.sum(tf.mul(linear(v[0]!, v[1] as tf.Tensor2D, v[2] as tf.Tensor1D | undefined), dy)),
          );
          const plain = tf.grads((...v: Tensor[]) => {
            const y = tf.matMul(tf.reshape(v[0]!, [rows, inF]), v[1]!, false, true);
            return tf.sum(tf.mul(tf.reshape(v[2] ? tf.add(y, v[2]) : y, yShape), dy));
          });
          const value = linear(x, w, withBias ? b : undefined);
          const refValue = refMatMul(
            x.dataSync() as Float32Array,
            [rows, inF],
            w.dataSync() as Float32Array,
            [shape.out, inF],
            false,
            true,
          );
          const bias = b.dataSync();
          assertClose(
            t,
            value.dataSync(),
            refValue.values.map((v, i) => v + (withBias ? bias[i % shape.out]! : 0)),
            `${name} ${shape.x} forward`,
          );
          const g1 = ours(inputs);
          const g2 = plain(inputs);
          t.is(g1.length, inputs.length);
          for (const [i, label] of ['dx', 'dw', 'db'].slice(0, inputs.length).entries()) {
            t.deepEqual(g1[i]!.shape, g2[i]!.shape, `${name} ${label} shape`);
            assertClose(t, g1[i]!.dataSync(), g2[i]!.dataSync(), `${name} ${shape.x} bias=${withBias} ${label}`, 1e-5);
          }
        });
      }
    }
  }
});

test.serial('linear: on plain wasm neither forward nor gradient uses a transposed matmul', async (t) => {
  await initBackend('wasm', { quiet: true });
  const original = tf.getKernel('BatchMatMul', 'wasm');
  if (!original) return t.fail('wasm BatchMatMul missing');
  const seen: string[] = [];
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      seen.push(
        `${args.inputs['a']!.shape}x${args.inputs['b']!.shape} tA=${JSON.stringify(args.attrs?.['transposeA'])} tB=${JSON.stringify(args.attrs?.['transposeB'])}`,
      );
      return original.kernelFunc(args);
    },
  });
  try {
    tf.tidy(() => {
      for (const rows of [64, 2]) {
        const x = tf.tensor(randomArray(rows * 12, 9), [rows, 12]);
        const w = tf.tensor2d(randomArray(8 * 12, 10), [8, 12]);
        tf.grads((xx: Tensor, ww: Tensor) => tf.sum(linear(xx, ww as tf.Tensor2D)))([x, w]);
      }
    });
  } finally {
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel(original);
  }
  t.is(seen.length, 6, `forward + dx + dw, twice: ${seen.join('; ')}`);
  for (const call of seen) t.regex(call, /tA=false tB=false/);
});

test.serial('embed: forward rows and table gradient match a scatter-add reference, on every backend', async (t) => {
  const vocab = 11;
  const hidden = 6;
  const idsValues = [3, 0, 3, 10, 7, 3, 0, 9];
  const table = randomArray(vocab * hidden, 11);
  const dy = randomArray(idsValues.length * hidden, 12);
  const refGrad = new Float64Array(vocab * hidden);
  idsValues.forEach((id, p) => {
    for (let j = 0; j < hidden; j++) refGrad[id * hidden + j]! += dy[p * hidden + j]!;
  });
  const refRows = Float64Array.from(
    idsValues.flatMap((id) => Array.from(table.subarray(id * hidden, (id + 1) * hidden))),
  );
  for (const name of ALL) {
    if (reportUnavailable(t, name)) continue;
    await initBackend(name, { quiet: true });
    tf.tidy(() => {
      const ids = tf.tensor2d(idsValues, [2, 4], 'int32');
      const tbl = tf.tensor2d(table, [vocab, hidden]);
      const rows = embed(ids, tbl);
      t.deepEqual(rows.shape, [2, 4, hidden]);
      assertClose(t, rows.dataSync(), refRows, `${name} embed rows`, 0);
      const g = tf.grad((tt: Tensor) => tf.sum(tf.mul(embed(ids, tt as tf.Tensor2D), tf.tensor(dy, [2, 4, hidden]))))(
        tbl,
      );
      assertClose(t, g.dataSync(), refGrad, `${name} embed gradient`, 1e-6);
      const picked = takeRows(tbl, tf.tensor1d([10, 0], 'int32'));
      assertClose(t, picked.dataSync(), [...table.subarray(60, 66), ...table.subarray(0, 6)], `${name} takeRows`, 0);
    });
  }
});

test.serial('pickLastDim, sliceLastDim and stopGradient: values and gradients match references', async (t) => {
  const x = randomArray(2 * 3 * 5, 13);
  const idx = [4, 0, 2, 1, 1, 3];
  for (const name of ALL) {
    if (reportUnavailable(t, name)) continue;
    await initBackend(name, { quiet: true });
    tf.tidy(() => {
      const xt = tf.tensor(x, [2, 3, 5]);
      const it = tf.tensor2d(idx, [2, 3], 'int32');
      assertClose(
        t,
        pickLastDim(xt, it).dataSync(),
        idx.map((v, r) => x[r * 5 + v]!),
        `${name} pickLastDim`,
        0,
      );
      const weights = [1, 2, 3, 4, 5, 6];
      const g = tf.grad((xx: Tensor) => tf.sum(tf.mul(pickLastDim(xx, it), tf.tensor2d(weights, [2, 3]))))(xt);
      const refG = new Float64Array(30);
      idx.forEach((v, r) => (refG[r * 5 + v] = weights[r]!));
      assertClose(t, g.dataSync(), refG, `${name} pickLastDim gradient`, 0);

      const s = sliceLastDim(xt, 1, 3);
      t.deepEqual(s.shape, [2, 3, 3]);
      const gs = tf.grad((xx: Tensor) => tf.sum(sliceLastDim(xx, 1, 3)))(xt);
      assertClose(
        t,
        gs.dataSync(),
        Array.from({ length: 30 }, (_, i) => (i % 5 >= 1 && i % 5 < 4 ? 1 : 0)),
        `${name} slice grad`,
        0,
      );

      const gStop = tf.grad((xx: Tensor) => tf.sum(tf.add(tf.mul(stopGradient(xx), xx), xx)))(xt);
      assertClose(
        t,
        gStop.dataSync(),
        Array.from(x, (v) => v + 1),
        `${name} stopGradient`,
        1e-6,
      );

      // A mask computed from a differentiated tensor (comparison ops get zero gradients).
      const gMask = tf.grad((xx: Tensor) => tf.sum(tf.where(tf.greater(xx, 0), xx, tf.mul(xx, 3))))(xt);
      assertClose(
        t,
        gMask.dataSync(),
        Array.from(x, (v) => (v > 0 ? 1 : 3)),
        `${name} masked gradient`,
        0,
      );

      // Negative-axis cumsum (broken in tfjs-backend-wasm 4.22 without our wrapper) and its gradient.
      const cs = tf.cumsum(xt, -1);
      const refCs = Array.from(x, (_, i) => x.subarray(i - (i % 5), i + 1).reduce((a, b) => a + b, 0));
      assertClose(t, cs.dataSync(), refCs, `${name} cumsum(-1)`, 1e-6);
      const gCs = tf.grad((xx: Tensor) => tf.sum(tf.cumsum(xx, -1)))(xt);
      assertClose(
        t,
        gCs.dataSync(),
        Array.from({ length: 30 }, (_, i) => 5 - (i % 5)),
        `${name} cumsum grad`,
        0,
      );
    });
  }
});

test.serial('chained tensor methods exist at run time (tfjs-core Node build lacks them)', async (t) => {
  await initBackend('cpu', { quiet: true });
  const y = tf.tidy(() => tf.tensor1d([1, 2, 3]).expandDims(0).reshape([3, 1]).square().sum());
  t.is(y.dataSync()[0], 14);
  y.dispose();
});

// ---------- the BLAS kernel ----------

for (const native of NATIVE) {
  test.serial(
    `${native}: transposes, batches and broadcasting match the plain wasm kernel and the reference`,
    async (t) => {
      if (reportUnavailable(t, native)) return t.pass();
      const cases = [
        ...MATMUL_CASES,
        { name: 'batch of one vs many', a: [1, 6, 7], b: [5, 7, 4], ta: false, tb: false },
        { name: 'batched both transposed', a: [3, 7, 6], b: [3, 4, 7], ta: true, tb: true },
        { name: 'square 128', a: [128, 128], b: [128, 128], ta: true, tb: true },
      ];
      for (const [i, c] of cases.entries()) {
        const av = randomArray(prod(c.a), 200 + i);
        const bv = randomArray(prod(c.b), 300 + i);
        const ref = refMatMul(av, c.a, bv, c.b, c.ta, c.tb);
        await initBackend('wasm', { quiet: true });
        const plain = tf.tidy(() => tf.matMul(tf.tensor(av, c.a), tf.tensor(bv, c.b), c.ta, c.tb).dataSync());
        await initBackend(native, { quiet: true });
        const blas = tf.tidy(() => tf.matMul(tf.tensor(av, c.a), tf.tensor(bv, c.b), c.ta, c.tb).dataSync());
        assertClose(t, blas, plain, `blas vs wasm ${c.name}`);
        assertClose(t, blas, ref.values, `blas vs reference ${c.name}`);
      }
      // Broadcasting on both sides: tfjs's own wasm and cpu kernels get this wrong (4.22), the BLAS kernel must not.
      const a = randomArray(3 * 4 * 5, 400);
      const b = randomArray(2 * 5 * 6, 401);
      const ref = refMatMul(a, [3, 1, 4, 5], b, [2, 5, 6], false, false);
      const out = tf.tidy(() => tf.matMul(tf.tensor(a, [3, 1, 4, 5]), tf.tensor(b, [2, 5, 6])));
      t.deepEqual(out.shape, [3, 2, 4, 6]);
      assertClose(t, out.dataSync(), ref.values, 'blas two-sided broadcast');
      out.dispose();
    },
  );
}

for (const native of NATIVE) {
  test.serial(`${native}: an output that grows the wasm heap is written to the live memory`, async (t) => {
    if (reportUnavailable(t, native)) return t.pass();
    await initBackend(native, { quiet: true });
    const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength;
    const m = 3000;
    const n = 3000; // 36 MB output, k = 1: an outer product, cheap to check
    const before = heap();
    const u = randomArray(m, 500);
    const v = randomArray(n, 501);
    const out = tf.tidy(() => tf.matMul(tf.tensor2d(u, [m, 1]), tf.tensor2d(v, [1, n])));
    const values = out.dataSync();
    t.log(`wasm heap ${before} -> ${heap()} bytes`);
    for (const [i, j] of [
      [0, 0],
      [m - 1, n - 1],
      [1234, 2345],
      [m - 1, 0],
    ] as const) {
      t.true(Math.abs(values[i * n + j]! - u[i]! * v[j]!) < 1e-6, `element ${i},${j}`);
    }
    out.dispose();
  });

  test.serial(`${native}: non-float32 matmuls fall back to the original kernel`, async (t) => {
    if (reportUnavailable(t, native)) return t.pass();
    await initBackend(native, { quiet: true });
    // tfjs's wasm BatchMatMul rejects int32; the fallback must surface the same error, not compute garbage.
    t.throws(
      () =>
        tf.tidy(() =>
          tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), tf.tensor2d([1, 0, 0, 1], [2, 2], 'int32')),
        ),
      {
        message: /non-float32|not yet supported/,
      },
    );
  });
}

for (const engine of NATIVE_ENGINES) {
  test.serial(`native addon (${engine}): out-of-heap offsets are exceptions, not memory corruption`, (t) => {
    const loaded = loadNativeEngine(engine);
    if (!loaded.ok) {
      t.log(`SKIPPED native addon checks: ${loaded.reason}`);
      return t.pass();
    }
    const heap = new Float32Array(16);
    const off = (v: number) => Float64Array.of(v);
    t.throws(() => loaded.addon.sgemmBatch(heap, false, false, 2, 2, 2, off(14), off(0), off(8)), {
      message: /A matrix/,
    });
    t.throws(() => loaded.addon.sgemmBatch(heap, false, false, 2, 2, 2, off(0), off(4), off(13)), {
      message: /C matrix/,
    });
    t.throws(() => loaded.addon.sgemmBatch(heap, false, false, 2, 2, 2, off(-1), off(4), off(8)), {
      message: /A matrix/,
    });
    t.throws(() => loaded.addon.sgemmBatch(heap, false, false, 2, 2, 2, off(0.5), off(4), off(8)), {
      message: /A matrix/,
    });
    heap.set([1, 2, 3, 4, 5, 6, 7, 8]);
    loaded.addon.sgemmBatch(heap, false, false, 2, 2, 2, off(0), off(4), off(8));
    t.deepEqual(Array.from(heap.subarray(8, 12)), [19, 22, 43, 50]);
  });
}

// ---------- ceiling helper ----------

test.serial('measureMatmulGflops: reports a positive median for the active backend', async (t) => {
  await initBackend('wasm', { quiet: true });
  const r = measureMatmulGflops(32, 48, 40, { repeats: 3, warmup: 1 });
  t.is(r.backend, 'wasm');
  t.is(r.samplesMs.length, 3);
  t.true(r.gflops > 0 && Number.isFinite(r.gflops));
  t.throws(() => measureMatmulGflops(0, 1, 1), { message: /m must be a positive integer/ });
});
