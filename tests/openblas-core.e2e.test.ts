// A version trained on OpenBLAS rebuilds bit-for-bit only on the same OpenBLAS kernels, and OpenBLAS picks them by
// CPU model when it loads (a CPU newer than the library gets generic ones). Built here with one core's kernels
// (OPENBLAS_CORETYPE=Haswell, in a process of its own) and verified with another's (Prescott), `verify` fails and says
// which kernels ran then and now; with the recorded core selected again it is bit-identical.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import test from 'ava';
import { command as edit } from '../infra/cli/commands/edit.ts';
import { loadNativeEngine, openblasCore } from '../trainer/runtime/native-addon.ts';
import { QUICK_POLICY, withTinyHome } from './helpers/tiny-home.ts';
import { edits } from './helpers/trainer-consumer-edits.ts';
import { runChild } from './helpers/trainer-consumer-rig.ts';

/** A model command in a child process whose OpenBLAS loads with `core`'s kernels. */
function modelCommand(env: NodeJS.ProcessEnv, core: string, args: readonly string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/model-cli-child.ts', ...args], {
    env: { ...env, EDITLEDGER_BACKEND: 'wasm-blas', EDITLEDGER_NATIVE_ENGINE: 'openblas', OPENBLAS_CORETYPE: core },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return runChild(child);
}

test('verify names the OpenBLAS kernels a version was built with when the rebuild ran on others', async (t) => {
  const openblas = loadNativeEngine('openblas');
  if (!openblas.ok) {
    t.log(`SKIPPED: no OpenBLAS engine here (${openblas.reason})`);
    return t.pass();
  }
  // Haswell's kernels need AVX2 and FMA; OpenBLAS would run them (and fault) on a CPU without.
  if (!/\bavx2\b.*\bfma\b|\bfma\b.*\bavx2\b/.test(readFileSync('/proc/cpuinfo', 'utf8'))) {
    t.log('SKIPPED: this CPU has no AVX2/FMA for the Haswell kernels');
    return t.pass();
  }
  t.log(`OpenBLAS here: ${openblas.addon.info()} (core ${openblasCore(openblas.addon.info())})`);
  const world = await withTinyHome(t, { prefix: 'openblas-core', baseEnv: process.env, policy: QUICK_POLICY });
  await world.ok(edit, ['submit', ...edits.capital, '--reason', 'a wrong capital']);
  await world.ok(edit, ['submit', ...edits.ceo, '--reason', 'a new CEO']);

  const built = await modelCommand(world.env, 'Haswell', ['materialize']);
  t.is(built.code, 0, built.stderr);
  const other = await modelCommand(world.env, 'Prescott', ['verify', '--version', '#1']);
  t.log(other.stdout.trim());
  t.is(other.code, 1, `a rebuild on other kernels differs: ${other.stdout}${other.stderr}`);
  t.regex(other.stdout, /rebuild DIFFERS/);
  t.regex(other.stdout, /differs: OpenBLAS ran its Prescott kernels here and its Haswell kernels when the version/);
  t.regex(other.stdout, /OPENBLAS_CORETYPE=Haswell selects the recorded ones/);

  const same = await modelCommand(world.env, 'Haswell', ['verify', '--version', '#1']);
  t.is(same.code, 0, `${same.stdout}${same.stderr}`);
  t.regex(same.stdout, /bit-identical rebuild/);
  t.notRegex(same.stdout, /differs:/);
});
