// `editledger demo` (npm start) on the shipped base model, with a 2-epoch policy to stay quick: it runs end to end,
// prints the versions table, rolls back with a reused artifact, rebuilds bit-identically, and a second run is safe.
// Then the commands it prints for the audit dashboard are followed: a token, `serve` on the demo's home, and the
// overview opened in Debian's Chromium shows that ledger (head, the serving #1 after the demo's rollback, the chain).
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { command as demo } from '../infra/cli/commands/demo.ts';
import { initBackend } from '../trainer/runtime/backend.ts';
import { chromiumAvailable, CHROMIUM, launchChromium, openDashboard, visit } from './helpers/dashboard-browser.ts';
import { call, startServe } from './helpers/serve-process.ts';
import { tokensForEveryRole } from './helpers/tiny-home.ts';

test('demo: fresh run end to end, then a second run on the same home is safe and trains nothing', async (t) => {
  await initBackend('wasm', { quiet: true });
  const home = await mkdtemp(join(tmpdir(), 'editledger-demo-'));
  t.teardown(() => rm(home, { recursive: true, force: true }));
  const run = async () => {
    let out = '';
    let err = '';
    const io = {
      stdout: new Writable({ write: (c, _e, done) => ((out += String(c)), done()) }),
      stderr: new Writable({ write: (c, _e, done) => ((err += String(c)), done()) }),
      env: { ...process.env, EDITLEDGER_BACKEND: 'wasm' },
      cwd: process.cwd(),
    };
    const code = await demo.run(['--home', home, '--epochs', '2'], io);
    return { code, out, err };
  };
  const first = await run();
  t.is(first.code, 0, first.err);
  t.regex(first.out, /delivery 1: \+16 edits .* trainer materialized version #1/);
  t.regex(first.out, /delivery 2: \+12 edits \(2 superseding\)/);
  t.regex(first.out, /delivery 3: \+6 edits .* 2 retracted -> trainer materialized version #3/);
  t.regex(first.out, /Reliability\s+Generalization\s+Locality\s+Capability/);
  t.regex(first.out, /now serving #1: artifact reused/);
  t.regex(first.out, /bit-identical: artifact sha256/);
  t.regex(first.err, /training [0-9a-f]{12} \(16 edits\)/, 'progress bars on stderr');
  t.regex(
    first.out,
    /dashboard:\n {2}npx editledger token create --name me --role admin --home \S+\n {2}npx editledger serve/,
  );

  const second = await run();
  t.is(second.code, 0, second.err);
  t.is(second.out.match(/already in the ledger/g)?.length, 3);
  t.regex(second.out, /already registered/);
  t.notRegex(second.out, /materialized version/);
  t.regex(second.out, /bit-identical/);

  if (!chromiumAvailable()) {
    t.log(`SKIPPED: the demo ledger's dashboard (no Chromium at ${CHROMIUM}; install Debian's chromium)`);
    return;
  }
  const { auditor } = tokensForEveryRole(home);
  const serve = await startServe(home, ['--no-trainer']);
  t.teardown(() => serve.stop('SIGKILL'));
  const browser = await launchChromium();
  t.teardown(() => browser.close());
  const dashboard = await openDashboard(browser, serve.url, auditor);
  const status = (await call(serve.url, 'GET', '/v1/status', { token: auditor })).body;
  await visit(dashboard, '#/overview', /Overview/);
  const { page } = dashboard;
  t.is(await page.getByTestId('head').textContent(), String(status.head));
  t.regex((await page.getByTestId('serving-version').textContent()) ?? '', /#1/, 'the demo ends serving #1');
  await page.getByTestId('verify-badge').filter({ hasText: 'chain verified' }).waitFor();
  // The demo's trainer put every edit into a version: no lag, though this server's own trainer never ran.
  t.is(status.trainer.pendingEdits, 0);
  t.regex((await page.getByTestId('trainer-lag').textContent()) ?? '', /^\s*0 edit event\(s\) in no version yet/);
  await dashboard.screenshot('demo-overview');
  await dashboard.settled();
  t.deepEqual(dashboard.problems, [], 'no console error or failed request');
  await dashboard.close();
  t.is(await serve.stop(), 0, serve.stderr());
});
