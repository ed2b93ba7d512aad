/**
 * The blocked SGEMM engine (native/blocked-*.cc, editledger_blocked.node) that stands in where OpenBLAS is absent:
 * every micro-kernel this CPU runs against a float64 reference on edge shapes and every transpose, bit-identical
 * across thread counts, selected by EDITLEDGER_NATIVE_ENGINE, and training LocFT like the OpenBLAS engine.
 *
 * The first test resolves `auto` in this process with OpenBLAS hidden: keep it first (ava gives every file its own
 * process, and initBackend resolves `auto` once per process).
 */
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readHfCheckpoint } from '../trainer/checkpoint/hf-checkpoint.ts';
import type { LocftTrainResult } from '../trainer/locft/trainer.ts';
import { backendUnavailableReason, initBackend } from '../trainer/runtime/backend.ts';
import { loadNativeEngine, loadSgemmAddon, type SgemmAddon } from '../trainer/runtime/native-addon.ts';
import { BASE_MODEL_DIR, trainBaseModel } from './helpers/locft-base-run.ts';

const blocked = loadNativeEngine('blocked');
const openblas = loadNativeEngine('openblas');
const ENGINE_VAR = 'EDITLEDGER_NATIVE_ENGINE';

/** Runs `body` with EDITLEDGER_NATIVE_ENGINE set to `value` (unset for undefined), restoring it afterwards. */
async function withEngineVar<T>(value: string | undefined, body: () => Promise<T> | T): Promise<T> {
  const before = process.env[ENGINE_VAR];
  if (value === undefined) delete process.env[ENGINE_VAR];
  else process.env[ENGINE_VAR] = value;
  try {
    return await body();
  } finally {
    if (before === undefined) delete process.env[ENGINE_VAR];
    else process.env[ENGINE_VAR] = before;
  }
}

function requireBlocked(t: ExecutionContext): SgemmAddon | undefined {
  if (blocked.ok) return blocked.addon;
  t.fail(`the blocked engine must build wherever a C++ compiler is (npm run build:native): ${blocked.reason}`);
  return undefined;
}

// ---------- LocFT on the blocked engine (models/base, a few edits) ----------

const BASE = BASE_MODEL_DIR;
const TUNED = 'model.layers.6.mlp.down_proj.weight';

/** The locft-base-run training on the base model (16 edits, 3 epochs, layer 6) with the engine given. */
const trainBase = (engine: 'host' | 'tfjs'): Promise<LocftTrainResult> => trainBaseModel({ engine });

const relative = (x: number, y: number): number => Math.abs(x - y) / Math.max(Math.abs(y), 1e-30);

const trained = new Map<string, LocftTrainResult>();

test.serial('OpenBLAS hidden: auto picks wasm-blocked and the trainer runs on the blocked engine', async (t) => {
  if (!requireBlocked(t)) return;
  await withEngineVar('blocked', async () => {
    const addon = loadSgemmAddon();
    t.true(addon.ok && addon.engine === 'blocked', 'the trainer loads the blocked addon');
    t.regex(
      (await backendUnavailableReason('wasm-blas')) ?? '',
      /openblas engine is hidden by EDITLEDGER_NATIVE_ENGINE/,
    );
    const info = await initBackend(undefined, { quiet: true });
    t.is(info.name, 'wasm-blocked');
    t.is(info.engine, 'blocked');
    t.regex(info.summary, /^native blocked sgemm \((avx512|avx2|generic)\), \d+ threads$/);
    for (const engine of ['host', 'tfjs'] as const) trained.set(`blocked ${engine}`, await trainBase(engine));
  });
  t.is(trained.get('blocked host')!.engine, 'host');
  t.is(trained.get('blocked host')!.backend, 'wasm-blocked+host-step');
  t.is(trained.get('blocked tfjs')!.backend, 'wasm-blocked');
});

