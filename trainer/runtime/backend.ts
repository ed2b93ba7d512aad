/**
 * Compute backend selection for the model runtime.
 *
 * Everybody imports `tf` from here so the whole process shares ONE @tensorflow/tfjs-core instance (kernels and
 * backends are registered on that instance; a second copy would silently have no backends).
 *
 * Backends, fastest first (what `auto` tries):
 *   tensorflow  @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node (optional dependencies; absent on most machines)
 *   wasm-blas   the wasm backend whose BatchMatMul runs OpenBLAS sgemm through the native addon (native/)
 *   wasm-blocked  the same with the addon's own blocked SGEMM (native/blocked-*.cc), for machines without OpenBLAS:
 *               within float rounding of wasm-blas, not the same bits (so recorded under its own name)
 *   wasm        @tensorflow/tfjs-backend-wasm with SIMD, single-threaded (wasm threads do not work under Node)
 *   cpu         @tensorflow/tfjs-backend-cpu, pure JS, ~30x slower than wasm on matmuls
 */
import * as tf from '@tensorflow/tfjs-core';
// Types only (erased at run time): the chained-method declarations (x.reshape(), ...), registered at run time by
// tfjs-registrations.ts, so TypeScript and the runtime agree on what a Tensor has.
import type {} from '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { backendLine, verboseRequested } from './backend-line.ts';
import { installBlasKernel, uninstallBlasKernel } from './blas-kernel.ts';
import {
  addonThreads,
  loadSgemmAddon,
  nativeEnginePreference,
  openblasCore,
  type NativeEngine,
} from './native-addon.ts';
import { registerTfjsGradientsAndChainedOps } from './tfjs-registrations.ts';
import { normaliseCumulativeAxis, registerWasmGradientKernels } from './wasm-kernels.ts';

export { tf };

