// The compute backend a LocFT run records names the host step's GEMM engine when it is the blocked one under a
// backend whose name does not say so (explicit EDITLEDGER_BACKEND=wasm on a machine without OpenBLAS): the two
// engines' bits differ, and the label keys the activation cache and is what `verify` compares.
import test from 'ava';
import { HOST_STEP_SUFFIX } from '../trainer/locft/config.ts';
import { recordedBackend } from '../trainer/locft/step-runner.ts';
import type { LocftTrainResult } from '../trainer/locft/trainer.ts';
import { initBackend } from '../trainer/runtime/backend.ts';
import { loadNativeEngine } from '../trainer/runtime/native-addon.ts';
import { trainBaseModel } from './helpers/locft-base-run.ts';

const ENGINE_VAR = 'EDITLEDGER_NATIVE_ENGINE';

test('recordedBackend: "+host-step" alone keeps its meaning; the blocked engine is named unless the backend says it', (t) => {
  t.is(recordedBackend('wasm', undefined), 'wasm');
  t.is(recordedBackend('wasm-blas', 'openblas'), 'wasm-blas+host-step');
  t.is(recordedBackend('wasm', 'openblas'), 'wasm+host-step');
  t.is(recordedBackend('wasm-blocked', 'blocked'), 'wasm-blocked+host-step');
  t.is(recordedBackend('wasm', 'blocked'), 'wasm+blocked+host-step');
  t.is(recordedBackend('cpu', 'blocked'), 'cpu+blocked+host-step');
  // The materializer rebuilds a version on the host engine when its recorded backend ends so.
  t.true(recordedBackend('wasm', 'blocked').endsWith(HOST_STEP_SUFFIX));
});

/** Trains a few edits of models/base on the host engine with EDITLEDGER_NATIVE_ENGINE=`engine` and plain wasm. */
async function trainOnWasm(engine: 'blocked' | 'openblas'): Promise<LocftTrainResult> {
  const before = process.env[ENGINE_VAR];
  process.env[ENGINE_VAR] = engine;
  try {
    await initBackend('wasm', { quiet: true });
    return await trainBaseModel({ engine: 'host', edits: 8, epochs: 2 });
  } finally {
    if (before === undefined) delete process.env[ENGINE_VAR];
    else process.env[ENGINE_VAR] = before;
  }
}

test.serial('explicit wasm with the blocked engine records wasm+blocked+host-step', async (t) => {
  const blocked = loadNativeEngine('blocked');
  if (!blocked.ok) return t.fail(`the blocked engine must build wherever a C++ compiler is: ${blocked.reason}`);
  const result = await trainOnWasm('blocked');
  t.is(result.engine, 'host');
  t.is(result.backend, 'wasm+blocked+host-step');
});

test.serial('explicit wasm with OpenBLAS records wasm+host-step, as before', async (t) => {
  const openblas = loadNativeEngine('openblas');
  if (!openblas.ok) {
    t.log(`SKIPPED: no OpenBLAS engine here (${openblas.reason})`);
    return t.pass();
  }
  const result = await trainOnWasm('openblas');
  t.is(result.engine, 'host');
  t.is(result.backend, 'wasm+host-step');
});