test.serial('a tiny LocFT training on the blocked engine matches the OpenBLAS engine to 1e-4 relative', async (t) => {
  if (!openblas.ok) {
    t.log(`SKIPPED: no OpenBLAS engine to compare with (${openblas.reason})`);
    return t.pass();
  }
  if (!trained.has('blocked host')) return t.fail('the previous test did not train on the blocked engine');
  await withEngineVar(undefined, async () => {
    t.is((await initBackend('wasm-blas', { quiet: true })).engine, 'openblas');
    for (const engine of ['host', 'tfjs'] as const) trained.set(`openblas ${engine}`, await trainBase(engine));
  });
  for (const engine of ['host', 'tfjs'] as const) {
    const a = trained.get(`blocked ${engine}`)!;
    const b = trained.get(`openblas ${engine}`)!;
    t.is(a.lossCurve.length, b.lossCurve.length);
    a.lossCurve.forEach((loss, i) =>
      t.true(relative(loss, b.lossCurve[i]!) < 1e-4, `${engine} epoch ${i}: ${loss} vs OpenBLAS ${b.lossCurve[i]}`),
    );
    t.true(b.lossCurve[0]! > b.lossCurve.at(-1)!, `${engine}: the loss moved (${b.lossCurve.join(', ')})`);
    // Adam turns tiny gradient differences into lr-sized steps on near-zero gradients, so compare the whole update.
    const base = (await readHfCheckpoint(BASE)).tensors.get(TUNED)!.data;
    const wa = a.tensors.get(TUNED)!.data;
    const wb = b.tensors.get(TUNED)!.data;
    let diff = 0;
    let norm = 0;
    for (let i = 0; i < wb.length; i++) {
      diff += (wa[i]! - wb[i]!) ** 2;
      norm += (wb[i]! - base[i]!) ** 2;
    }
    t.log(`${engine}: |update difference| / |update| = ${Math.sqrt(diff / norm).toExponential(2)}`);
    t.true(Math.sqrt(diff / norm) < 1e-3, `${engine}: the updates differ by ${Math.sqrt(diff / norm)} of their size`);
  }
});

// ---------- the sgemm itself against a float64 reference ----------

function randomArray(size: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: size }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2147483648 - 1;
  });
}

interface Case {
  ta: boolean;
  tb: boolean;
  m: number;
  n: number;
  k: number;
  beta: 0 | 1;
}

interface Reference {
  a: Float32Array;
  b: Float32Array;
  c0: Float32Array;
  /** c and Σ|a·b| + |β·c0| per element, in float64: the error bound scales with the latter. */
  want: Float64Array;
  scale: Float64Array;
}

function reference({ ta, tb, m, n, k, beta }: Case, seed: number): Reference {
  const a = randomArray(m * k, seed);
  const b = randomArray(k * n, seed + 1);
  const c0 = randomArray(m * n, seed + 2);
  const want = new Float64Array(m * n);
  const scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = beta * c0[i * n + j]!;
      let abs = Math.abs(s);
      for (let p = 0; p < k; p++) {
        const x = (ta ? a[p * m + i]! : a[i * k + p]!) * (tb ? b[j * k + p]! : b[p * n + j]!);
        s += x;
        abs += Math.abs(x);
      }
      want[i * n + j] = s;
      scale[i * n + j] = abs;
    }
  }
  return { a, b, c0, want, scale };
}

const EDGES = [1, 7, 65, 257]; // 257 > every row block (144) and the k block (256): crosses both
const CASES: Case[] = [];
for (const ta of [false, true])
  for (const tb of [false, true])
    for (const m of EDGES)
      for (const n of EDGES)
        for (const k of EDGES) CASES.push({ ta, tb, m, n, k, beta: (m + n + k) % 2 === 0 ? 0 : 1 });
// Past the column panel (2048) and the beta-1 accumulate on a big tile.
CASES.push(
  { ta: false, tb: true, m: 9, n: 2100, k: 65, beta: 1 },
  { ta: true, tb: false, m: 300, n: 70, k: 600, beta: 0 },
);