export const BACKEND_CHOICES = ['auto', 'tensorflow', 'wasm', 'wasm-blas', 'wasm-blocked', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
export type BackendName = Exclude<BackendChoice, 'auto'>;

export interface BackendInfo {
  /** The backend actually in use ('auto' is resolved). */
  name: BackendName;
  /** Human-readable description, e.g. "tfjs-backend-wasm 4.22.0, SIMD, 1 thread, matmul via OpenBLAS sgemm". */
  detail: string;
  /** The short form the stderr line shows, e.g. "native openblas sgemm, 2 threads". */
  summary: string;
  /** The native addon's GEMM engine behind BatchMatMul (wasm-blas: openblas, wasm-blocked: blocked). */
  engine?: NativeEngine;
  /** wasm SIMD in use (false for non-wasm backends). */
  simd: boolean;
  /** BatchMatMul runs on native BLAS (true for wasm-blas, wasm-blocked and tensorflow). */
  blas: boolean;
}

export interface InitBackendOptions {
  /** Do not log the `auto` choice on stderr (tests). */
  quiet?: boolean;
  /** Log the full description instead of the short line (default: EDITLEDGER_VERBOSE, see backend-line.ts). */
  verbose?: boolean;
}

/** Order in which `auto` tries backends. */
const AUTO_ORDER: readonly BackendName[] = ['tensorflow', 'wasm-blas', 'wasm-blocked', 'wasm', 'cpu'];

const require = createRequire(import.meta.url);

// Under Node, tfjs detects SharedArrayBuffer and would pick the threaded wasm build, which needs Web Workers from a
// Blob URL and fails. Force the single-threaded SIMD build, and point the loader at the .wasm files in node_modules
// (set at import time so even an accidental op before initBackend() initialises wasm correctly).
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
// tfjs-core's Node build ships without gradients and chained ops (x.reshape()); see tfjs-registrations.ts.
await registerTfjsGradientsAndChainedOps();

let current: BackendInfo | undefined;
let autoResolved: BackendInfo | undefined;
let autoLogged = false;
let tfNodeDetail: string | undefined;

/** The backend in use, or undefined before the first initBackend(). */
export function currentBackend(): BackendInfo | undefined {
  return current;
}

/**
 * True when matMul with transposeA/transposeB is as fast as a plain matMul on the active backend (native BLAS or
 * libtensorflow). On plain wasm and cpu the transposed variants are 10-30x slower, so ops.ts transposes explicitly.
 */
export function transposedMatmulIsFast(): boolean {
  return current?.blas === true;
}

/** Parse a backend choice, naming `field` in the error. */
export function parseBackendChoice(value: string, field = 'backend'): BackendChoice {
  const v = value.trim().toLowerCase();
  if ((BACKEND_CHOICES as readonly string[]).includes(v)) return v as BackendChoice;
  throw new Error(`${field}: unknown backend "${value}"; expected one of ${BACKEND_CHOICES.join(', ')}`);
}

/**
 * Select and initialise a compute backend.
 *
 * - `initBackend()` (no choice): if a backend is already active, returns it unchanged, so library code may call it
 *   freely without overriding a caller's explicit choice. Otherwise uses EDITLEDGER_BACKEND, else 'auto'.
 * - `initBackend(choice)`: switches to that backend (cheap when it was initialised before; kernels stay registered).
 *   An explicitly chosen backend that cannot work is a clear error; `auto` falls through to the next one.
 */
let initQueue: Promise<unknown> = Promise.resolve();

export async function initBackend(choice?: BackendChoice, opts: InitBackendOptions = {}): Promise<BackendInfo> {
  // One initialisation at a time: tfjs's backend switch is global, and two concurrent ones (the service's generate
  // and training, tests in one process) make each other fail half-way.
  const next = initQueue.then(() => initBackendNow(choice, opts));
  initQueue = next.catch(() => undefined);
  return next;
}

async function initBackendNow(choice: BackendChoice | undefined, opts: InitBackendOptions): Promise<BackendInfo> {
  if (choice === undefined) {
    if (current) return current;
    const fromEnv = process.env['EDITLEDGER_BACKEND'];
    choice = fromEnv && fromEnv.trim() !== '' ? parseBackendChoice(fromEnv, 'EDITLEDGER_BACKEND') : 'auto';
  } else {
    choice = parseBackendChoice(choice);
  }
  if (choice !== 'auto') return activate(choice);
  nativeEnginePreference(); // a misspelt EDITLEDGER_NATIVE_ENGINE is an error, not a silent fall back to plain wasm

  if (autoResolved) return activate(autoResolved.name);
  const skipped: string[] = [];
  for (const name of AUTO_ORDER) {
    try {
      const info = await activate(name);
      autoResolved = info;
      if (!opts.quiet && !autoLogged) {
        autoLogged = true;
        process.stderr.write(backendLine(info, skipped, opts.verbose ?? verboseRequested()) + '\n');
      }
      return info;
    } catch (err) {
      skipped.push(`${name}: ${errorMessage(err)}`);
    }
  }
  throw new Error(`no compute backend works: ${skipped.join('; ')}`);
}

/** Why a backend is unavailable on this machine, or undefined if it works. Leaves the active backend unchanged. */
export async function backendUnavailableReason(name: BackendName): Promise<string | undefined> {
  const before = current;
  try {
    await activate(name);
    return undefined;
  } catch (err) {
    return errorMessage(err);
  } finally {
    if (before && before.name !== current?.name) await activate(before.name);
  }
}

async function activate(name: BackendName): Promise<BackendInfo> {
  let info: BackendInfo;
  switch (name) {
    case 'tensorflow':
      info = await activateTensorflow();
      break;
    case 'wasm':
      info = await activateWasm(undefined);
      break;
    case 'wasm-blas':
      info = await activateWasm('openblas');
      break;
    case 'wasm-blocked':
      info = await activateWasm('blocked');
      break;
    case 'cpu':
      uninstallBlasKernel();
      await setTfBackend('cpu');
      silenceCpuBanner();
      normaliseCumulativeAxis('cpu');
      info = {
        name: 'cpu',
        detail: `tfjs-backend-cpu ${tf.version_core}, pure JavaScript`,
        summary: 'tfjs cpu, pure JavaScript',
        simd: false,
        blas: false,
      };
      break;
  }
  current = info;
  return info;
}

/** Plain wasm (no engine), or wasm with BatchMatMul on that native engine. */
async function activateWasm(engine: NativeEngine | undefined): Promise<BackendInfo> {
  const name = engine === 'openblas' ? 'wasm-blas' : 'wasm-blocked';
  // Load the addon before touching the backend so a missing addon leaves the current backend as it was.
  const addon = engine ? loadSgemmAddon(engine) : undefined;
  if (addon && !addon.ok) throw new Error(`${name} unavailable: ${addon.reason}`);
  await setTfBackend('wasm');
  registerWasmGradientKernels();
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const base = `tfjs-backend-wasm ${tf.version_core}${simd ? ', SIMD' : ', no SIMD'}, 1 thread`;
  if (addon?.ok) {
    installBlasKernel(addon.addon);
    const threads = addonThreads(addon.addon);
    // Which kernels run: the blocked engine's micro-kernel, or the core OpenBLAS picked for this CPU.
    const kernel = addon.addon.blockedKernel?.() ?? openblasCore(addon.addon.info());
    return {
      name,
      // wasm-blas's detail is recorded in manifests (libraries.backendDetail): kept exactly as it always was.
      detail: `${base}, matmul via ${engine === 'openblas' ? 'OpenBLAS' : 'native-blocked'} sgemm (${addon.addon.info()})`,
      summary: `native ${engine} sgemm${kernel ? ` (${kernel})` : ''}${threads ? `, ${threads} threads` : ''}`,
      engine: addon.engine,
      simd,
      blas: true,
    };
  }
  uninstallBlasKernel();
  return { name: 'wasm', detail: base, summary: `tfjs wasm${simd ? ' SIMD' : ''}, 1 thread`, simd, blas: false };
}

async function activateTensorflow(): Promise<BackendInfo> {
  if (!tfNodeDetail) {
    const failures: string[] = [];
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      try {
        // A string variable keeps TypeScript from resolving these optional, usually-absent packages.
        const spec: string = pkg;
        await import(spec);
        tfNodeDetail = pkg;
        break;
      } catch (err) {
        failures.push(`${pkg}: ${firstLine(errorMessage(err))}`);
      }
    }
    if (!tfNodeDetail) {
      throw new Error(
        `tensorflow backend unavailable: neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node can be loaded ` +
          `(they are optional dependencies; their install downloads libtensorflow) [${failures.join('; ')}]`,
      );
    }
  }
  if (!tf.findBackendFactory('tensorflow')) {
    throw new Error(
      `tensorflow backend unavailable: ${tfNodeDetail} loaded but registered no 'tensorflow' backend on our ` +
        `@tensorflow/tfjs-core ${tf.version_core} (a second tfjs-core copy? check npm ls @tensorflow/tfjs-core)`,
    );
  }
  uninstallBlasKernel();
  await setTfBackend('tensorflow');
  const detail = `${tfNodeDetail} (libtensorflow)`;
  return { name: 'tensorflow', detail, summary: detail, simd: false, blas: true };
}

async function setTfBackend(name: string): Promise<void> {
  // tf.setBackend resolves to false (and only warns) when initialisation fails; turn that into an error.
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`tfjs could not initialise the '${name}' backend`);
  await tf.ready();
}

/**
 * The cpu backend prints an "install tfjs-node" banner on its first kernel under Node. We pick backends
 * deliberately (and say so), so mark it as already shown; other tfjs warnings stay on.
 */
function silenceCpuBanner(): void {
  const backend = tf.backend() as unknown as { firstUse?: boolean };
  if (backend.firstUse === true) backend.firstUse = false;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function firstLine(s: string): string {
  return s.split('\n', 1)[0] ?? s;
}
