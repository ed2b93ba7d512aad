#!/usr/bin/env node
// Builds the optional OpenBLAS sgemm addon (native/) used by the `wasm-blas` compute backend.
//
// Runs as `postinstall` and as `npm run build:native`. It builds only where OpenBLAS (Debian: libopenblas-dev) and
// Node headers are present, prints why it skipped otherwise, smoke-tests the result in a child process (deleting it
// if it misbehaves), and ALWAYS exits 0: the project works without the addon (plain wasm backend), so a missing
// library must never fail `npm ci`.
//
// Env: EDITLEDGER_SKIP_NATIVE=1 skips the build. EDITLEDGER_OPENBLAS_INCLUDE / EDITLEDGER_OPENBLAS_LIB replace the
// folders searched for cblas.h / libopenblas.so (defaults: the usual Debian/Ubuntu/Fedora/Homebrew locations); pointing
// one at an empty folder simulates a machine without OpenBLAS.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');
const addonPath = join(nativeDir, 'build', 'Release', 'editledger_sgemm.node');
const require = createRequire(import.meta.url);

function say(message) {
  process.stderr.write(`build-native: ${message}\n`);
}

function skip(reason) {
  say(`skipped: ${reason}. The wasm backend works without it; \`wasm-blas\` will be unavailable.`);
  process.exit(0);
}

function findFirst(candidates) {
  return candidates.find((p) => existsSync(p));
}

function openblasPresent() {
  const includeDirs = process.env.EDITLEDGER_OPENBLAS_INCLUDE
    ? [process.env.EDITLEDGER_OPENBLAS_INCLUDE]
    : [
        '/usr/include/x86_64-linux-gnu',
        '/usr/include/aarch64-linux-gnu',
        '/usr/include/openblas',
        '/usr/include',
        '/usr/local/include',
        '/opt/homebrew/opt/openblas/include',
      ];
  const libDirs = process.env.EDITLEDGER_OPENBLAS_LIB
    ? [process.env.EDITLEDGER_OPENBLAS_LIB]
    : [
        '/usr/lib/x86_64-linux-gnu',
        '/usr/lib/aarch64-linux-gnu',
        '/usr/lib64',
        '/usr/lib',
        '/usr/local/lib',
        '/opt/homebrew/opt/openblas/lib',
      ];
  const header = findFirst(includeDirs.map((d) => join(d, 'cblas.h')));
  const lib = findFirst(libDirs.flatMap((d) => [join(d, 'libopenblas.so'), join(d, 'libopenblas.dylib')]));
  if (!header) return { ok: false, reason: 'cblas.h not found (install libopenblas-dev)' };
  if (!lib) return { ok: false, reason: 'libopenblas.so not found (install libopenblas-dev)' };
  return { ok: true, header, lib };
}

function nodeGypCommand() {
  // npm sets npm_config_node_gyp for lifecycle scripts; otherwise use the node-gyp bundled with npm.
  const candidates = [
    process.env.npm_config_node_gyp,
    join(
      dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ].filter(Boolean);
  const script = findFirst(candidates);
  return script ? [process.execPath, script] : undefined;
}

function nodeHeadersDir() {
  // node-gyp would try to download headers (no network here); use installed ones when we can find them.
  const candidates = [process.env.npm_config_nodedir, join(dirname(process.execPath), '..')].filter(Boolean);
  return candidates.find((d) => existsSync(join(d, 'include', 'node', 'node_api.h')));
}

function smokeTest() {
  const check = `
    const addon = require(${JSON.stringify(addonPath)});
    const a = new Float32Array([1, 2, 3, 4, 5, 6]);        // 2x3
    const b = new Float32Array([7, 8, 9, 10, 11, 12]);     // 3x2
    const c = new Float32Array(4);
    addon.sgemm(false, false, 2, 2, 3, a, b, c);
    const want = [58, 64, 139, 154];
    if (c.some((v, i) => v !== want[i])) { console.error('wrong result ' + Array.from(c)); process.exit(1); }
    console.log(addon.info());
  `;
  return spawnSync(process.execPath, ['-e', check], { encoding: 'utf8' });
}

function main() {
  if (process.env.EDITLEDGER_SKIP_NATIVE === '1') skip('EDITLEDGER_SKIP_NATIVE=1');
  if (!existsSync(join(nativeDir, 'binding.gyp'))) skip('native/binding.gyp missing');
  try {
    require.resolve('node-addon-api');
  } catch {
    skip('node-addon-api is not installed (optional dependency)');
  }
  const blas = openblasPresent();
  if (!blas.ok) skip(blas.reason);
  const gyp = nodeGypCommand();
  if (!gyp) skip('node-gyp not found (it ships with npm)');
  const args = [...gyp.slice(1), 'rebuild'];
  const headers = nodeHeadersDir();
  if (headers) args.push(`--nodedir=${headers}`);
  say(`building native/ against ${blas.lib}`);
  const built = spawnSync(gyp[0], args, { cwd: nativeDir, stdio: ['ignore', 'inherit', 'inherit'] });
  if (built.error || built.status !== 0) {
    rmSync(addonPath, { force: true });
    skip(`node-gyp failed (${built.error?.message ?? `exit ${built.status}`})`);
  }
  const smoke = smokeTest();
  if (smoke.status !== 0) {
    rmSync(addonPath, { force: true });
    skip(`the built addon failed its smoke test: ${(smoke.stderr || smoke.stdout).trim()}`);
  }
  say(`ok: ${addonPath} (${smoke.stdout.trim()})`);
}

try {
  main();
} catch (err) {
  // Never fail the install.
  rmSync(addonPath, { force: true });
  skip(`unexpected error: ${err instanceof Error ? err.message : String(err)}`);
}
