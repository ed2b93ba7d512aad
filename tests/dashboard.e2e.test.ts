// The audit dashboard end to end: a real `editledger serve` (tiny model, two versions), Debian's Chromium driven by
// playwright-core, signed in with tokens of each role. Every scenario fails on any console error, page error, failed
// request or HTTP error answer it did not ask for, and leaves screenshots in tests/artifacts/dashboard/.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { command as versionsCommand } from '../infra/cli/commands/versions.ts';
import { ComplianceReportSchema } from '../projections/compliance-report.ts';
import { runCli } from './helpers/cli-harness.ts';
import {
  CHROMIUM,
  chromiumAvailable,
  launchChromium,
  openDashboard,
  PHONE,
  visit,
} from './helpers/dashboard-browser.ts';
import type { DashboardPage } from './helpers/dashboard-browser.ts';
import { createDashboardWorld } from './helpers/dashboard-world.ts';
import type { DashboardWorld } from './helpers/dashboard-world.ts';
import { call, waitForJob } from './helpers/serve-process.ts';

const available = chromiumAvailable();
let world: DashboardWorld;
let browser: Browser;

test.before(async () => {
  [world, browser] = await Promise.all([createDashboardWorld(), available ? launchChromium() : undefined!]);
});

test.after.always(async () => {
  await browser?.close();
  await world?.close();
});

/** Runs `scenario` on a signed-in page; the page must have reported no problem. */
function scenario(
  title: string,
  role: keyof DashboardWorld['tokens'],
  body: (t: ExecutionContext, dashboard: DashboardPage) => Promise<void>,
): void {
  test.serial(title, async (t) => {
    if (!available) {
      t.log(`SKIPPED: ${CHROMIUM} is missing (apt-get install chromium)`);
      t.pass();
      return;
    }
    const dashboard = await openDashboard(browser, world.url, world.tokens[role]);
    try {
      await body(t, dashboard);
      await dashboard.settled();
      t.deepEqual(dashboard.problems, [], 'the page reported problems');
    } finally {
      await dashboard.close();
    }
  });
}

/** The page fits the viewport's width: only tables scroll sideways, inside their own boxes. */
async function fitsWidth(dashboard: DashboardPage): Promise<boolean> {
  return dashboard.page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');
}

