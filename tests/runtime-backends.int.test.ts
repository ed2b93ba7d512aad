/**
 * Compute backends: which are available, how one is chosen and reported (the backend line), the native addon's
 * switches and kernels, and the matmul ceiling helper. The runtime ops are checked in runtime-ops.int.test.ts.
 * Every test is serial: they switch the process-wide tfjs backend.
 */
import test from 'ava';
import {
  backendUnavailableReason,
  currentBackend,
  initBackend,
  parseBackendChoice,
  tf,
} from '../trainer/runtime/backend.ts';
import { spawnSync } from 'node:child_process';
import { backendLine, takeVerboseFlag, verboseRequested } from '../trainer/runtime/backend-line.ts';
import { measureMatmulGflops } from '../trainer/runtime/ceiling.ts';
import { loadNativeEngine, NATIVE_ENGINES } from '../trainer/runtime/native-addon.ts';
import {
  ALL,
  available,
  NATIVE,
  probeBackends,
  randomArray,
  reportUnavailable,
  unavailable,
  MATMUL_CASES,
  assertClose,
  prod,
  refMatMul,
} from './helpers/backend-references.ts';

test.before(probeBackends);

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
  if (best === 'wasm-blas')
    t.regex(short, /^editledger: backend wasm-blas: native openblas sgemm \(\w+\), \d+ threads\n$/);
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

// ---------- ceiling helper ----------

test.serial('measureMatmulGflops: reports a positive median for the active backend', async (t) => {
  await initBackend('wasm', { quiet: true });
  const r = measureMatmulGflops(32, 48, 40, { repeats: 3, warmup: 1 });
  t.is(r.backend, 'wasm');
  t.is(r.samplesMs.length, 3);
  t.true(r.gflops > 0 && Number.isFinite(r.gflops));
  t.throws(() => measureMatmulGflops(0, 1, 1), { message: /m must be a positive integer/ });
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
