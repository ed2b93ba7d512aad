/**
 * Loads the native addon (native/, built by scripts/build-native.mjs) on one of its two GEMM engines:
 *
 *   openblas  editledger_sgemm.node: cblas_sgemm from OpenBLAS (built where libopenblas-dev is installed)
 *   blocked   editledger_blocked.node: our portable blocked SGEMM (native/blocked-*.cc), built wherever a C++
 *             compiler is; within float rounding of OpenBLAS but not the same bits
 *
 * Both export the same functions (native-addon-types.ts). By default OpenBLAS is used where it loads, so a machine
 * with OpenBLAS computes exactly what it did before the blocked engine existed; the blocked engine stands in where it
 * does not. EDITLEDGER_NATIVE_ENGINE=openblas|blocked forces one (the other then counts as absent: that is how tests
 * and benchmarks hide OpenBLAS on a machine that has it); EDITLEDGER_NATIVE_SGEMM=off hides both.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { SgemmAddon } from './native-addon-types.ts';

export { hasRowKernels } from './native-addon-types.ts';
export type { RowKernelAddon, SgemmAddon } from './native-addon-types.ts';

export const NATIVE_ENGINES = ['openblas', 'blocked'] as const;
export type NativeEngine = (typeof NATIVE_ENGINES)[number];

export type AddonLoad =
  { ok: true; addon: SgemmAddon; path: string; engine: NativeEngine } | { ok: false; reason: string };

const addonPath = (file: string): string =>
  fileURLToPath(new URL(`../../native/build/Release/${file}`, import.meta.url));

/** The OpenBLAS addon (its historical name). */
export const SGEMM_ADDON_PATH = addonPath('editledger_sgemm.node');
export const BLOCKED_ADDON_PATH = addonPath('editledger_blocked.node');

const PATHS: Record<NativeEngine, string> = { openblas: SGEMM_ADDON_PATH, blocked: BLOCKED_ADDON_PATH };
const HOW_TO_BUILD: Record<NativeEngine, string> = {
  openblas: 'install libopenblas-dev, then `npm run build:native`',
  blocked: '`npm run build:native`; it needs a C++ compiler and node-addon-api',
};

/** EDITLEDGER_NATIVE_ENGINE: 'auto' (unset or empty), 'openblas' or 'blocked'; anything else is an error naming it. */
export function nativeEnginePreference(): 'auto' | NativeEngine {
  const raw = process.env['EDITLEDGER_NATIVE_ENGINE'];
  const value = raw?.trim().toLowerCase() ?? '';
  if (value === '' || value === 'auto') return 'auto';
  if ((NATIVE_ENGINES as readonly string[]).includes(value)) return value as NativeEngine;
  throw new Error(`EDITLEDGER_NATIVE_ENGINE: unknown engine "${raw}"; expected auto, openblas or blocked`);
}

const disabled = (): AddonLoad | undefined =>
  process.env['EDITLEDGER_NATIVE_SGEMM'] === 'off'
    ? { ok: false, reason: 'native sgemm disabled by EDITLEDGER_NATIVE_SGEMM=off' }
    : undefined;

const cache = new Map<NativeEngine, AddonLoad>();

/** That engine's addon, whatever EDITLEDGER_NATIVE_ENGINE says (benchmarks compare engines). Loaded once. */
export function loadNativeEngine(engine: NativeEngine): AddonLoad {
  const off = disabled();
  if (off) return off;
  const known = cache.get(engine);
  if (known) return known;
  const path = PATHS[engine];
  let result: AddonLoad;
  if (!existsSync(path)) {
    result = { ok: false, reason: `native ${engine} sgemm addon not built (${path} missing; ${HOW_TO_BUILD[engine]})` };
  } else {
    try {
      const addon = createRequire(import.meta.url)(path) as SgemmAddon;
      if (
        typeof addon.sgemmBatch !== 'function' ||
        typeof addon.sgemm !== 'function' ||
        typeof addon.info !== 'function'
      ) {
        throw new Error('addon does not export sgemmBatch/sgemm/info (rebuild it: npm run build:native)');
      }
      result = { ok: true, addon, path, engine };
    } catch (err) {
      result = { ok: false, reason: `native ${engine} sgemm addon failed to load: ${(err as Error).message}` };
    }
  }
  cache.set(engine, result);
  return result;
}

/**
 * The addon to compute with. Without `engine`: the forced engine, else OpenBLAS where it loads, else the blocked
 * engine. With `engine`: that one, unless EDITLEDGER_NATIVE_ENGINE forces the other.
 */
export function loadSgemmAddon(engine?: NativeEngine): AddonLoad {
  const off = disabled();
  if (off) return off;
  const preference = nativeEnginePreference();
  if (engine !== undefined) {
    if (preference !== 'auto' && preference !== engine)
      return { ok: false, reason: `the ${engine} engine is hidden by EDITLEDGER_NATIVE_ENGINE=${preference}` };
    return loadNativeEngine(engine);
  }
  if (preference !== 'auto') return loadNativeEngine(preference);
  const openblas = loadNativeEngine('openblas');
  if (openblas.ok) return openblas;
  const blocked = loadNativeEngine('blocked');
  if (blocked.ok) return blocked;
  return { ok: false, reason: `${openblas.reason}; ${blocked.reason}` };
}

/** The addon's thread count as its info() reports it ("…, 2 threads"), or undefined. */
export function addonThreads(addon: SgemmAddon): number | undefined {
  const match = /, (\d+) threads?$/.exec(addon.info());
  return match ? Number(match[1]) : undefined;
}

/**
 * The OpenBLAS core whose kernels run, from an engine description such as "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH
 * NO_AFFINITY SkylakeX MAX_THREADS=64, 2 threads" (DYNAMIC_ARCH builds pick it by CPU model when they load), or undefined.
 */
export function openblasCore(detail: string): string | undefined {
  return /OpenBLAS [\w.]+(?: [A-Z_]+)* (\w+) MAX_THREADS=/.exec(detail)?.[1];
}