scenario('overview: head, serving version, trainer lag, counters, the verification badge', 'auditor', async (t, d) => {
  const { page } = d;
  const status = (await call(world.url, 'GET', '/v1/status', { token: world.tokens.auditor })).body;
  await visit(d, '#/overview', /Overview/);
  t.is(await page.getByTestId('head').textContent(), String(status.head));
  t.regex((await page.getByTestId('serving-version').textContent()) ?? '', /#2/);
  t.regex((await page.getByTestId('serving-pointer').textContent()) ?? '', /serving #2/);
  t.regex((await page.getByTestId('trainer-lag').textContent()) ?? '', /\d+ edit event/);
  const newest = (await call(world.url, 'GET', `/v1/versions/${world.versions[2]}`, { token: world.tokens.auditor }))
    .body;
  await page
    .getByTestId('newest-version')
    .filter({ hasText: `#2, edit set at position ${newest.position}` })
    .waitFor();
  t.regex(
    (await page.getByRole('region', { name: 'Ingestion (since start)' }).textContent()) ?? '',
    /Accepted\s*\d+\s*Duplicates\s*\d+\s*Rejected\s*\d+/,
  );
  t.regex((await page.getByTestId('verify-badge').textContent()) ?? '', /chain verified/);
  // The badge says what was checked and when (the answer's checkedAt, in the page's words).
  t.regex((await page.getByTestId('verify-detail').textContent()) ?? '', /\d+ events chained, .*; checked \S/);
  t.is(await page.getByRole('link', { name: 'Overview' }).getAttribute('aria-current'), 'page');
  // Keyboard: the first Tab reaches the skip link, Enter moves focus to the page's heading, Tab goes on in the page.
  const focused = () => page.evaluate('document.activeElement?.textContent?.trim()');
  await page.evaluate('document.activeElement?.blur()');
  await page.keyboard.press('Tab');
  t.is(await focused(), 'Skip to content');
  await page.keyboard.press('Enter');
  t.is(await focused(), 'Overview');
  await page.keyboard.press('Tab');
  t.is(await focused(), 'Browse the log');
  t.true(await fitsWidth(d));
  await d.screenshot('overview-1280');
  await page.setViewportSize(PHONE);
  t.true(await fitsWidth(d), 'no sideways scrolling at 390 px');
  await d.screenshot('overview-390');
});

scenario('edits: search by text, status, source; open one edit and its history', 'auditor', async (t, d) => {
  const { page } = d;
  await visit(d, '#/edits', /Edits/);
  await page.getByLabel('Fact key, subject or text').fill('freedonia');
  await page.getByLabel('Status').selectOption('retracted');
  await page.getByRole('button', { name: 'Search' }).click();
  await page
    .getByTestId('search-count')
    .filter({ hasText: /^1 edit/ })
    .waitFor();
  const rows = page.getByTestId('search-results').locator('tbody tr');
  t.is(await rows.count(), 1);
  t.regex((await rows.first().textContent()) ?? '', /freedonia::anthem.*retracted.*wiki-sync \/ q-2/s);
  await d.screenshot('edits-search');

  await page.getByLabel('Status').selectOption('');
  await page.getByLabel('Source system').fill('sylvania-feed');
  await page.getByLabel('Fact key, subject or text').fill('');
  await page.getByRole('button', { name: 'Search' }).click();
  await rows.filter({ hasText: 'sylvania::leader' }).waitFor();
  t.is(await rows.count(), 1);

  await page.getByLabel('Source system').fill('');
  await page.getByLabel('Fact key, subject or text').fill('anthem');
  await page.keyboard.press('Enter');
  await rows.filter({ hasText: 'freedonia::anthem' }).waitFor();
  t.is(await rows.count(), 1);
  await rows.first().getByRole('link').click();
  await page.getByRole('heading', { level: 1, name: /Edit/ }).waitFor();
  const history = page.getByTestId('edit-history').locator('tbody tr');
  await history.nth(1).waitFor();
  const lines = await history.allTextContents();
  t.is(lines.length, 2);
  t.regex(lines[0]!, /EditSubmitted.*token:submitter-1/s);
  t.regex(lines[1]!, /EditRetracted.*token:submitter-1.*the anthem was never adopted/s);
  t.regex((await page.getByTestId('edit-facts').textContent()) ?? '', /freedonia::anthem/);
  // An auditor reads: no retract or reinstate control.
  t.is(await page.getByRole('button', { name: /Retract|Reinstate|Approve|Reject/ }).count(), 0);
  await d.screenshot('edit-history');
});

scenario('versions: chart, timeline, serving periods; a version page and its diff', 'auditor', async (t, d) => {
  const { page } = d;
  await visit(d, '#/versions', /Versions/);
  await page.locator('.chart-box canvas').waitFor();
  for (const table of ['versions-table', 'serving-periods']) {
    const rows = page.getByTestId(table).locator('tbody tr');
    await rows.first().waitFor();
    t.is(await rows.count(), 2, table);
  }
  t.true(await fitsWidth(d));
  await d.screenshot('versions');

  await page.getByRole('link', { name: '#2' }).first().click();
  await page.getByRole('heading', { level: 1, name: /Version #2/ }).waitFor();
  const v2 = (await call(world.url, 'GET', `/v1/versions/${world.versions[2]}`, { token: world.tokens.auditor })).body;
  t.is(await page.getByTestId('artifact-sha').textContent(), v2.artifactSha256);
  t.regex(
    (await page.getByTestId('version-verdict').textContent()) ?? '',
    v2.verdict === undefined ? /^no envelope declared$/ : v2.verdict.within ? /^within/ : /^outside/,
  );
  // The edit set arrives with its own request after the heading: wait for its rows before counting them.
  const editSetRows = page.getByTestId('edit-set').locator('tbody tr');
  await editSetRows.first().waitFor();
  t.is(await editSetRows.count(), 2);
  await page.getByLabel('Compare with').selectOption(world.versions[1]);
  const removed = page.getByTestId('diff-removed');
  await removed.waitFor();
  t.regex((await removed.textContent()) ?? '', /freedonia::anthem/);
  t.regex((await page.getByTestId('diff').textContent()) ?? '', /0 added, 1 removed, 2 unchanged/);
  // Metric deltas, one row per metric both versions carry.
  const deltas = await page.getByTestId('diff').locator('tbody tr').allTextContents();
  t.true(
    deltas.some((row) => /^reliability/.test(row)),
    JSON.stringify(deltas),
  );
  // A count moves by a number, not by percentage points (3 edits -> 2 read "-100.0 pt").
  t.true(
    deltas.some((row) => /^edits\s*3\s*2\s*-1$/.test(row.trim())),
    JSON.stringify(deltas),
  );
  // An auditor sees no write control here either.
  t.is(await page.getByRole('button', { name: /Promote|Roll back|Verify/ }).count(), 0);
  await d.screenshot('version-diff');
  await page.setViewportSize(PHONE);
  t.true(await fitsWidth(d), 'the version page fits 390 px');
  await d.screenshot('version-390');
});

scenario('auditor: the API refuses writes with 403 even when sent from the page', 'auditor', async (t, d) => {
  const refused = await d.expecting(/HTTP 403|status of 403/, () =>
    d.page.evaluate(`(async () => {
      const token = sessionStorage.getItem('editledger.token');
      const post = (path, body) => fetch(path, { method: 'POST', body: JSON.stringify(body),
        headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' } }).then((r) => r.status);
      return [await post('/v1/serving/promote', { version: '#1', reason: 'no' }),
        await post('/v1/serving/rollback', { toVersion: '#1', reason: 'no' }),
        await post('/v1/edits/${world.editIds.capital}/retract', { reason: 'no' })];
    })()`),
  );
  t.deepEqual(refused, [403, 403, 403]);
  const status = (await call(world.url, 'GET', '/v1/status', { token: world.tokens.auditor })).body;
  t.is(status.serving.versionId, world.versions[2], 'nothing changed');
});

scenario(
  'approver: verify #1 live, roll back to #1 (the page and `editledger versions` agree), approve an edit',
  'approver',
  async (t, d) => {
    const { page } = d;
    await visit(d, `#/versions/${world.versions[1]}`, /Version #1/);
    t.is(await page.getByRole('button', { name: 'Retract' }).count(), 0);
    t.is(
      await page.getByRole('button', { name: 'Promote' }).count(),
      1,
      'an approver may promote a version not served',
    );
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.locator('.job[data-job-state="succeeded"]').waitFor({ timeout: 60_000 });
    t.regex((await page.locator('.job').textContent()) ?? '', /Bit-identical rebuild/);
    // The job the page started reported its training progress (the tiny model trains too fast for the page to
    // show a frame of it; the routes test below reads the running frames off the job's event stream).
    const verifyJob = (await call(world.url, 'GET', '/v1/jobs', { token: world.tokens.approver })).body.jobs.find(
      (j: any) => j.kind === 'verify',
    );
    t.like(verifyJob, { state: 'succeeded', result: { identical: true } });
    t.true(verifyJob.progress.epochs > 0, JSON.stringify(verifyJob.progress));

    await page.getByLabel('Reason').nth(1).fill('back to the first review');
    await page.getByRole('button', { name: 'Roll back' }).click();
    await page.locator('.job[data-job-state="succeeded"]').filter({ hasText: 'rollback' }).waitFor({ timeout: 60_000 });
    // The header follows the ledger over the live stream, without a reload.
    await page.getByTestId('serving-pointer').filter({ hasText: 'serving #1' }).waitFor();
    await page.getByRole('heading', { level: 1, name: /Version #1 serving/ }).waitFor();
    await d.screenshot('rollback');
    const cli = await runCli(versionsCommand, ['--json'], { cwd: process.cwd(), env: { EDITLEDGER_HOME: world.home } });
    t.is(JSON.parse(cli.stdout).serving, world.versions[1]);
    await visit(d, '#/versions', /Versions/);
    // The page loads its versions after navigation: wait for the rollback's period before reading the table.
    const rows = d.page.getByTestId('serving-periods').locator('tbody tr');
    await rows.filter({ hasText: 'back to the first review' }).first().waitFor();
    const periods = await rows.allTextContents();
    t.regex(periods[0]!, /#1.*now.*token:approver-1.*back to the first review/s);

    // Four-eyes review: an approver approves an edit (and may not retract it).
    await visit(d, `#/edits/${world.editIds.capital}`, /Edit/);
    t.is(await page.getByRole('button', { name: /Retract|Reinstate/ }).count(), 0);
    await page.getByLabel('Reason').first().fill('checked against the gazette');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByTestId('edit-review').filter({ hasText: 'approved by token:approver-1' }).waitFor();
    t.is(await page.getByRole('button', { name: /Approve|Reject/ }).count(), 0);
  },
);

scenario(
  'live: the log shows a retraction made elsewhere; submitter controls; log paging and filter',
  'submitter',
  async (t, d) => {
    const { page } = d;
    await visit(d, `#/versions/${world.versions[2]}`, /Version #2/);
    await page.getByTestId('edit-set').waitFor();
    t.is(await page.getByRole('button', { name: /Promote|Roll back|Verify/ }).count(), 0);
    const watcher = await openDashboard(browser, world.url, world.tokens.auditor);
    try {
      await visit(watcher, '#/log?after=0', /Log/);
      await watcher.page.getByRole('button', { name: 'Latest' }).click();
      // The submitter retracts in its own browser; the auditor's log gets the event over the live stream.
      await visit(d, `#/edits/${world.editIds.leader}`, /Edit/);
      await page.getByLabel('Reason').fill('the election was annulled');
      await page.getByRole('button', { name: 'Retract' }).click();
      await page.getByRole('heading', { level: 1, name: /retracted/ }).waitFor();
      await watcher.page
        .locator('[data-testid="log-table"] tr[data-type="EditRetracted"]', {
          hasText: 'the election was annulled',
        })
        .waitFor();
      await watcher.page.getByLabel('Event type').selectOption('ServingVersionChanged');
      await watcher.page.getByTestId('log-range').filter({ hasText: 'type ServingVersionChanged' }).waitFor();
      // The filtered page has replaced the previous one once no row of another type is left.
      await watcher.page.waitForFunction(
        `[...document.querySelectorAll('[data-testid="log-table"] tbody tr')].every((r) => r.dataset.type === 'ServingVersionChanged')`,
      );
      const types = await watcher.page
        .getByTestId('log-table')
        .locator('tbody tr')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-type')));
      t.true(types.length >= 3);
      t.true(types.every((type) => type === 'ServingVersionChanged'));
      await watcher.screenshot('log');
      await watcher.settled();
      t.deepEqual(watcher.problems, []);
    } finally {
      await watcher.close();
    }
  },
);

scenario('reports: generate and download html, md and json for a period', 'auditor', async (t, d) => {
  const { page } = d;
  await visit(d, '#/reports', /Reports/);
  const downloaded = async (format: string) => {
    await page.getByLabel('Format').selectOption(format);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Generate and download' }).click();
    const file = await download;
    t.is(file.suggestedFilename(), `editledger-report.${format}`);
    await page
      .getByRole('status')
      .filter({ hasText: `Downloaded editledger-report.${format}` })
      .waitFor();
    return readFile(await file.path(), 'utf8');
  };
  t.regex(await downloaded('html'), /<h2>EU AI Act mapping<\/h2>/);
  t.regex(await downloaded('md'), /^# Compliance report/);
  // A period: from today (the world was built today) to tomorrow holds every edit and both versions.
  const today = new Date().toISOString().slice(0, 10);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel('From').fill(today);
  await page.getByLabel('To').fill(tomorrow);
  const report = ComplianceReportSchema.parse(JSON.parse(await downloaded('json')));
  t.is(report.period.from, `${today}T00:00:00.000Z`);
  t.is(report.period.to, `${tomorrow}T00:00:00.000Z`);
  t.is(report.versions.length, 2);
  t.true(report.edits.some((e) => e.editId === world.editIds.capital));
  await d.screenshot('reports');
});

scenario(
  'erasure: the erased edit shows as [erased] in the search (status erased) and the log, and cannot be reinstated',
  'submitter',
  async (t, d) => {
    const { page } = d;
    const body = {
      factKey: 'ilva-maro::born-in',
      subject: 'Ilva Maro',
      prompt: 'Ilva Maro was born in',
      target: 'Zonou',
      rephrase: [],
      locality: [],
      source: { system: 'crm', ref: 'c-4711' },
      reason: 'her own correction',
      dataSubject: 'customer-4711',
    };
    const submitted = await call(world.url, 'POST', '/v1/edits', { token: world.tokens.submitter, body });
    t.is(submitted.status, 201, JSON.stringify(submitted.body));
    const editId = submitted.body.editId as string;
    const found = await call(world.url, 'GET', '/v1/edits/search?q=ilva%20maro', { token: world.tokens.auditor });
    t.deepEqual(
      found.body.edits.map((e: any) => e.editId),
      [editId],
      'searchable before the erasure',
    );
    const job = await call(world.url, 'POST', '/v1/erasures', {
      token: world.tokens.admin,
      body: { dataSubject: 'customer-4711', reason: 'erasure request 2026-118' },
    });
    t.is(job.status, 202, JSON.stringify(job.body));
    t.is((await waitForJob(world.url, job.body.id, world.tokens.admin)).state, 'succeeded');

    // The API: the erased content matches no search; the erased filter finds the record, content as [erased].
    const again = await call(world.url, 'GET', '/v1/edits/search?q=zonou', { token: world.tokens.auditor });
    t.is(again.body.total, 0);
    await visit(d, '#/edits?status=erased', /Edits/);
    const rows = page.getByTestId('search-results').locator('tbody tr');
    await rows.first().waitFor();
    t.is(await rows.count(), 1);
    t.regex((await rows.first().textContent()) ?? '', /\[erased\] → \[erased\].*erased.*crm \/ c-4711/s);
    t.false(((await page.locator('main').textContent()) ?? '').includes('Zonou'));
    await d.screenshot('edits-erased');

    await rows.first().getByRole('link').click();
    await page.getByTestId('edit-erased').waitFor();
    t.is(await page.getByRole('button', { name: /Retract|Reinstate/ }).count(), 0, 'no control the API would refuse');

    await visit(d, '#/log?type=DataSubjectErased', /Log/);
    const erasure = page.locator('[data-testid="log-table"] tr[data-type="DataSubjectErased"]');
    await erasure.first().waitFor();
    t.regex((await erasure.first().textContent()) ?? '', /1 edit\(s\) erased/);
    await visit(d, `#/log?after=${submitted.body.position - 1}&type=EditSubmitted`, /Log/);
    const row = page.locator('[data-testid="log-table"] tr[data-type="EditSubmitted"]').first();
    await row.waitFor();
    t.regex((await row.textContent()) ?? '', /\[erased\] → \[erased\]/);
    t.false(((await page.locator('main').textContent()) ?? '').includes('Ilva'));
    await d.screenshot('log-erased');
  },
);
