#!/usr/bin/env node
// Builds the optional native addons (native/) behind the `wasm-blas` and `wasm-blocked` compute backends and the
// LocFT host step:
//   editledger_blocked.node  our portable blocked SGEMM (native/blocked-*.cc) + the host step's row kernels; needs
//                            only a C++ compiler, so it is built on every machine that has one
//   editledger_sgemm.node    the same kernels on OpenBLAS cblas_sgemm; built only where OpenBLAS (Debian:
//                            libopenblas-dev) is present, and preferred at run time (trainer/runtime/blas-kernel.ts)
//
// Runs as `postinstall` and as `npm run build:native`. Prints why it skipped something, smoke-tests each addon in a
// child process before installing it, and ALWAYS exits 0: the project works without any addon (plain wasm backend),
// so a missing library or compiler must never fail `npm ci`.
//
// The build runs in a staging folder (native/build/.staging-<pid>/) and each finished addon replaces the old one with
// one rename, so tests running in another process never see a half-written or missing addon (a process that already
// loaded the old file keeps its copy).
//
// Env: EDITLEDGER_SKIP_NATIVE=1 skips the build. EDITLEDGER_OPENBLAS_INCLUDE / EDITLEDGER_OPENBLAS_LIB replace the
// folders searched for cblas.h / libopenblas.so (defaults: the usual Debian/Ubuntu/Fedora/Homebrew locations); pointing
// one at an empty folder simulates a machine without OpenBLAS (only the blocked addon is built then).
// EDITLEDGER_NATIVE_OUT=DIR installs the addons into DIR instead of native/build/Release/.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');
// EDITLEDGER_NATIVE_OUT installs elsewhere (tests build with OpenBLAS hidden without touching the real addons).
const releaseDir = process.env.EDITLEDGER_NATIVE_OUT || join(nativeDir, 'build', 'Release');
const ADDONS = { blocked: 'editledger_blocked.node', openblas: 'editledger_sgemm.node' };
const require = createRequire(import.meta.url);

function say(message) {
  process.stderr.write(`build-native: ${message}\n`);
}

function skip(reason) {
  say(`skipped: ${reason}. The wasm backend works without it; \`wasm-blas\` and \`wasm-blocked\` will be unavailable.`);
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

// A product with every transpose, the beta-1 accumulate, and a shape past one register tile, checked in a child
// process (a crashing addon must not take the build script down with it).
function smokeTest(path) {
  const check = `
    const addon = require(${JSON.stringify(path)});
    const a = new Float32Array([1, 2, 3, 4, 5, 6]);        // 2x3
    const b = new Float32Array([7, 8, 9, 10, 11, 12]);     // 3x2
    const c = new Float32Array(4);
    addon.sgemm(false, false, 2, 2, 3, a, b, c);
    const want = [58, 64, 139, 154];
    if (c.some((v, i) => v !== want[i])) { console.error('wrong result ' + Array.from(c)); process.exit(1); }
    addon.sgemm(true, true, 3, 3, 2, a, b, new Float32Array(9));
    const m = 37, n = 41, k = 19, x = new Float32Array(m * k).fill(1), y = new Float32Array(k * n).fill(2);
    const z = new Float32Array(m * n).fill(1);
    addon.sgemm(false, true, m, n, k, x, y, z, 1);
    if (z.some((v) => v !== 2 * k + 1)) { console.error('wrong accumulate ' + z[0]); process.exit(1); }
    console.log(addon.info());
  `;
  return spawnSync(process.execPath, ['-e', check], { encoding: 'utf8' });
}

/** Moves a smoke-tested addon into native/build/Release/ with one rename (same filesystem: atomic). */
function install(staged, name) {
  mkdirSync(releaseDir, { recursive: true });
  const target = join(releaseDir, name);
  const temp = `${target}.tmp-${process.pid}`;
  copyFileSync(staged, temp);
  renameSync(temp, target);
  return target;
}

function main() {
  if (process.env.EDITLEDGER_SKIP_NATIVE === '1') skip('EDITLEDGER_SKIP_NATIVE=1');
  if (!existsSync(join(nativeDir, 'binding.gyp'))) skip('native/binding.gyp missing');
  try {
    require.resolve('node-addon-api');
  } catch {
    skip('node-addon-api is not installed (optional dependency)');
  }
  const gyp = nodeGypCommand();
  if (!gyp) skip('node-gyp not found (it ships with npm)');
  const blas = openblasPresent();
  if (!blas.ok) say(`OpenBLAS engine not built: ${blas.reason}; building the portable blocked engine only`);

  // Staging under native/build/ (git-ignored) so binding.gyp's require('node-addon-api') still resolves.
  const staging = join(nativeDir, 'build', `.staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    for (const file of readdirSync(nativeDir)) {
      if (/\.(cc|h|gyp)$/.test(file)) copyFileSync(join(nativeDir, file), join(staging, file));
    }
    const args = [...gyp.slice(1), 'rebuild', '-j', '2'];
    const headers = nodeHeadersDir();
    if (headers) args.push(`--nodedir=${headers}`);
    say(`building native/ (${blas.ok ? `blocked engine, and OpenBLAS engine against ${blas.lib}` : 'blocked engine'})`);
    const built = spawnSync(gyp[0], args, {
      cwd: staging,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, EDITLEDGER_WITH_OPENBLAS: blas.ok ? '1' : '0' },
    });
    if (built.error || built.status !== 0) {
      rmSync(staging, { recursive: true, force: true }); // skip() exits: the finally below would not run
      skip(`node-gyp failed (${built.error?.message ?? `exit ${built.status}`})`);
    }
    for (const [engine, name] of Object.entries(ADDONS)) {
      // Without OpenBLAS an older editledger_sgemm.node is left alone: where its library is gone it fails to load and
      // the loader falls back to the blocked engine; deleting it would pull it from under running processes.
      if (engine === 'openblas' && !blas.ok) continue;
      const staged = join(staging, 'build', 'Release', name);
      const smoke = smokeTest(staged);
      if (smoke.status !== 0) {
        say(
          `${engine} engine NOT installed: the built addon failed its smoke test: ${(smoke.stderr || smoke.stdout).trim()}`,
        );
        continue;
      }
      say(`ok: ${install(staged, name)} (${smoke.stdout.trim()})`);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

try {
  main();
} catch (err) {
  // Never fail the install.
  skip(`unexpected error: ${err instanceof Error ? err.message : String(err)}`);
}