function run(addon: SgemmAddon, c: Case, r: Reference): Float32Array {
  // beta 0 must not read c: start from NaN so a read would show.
  const out = c.beta === 1 ? r.c0.slice() : new Float32Array(c.m * c.n).fill(Number.NaN);
  addon.sgemm(c.ta, c.tb, c.m, c.n, c.k, r.a, r.b, out, c.beta);
  return out;
}

const label = (c: Case): string => `${c.ta ? 'T' : 'N'}${c.tb ? 'T' : 'N'} ${c.m}x${c.n}x${c.k} beta ${c.beta}`;

test.serial('every micro-kernel this CPU runs matches the float64 reference on edge shapes and all transposes', (t) => {
  const addon = requireBlocked(t);
  if (!addon?.setBlockedKernel || !addon.blockedKernel) return t.fail('the blocked addon exports no kernel choice');
  const refs = CASES.map((c, i) => reference(c, 1000 + i * 7));
  const kernels = ['avx512', 'avx2', 'generic'].filter((k) => {
    try {
      addon.setBlockedKernel!(k);
      return true;
    } catch (err) {
      t.log(`kernel ${k} not run: ${(err as Error).message}`);
      return false;
    }
  });
  t.true(kernels.includes('generic'), 'the generic kernel runs everywhere');
  try {
    for (const kernel of kernels) {
      addon.setBlockedKernel(kernel);
      t.is(addon.blockedKernel(), kernel);
      let worst = 0;
      let where = '';
      CASES.forEach((c, i) => {
        const got = run(addon, c, refs[i]!);
        const { want, scale } = refs[i]!;
        for (let e = 0; e < want.length; e++) {
          // float32 accumulation: error <= ~k·2^-24 of Σ|terms| in the worst case; 1e-5 still flags any wrong term.
          const err = Math.abs(got[e]! - want[e]!) / (scale[e]! + 1e-30);
          if (!(err <= worst)) {
            worst = err;
            where = `${label(c)} element ${e}: ${got[e]} vs ${want[e]}`;
          }
        }
      });
      t.true(worst < 1e-5, `${kernel}: worst relative error ${worst} at ${where}`);
      t.log(`${kernel}: ${CASES.length} products, worst error ${worst.toExponential(2)} of Σ|a·b|`);
    }
  } finally {
    addon.setBlockedKernel('auto');
  }
  t.throws(() => addon.setBlockedKernel!('sse9'), { message: /unknown kernel "sse9"; expected auto, .*generic/ });
});

test.serial('a product split over 2 threads has the same bits as on 1; avx2 and avx512 agree bit for bit', (t) => {
  const addon = requireBlocked(t);
  if (!addon?.setNumThreads || !addon.setBlockedKernel) return t.fail('the blocked addon lacks setNumThreads');
  const c: Case = { ta: false, tb: true, m: 300, n: 260, k: 300, beta: 1 }; // > 1M multiply-adds: threaded
  const r = reference(c, 77);
  const before = addon.setNumThreads(1);
  try {
    const one = run(addon, c, r);
    addon.setNumThreads(2);
    const two = run(addon, c, r);
    t.true(Buffer.from(one.buffer).equals(Buffer.from(two.buffer)), '1 vs 2 threads');
    t.regex(addon.info(), /^native-blocked sgemm, \w+ kernel, 2 threads$/);
    const fused: Float32Array[] = [];
    for (const kernel of ['avx512', 'avx2']) {
      try {
        addon.setBlockedKernel(kernel);
      } catch {
        continue; // this CPU lacks it
      }
      fused.push(run(addon, c, r));
    }
    if (fused.length === 2)
      t.true(Buffer.from(fused[0]!.buffer).equals(Buffer.from(fused[1]!.buffer)), 'avx2 vs avx512');
    else t.log('avx2 vs avx512 not compared: this CPU runs only one of them');
  } finally {
    addon.setNumThreads(before);
    addon.setBlockedKernel('auto');
  }
});

