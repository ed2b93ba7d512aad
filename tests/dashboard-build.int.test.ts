// The committed dashboard (infra/dashboard/dist, what `editledger serve` serves) is what its sources build to: a
// fresh Vite build into a temporary folder gives the same files, byte for byte. And the browser sources type-check
// under their own tsconfig (DOM types), which the root `tsc` does not cover.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildDashboard, DASHBOARD_ROOT, hashTree } from '../infra/dashboard/build.ts';

test('rebuilding the dashboard from its sources gives the committed dist/ exactly', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'editledger-dashboard-build-'));
  try {
    await buildDashboard(out);
    const rebuilt = hashTree(out);
    t.true(Object.keys(rebuilt).includes('index.html'));
    t.true(Object.keys(rebuilt).some((f) => /^assets\/index-[\w-]+\.js$/.test(f)));
    t.deepEqual(rebuilt, hashTree(join(DASHBOARD_ROOT, 'dist')), 'run npm run build:dashboard and commit dist/');
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('the browser sources type-check (infra/dashboard/tsconfig.json: strict, checkJs, DOM)', async (t) => {
  const tsc = join(process.cwd(), 'node_modules', 'typescript', 'bin', 'tsc');
  const run = await promisify(execFile)(process.execPath, [tsc, '-p', join(DASHBOARD_ROOT, 'tsconfig.json')]).then(
    () => ({ code: 0, out: '' }),
    (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, out: error.stdout ?? '' }),
  );
  t.is(run.code, 0, run.out);
});
