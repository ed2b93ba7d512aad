// Why a rebuild on the same backend can still differ: the numeric library underneath chose other kernels. OpenBLAS
// (DYNAMIC_ARCH builds, as Debian ships it) picks its kernels by CPU model when it loads, and each core's kernels
// round differently; a CPU newer than the library is served by generic ones. The backend name ("wasm-blas") does not
// show this, but every artifact's manifest records the engine's own description (libraries.backendDetail), so a
// rebuild that differs can say which kernels ran then and now, and how to ask for the recorded ones.
import { z } from 'zod';
import { MANIFEST_FILE } from '../locft/delta-artifact.ts';
import { openblasCore } from '../runtime/native-addon.ts';

// Both manifest formats (a trained delta's, and the empty edit set's base version) carry this field.
const ManifestLibrariesSchema = z.object({ libraries: z.object({ backendDetail: z.string() }) });

/** The engine description a manifest records, or undefined when the files hold none that parses. */
export function recordedEngineDetail(files: ReadonlyMap<string, Uint8Array>): string | undefined {
  const bytes = files.get(MANIFEST_FILE);
  if (bytes === undefined) return undefined;
  try {
    const parsed = ManifestLibrariesSchema.safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
    return parsed.success ? parsed.data.libraries.backendDetail : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The blocked engine gives the same bits with its AVX-512 and AVX2 micro-kernels (both use FMA in the same order; the
 * generic one does not) and on any number of threads (tests/native-blocked-sgemm.int.test.ts), so descriptions that
 * differ only there name the same numbers.
 */
function sameBits(detail: string): string {
  return detail
    .replace(/native-blocked sgemm, (?:avx512|avx2) kernel/g, 'native-blocked sgemm, fma kernel')
    .replace(/(native-blocked sgemm, \w+ kernel), \d+ threads?/g, '$1');
}

/**
 * A line for `verify`'s differences when the rebuild ran on another numeric engine than the recorded artifact's, or
 * undefined when both describe the same engine (or either is unknown).
 */
export function engineDifference(recorded: string | undefined, rebuilt: string | undefined): string | undefined {
  if (recorded === undefined || rebuilt === undefined || sameBits(recorded) === sameBits(rebuilt)) return undefined;
  const [then, now] = [openblasCore(recorded), openblasCore(rebuilt)];
  if (then !== undefined && now !== undefined && then !== now)
    return (
      `OpenBLAS ran its ${now} kernels here and its ${then} kernels when the version was built (it picks them by CPU ` +
      `model, and their rounding differs); OPENBLAS_CORETYPE=${then} selects the recorded ones on a CPU that has them`
    );
  return `numeric engine "${rebuilt}" here, "${recorded}" when the version was built`;
}
