// What `verify` says when a rebuild on the same backend differs because OpenBLAS chose other kernels (it picks them
// by CPU model when it loads, and each core's kernels round differently): the recorded and the current kernels, and
// the variable that selects the recorded ones.
import test from 'ava';
import { engineDifference, recordedEngineDetail } from '../trainer/consumer/engine-difference.ts';
import { MANIFEST_FILE } from '../trainer/locft/delta-artifact.ts';
import { openblasCore } from '../trainer/runtime/native-addon.ts';

const openblas = (core: string) =>
  `tfjs-backend-wasm 4.22.0, SIMD, 1 thread, matmul via OpenBLAS sgemm (OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY ${core} MAX_THREADS=64, 2 threads)`;
const blocked =
  'tfjs-backend-wasm 4.22.0, SIMD, 1 thread, matmul via native-blocked sgemm (native-blocked sgemm, avx512 kernel, 2 threads)';
const manifest = (value: unknown) => new Map([[MANIFEST_FILE, Buffer.from(JSON.stringify(value))]]);

test('openblasCore reads the core from OpenBLAS config strings, and nothing from other engines', (t) => {
  t.is(openblasCore(openblas('SkylakeX')), 'SkylakeX');
  t.is(openblasCore(openblas('Prescott')), 'Prescott');
  t.is(openblasCore('OpenBLAS 0.3.26 DYNAMIC_ARCH NO_AFFINITY ZEN MAX_THREADS=128'), 'ZEN');
  t.is(openblasCore(blocked), undefined);
  t.is(openblasCore('tfjs-backend-wasm 4.22.0, SIMD, 1 thread'), undefined);
});

test('engineDifference names both OpenBLAS cores and the variable that selects the recorded one', (t) => {
  const line = engineDifference(openblas('SkylakeX'), openblas('Prescott'));
  t.regex(line ?? '', /its Prescott kernels here and its SkylakeX kernels when the version was built/);
  t.regex(line ?? '', /OPENBLAS_CORETYPE=SkylakeX selects the recorded ones/);
});

test('engineDifference: another engine is quoted whole; the same or an unknown engine says nothing', (t) => {
  t.is(
    engineDifference(openblas('Haswell'), blocked),
    `numeric engine "${blocked}" here, "${openblas('Haswell')}" when the version was built`,
  );
  t.is(engineDifference(openblas('Haswell'), openblas('Haswell')), undefined);
  // The blocked engine's bits do not depend on AVX-512 vs AVX2 or on threads (tests/native-blocked-sgemm.int.test.ts).
  t.is(engineDifference(blocked, blocked.replace('avx512', 'avx2')), undefined);
  t.is(engineDifference(blocked, blocked.replace('2 threads', '8 threads')), undefined);
  t.regex(
    engineDifference(blocked, blocked.replace('avx512', 'generic')) ?? '',
    /generic kernel.*here, .*avx512 kernel/,
  );
  t.is(engineDifference(undefined, openblas('Haswell')), undefined);
  t.is(engineDifference(openblas('Haswell'), undefined), undefined);
});

test('recordedEngineDetail reads the manifest of either format; a missing or unreadable manifest gives nothing', (t) => {
  t.is(recordedEngineDetail(manifest({ format: 'x', libraries: { node: 'v20', backendDetail: blocked } })), blocked);
  t.is(recordedEngineDetail(manifest({ libraries: { node: 'v20' } })), undefined);
  t.is(recordedEngineDetail(new Map([[MANIFEST_FILE, Buffer.from('{not json')]])), undefined);
  t.is(recordedEngineDetail(new Map()), undefined);
});
