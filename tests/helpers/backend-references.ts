// What the backend and runtime-op tests share: which compute backends this machine has (probed once per test file),
// and independent float64 references written in plain loops to check every backend against.
import type { ExecutionContext } from 'ava';
import { backendUnavailableReason, initBackend, type BackendName } from '../../trainer/runtime/backend.ts';
import { mulberry32 } from './mulberry32.ts';

export const ALL: BackendName[] = ['tensorflow', 'wasm-blas', 'wasm-blocked', 'wasm', 'cpu'];
/** The wasm backend with BatchMatMul on the native addon: OpenBLAS, and the blocked SGEMM (native/blocked-*.cc). */
export const NATIVE: BackendName[] = ['wasm-blas', 'wasm-blocked'];
export const available: BackendName[] = [];
export const unavailable = new Map<BackendName, string>();

/** Fills `available` and `unavailable`; run it in test.before. */
export async function probeBackends(): Promise<void> {
  await initBackend('cpu', { quiet: true });
  for (const name of ALL) {
    const reason = await backendUnavailableReason(name);
    if (reason === undefined) available.push(name);
    else unavailable.set(name, reason);
  }
}

// ---------- independent references ----------

export function randomArray(size: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: size }, () => next() * 2 - 1);
}

export const prod = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** float64 batched matmul with tfjs semantics (transposes, NumPy broadcasting of batch dims). */
export function refMatMul(
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

export function assertClose(
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

export function reportUnavailable(t: ExecutionContext, name: BackendName): boolean {
  const reason = unavailable.get(name);
  if (reason === undefined) return false;
  t.log(`SKIPPED backend ${name}: ${reason}`);
  return true;
}

/** Matmul shapes that cover the transposes and the broadcasting of batch dimensions. */
export const MATMUL_CASES: { name: string; a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [
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