test.serial('sgemmBatch on the blocked engine: matrices inside one heap, every transpose', (t) => {
  const addon = requireBlocked(t);
  if (!addon) return;
  const [m, n, k, batch] = [15, 32, 15, 5]; // the host step's per-head attention products
  for (const [ta, tb] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    const c: Case = { ta, tb, m, n, k, beta: 0 };
    const refs = Array.from({ length: batch }, (_, i) => reference(c, 500 + i));
    const heap = new Float32Array(batch * (m * k + k * n + m * n) + 3).fill(Number.NaN);
    const off = { a: new Float64Array(batch), b: new Float64Array(batch), c: new Float64Array(batch) };
    let at = 3; // an odd start: no alignment is assumed
    refs.forEach((r, i) => {
      off.a[i] = at;
      heap.set(r.a, at);
      at += r.a.length;
      off.b[i] = at;
      heap.set(r.b, at);
      at += r.b.length;
      off.c[i] = at;
      at += m * n;
    });
    addon.sgemmBatch(heap, ta, tb, m, n, k, off.a, off.b, off.c);
    refs.forEach((r, i) => {
      const got = heap.subarray(off.c[i], off.c[i]! + m * n);
      const bad = r.want.findIndex((w, e) => !(Math.abs(got[e]! - w) <= 1e-5 * r.scale[e]!));
      t.is(bad, -1, `${label(c)} batch ${i}: element ${bad} ${got[bad]} vs ${r.want[bad]}`);
    });
  }
});

test.serial(
  'EDITLEDGER_NATIVE_ENGINE: openblas forces OpenBLAS, blocked hides it, anything else is an error',
  async (t) => {
    await withEngineVar('openblas', () => {
      const addon = loadSgemmAddon();
      if (openblas.ok) t.true(addon.ok && addon.engine === 'openblas');
      const hidden = loadSgemmAddon('blocked');
      t.false(hidden.ok);
      if (!hidden.ok) t.is(hidden.reason, 'the blocked engine is hidden by EDITLEDGER_NATIVE_ENGINE=openblas');
    });
    await withEngineVar(undefined, () => {
      const addon = loadSgemmAddon();
      t.true(addon.ok, 'some engine loads');
      if (addon.ok) t.is(addon.engine, openblas.ok ? 'openblas' : 'blocked', 'OpenBLAS by default where it is built');
    });
    await withEngineVar('mkl', async () => {
      t.throws(() => loadSgemmAddon(), { message: /EDITLEDGER_NATIVE_ENGINE: unknown engine "mkl"; expected auto/ });
      await t.throwsAsync(initBackend('auto', { quiet: true }), {
        message: /EDITLEDGER_NATIVE_ENGINE: unknown engine/,
      });
    });
  },
);

test.serial('build-native with OpenBLAS missing still builds the blocked engine, which links no OpenBLAS', (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'editledger-no-openblas-'));
  const out = mkdtempSync(join(tmpdir(), 'editledger-native-out-'));
  try {
    const build = spawnSync(process.execPath, ['scripts/build-native.mjs'], {
      encoding: 'utf8',
      env: { ...process.env, EDITLEDGER_OPENBLAS_INCLUDE: empty, EDITLEDGER_NATIVE_OUT: out },
    });
    t.is(build.status, 0, build.stderr);
    t.regex(build.stderr, /OpenBLAS engine not built: cblas\.h not found/);
    t.deepEqual(readdirSync(out), ['editledger_blocked.node']);
    const addon = readFileSync(join(out, 'editledger_blocked.node'));
    t.false(addon.includes('libopenblas'), 'the blocked addon must not need OpenBLAS');
    t.regex(build.stderr, /ok: .*editledger_blocked\.node \(native-blocked sgemm, \w+ kernel, \d+ threads\)/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
});
