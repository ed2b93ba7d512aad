// Issue 13: `editledger report` on a tiny registered model with two versions and a human rollback, as a user runs
// it: the HTML opened in headless Chromium (Debian's), printed to PDF and the PDF's text read back, the Markdown and
// JSON formats (the JSON checked against the published JSON Schema file), and the API route with its roles.
import test from 'ava';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { extractText } from 'unpdf';
import type { CliCommand } from '../infra/cli/command.ts';
import { command as audit } from '../infra/cli/commands/audit.ts';
import { command as edit } from '../infra/cli/commands/edit.ts';
import { command as model } from '../infra/cli/commands/model.ts';
import { command as report } from '../infra/cli/commands/report.ts';
import { command as rollback } from '../infra/cli/commands/rollback.ts';
import { command as trainer } from '../infra/cli/commands/trainer.ts';
import { TokenStore } from '../infra/auth/token-store.ts';
import { ComplianceReportSchema } from '../projections/compliance-report.ts';
import { startInProcessServer } from './helpers/api-harness.ts';
import { runCli } from './helpers/cli-harness.ts';
import { createTinyCheckpoint } from './helpers/tiny-checkpoint.ts';

const TINY_POLICY = ['--layer', '1', '--lr', '0.05', '--epochs', '20', '--stop-loss', '0.05', '--seed', '7'];
const SECTIONS = [
  'Summary',
  'Governance',
  'Edits',
  'Model versions',
  'Serving changes',
  'Erasures',
  'Verification',
  'Retention',
  'EU AI Act mapping',
];

let home = '';
let cleanup = async () => {};
const cli = (command: CliCommand, args: readonly string[]) =>
  runCli(command, args, {
    cwd: home,
    env: { EDITLEDGER_HOME: home, EDITLEDGER_BACKEND: 'wasm', USER: 'reviewer' },
  });
async function ok(command: CliCommand, args: readonly string[]) {
  const run = await cli(command, args);
  if (run.code !== 0) throw new Error(`${args.join(' ')}: ${run.stderr}`);
  return run;
}

test.before(async () => {
  home = await mkdtemp(join(tmpdir(), 'editledger-report-'));
  const ckpt = await createTinyCheckpoint({ style: 'llama', seed: 99 });
  cleanup = async () => {
    await rm(home, { recursive: true, force: true });
    await ckpt.cleanup();
  };
  await ok(model, ['register', ckpt.dir, ...TINY_POLICY]);
  for (const n of [1, 2]) {
    await ok(edit, [
      'submit',
      '--fact-key',
      `land-${n}::capital`,
      '--prompt',
      n === 1 ? 'The capital of <script>alert(1)</script> is' : `The capital of Land ${n} is`,
      '--target',
      `City ${n}`,
      '--reason',
      'e2e',
    ]);
    await ok(trainer, ['--once', '--json']);
  }
  await ok(rollback, ['--to-version', '#1', '--reason', 'v2 regressed']);
});
test.after.always(async () => cleanup());

// Debian's chromium package (CI installs it with apt); without it the PDF test says SKIPPED, like the other suites.
const CHROMIUM = '/usr/bin/chromium';
const withChromium = existsSync(CHROMIUM) ? test.serial : test.serial.skip;
if (!existsSync(CHROMIUM)) console.log(`SKIPPED: the PDF test needs ${CHROMIUM} (apt-get install chromium)`);

withChromium(
  'the HTML report opens in headless Chromium with its sections and two charts, and prints to PDF',
  async (t) => {
    const out = join(home, 'f.html');
    const run = await ok(report, ['--format', 'html', '--out', out]);
    t.regex(run.stderr, /report written to/);
    t.is((await stat(out)).mode & 0o777, 0o644);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    t.teardown(() => browser.close());
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    // One self-contained file: opening it requests nothing but itself (no script, stylesheet, font or image).
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(`file://${out}`);
    t.deepEqual(await page.locator('h2').allTextContents(), SECTIONS);
    t.is(await page.locator('svg[aria-label="metrics per version"]').count(), 1);
    t.is(await page.locator('svg[aria-label="edits per day"]').count(), 1);
    t.is(await page.locator('script').count(), 0, 'the ledger prompt holding <script> stays text');
    t.true((await page.locator('body').textContent())?.includes('<script>alert(1)</script>'));
    t.regex(
      (await page.locator('section', { has: page.locator('h2', { hasText: 'Serving changes' }) }).textContent()) ?? '',
      /ROLLBACK/,
    );
    const pdf = await page.pdf({ format: 'A4', landscape: true, printBackground: true });
    t.true(pdf.length > 1000);
    t.is(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    // The PDF's own text (read back with pdf.js): every section, in order, and the rollback flag.
    const { totalPages, text } = await extractText(new Uint8Array(pdf), { mergePages: false });
    const all = text.join('\n');
    let at = 0;
    for (const title of SECTIONS) {
      const found = all.indexOf(title, at);
      t.true(found >= 0, `${title} is in the PDF after the previous section`);
      at = Math.max(at, found);
    }
    t.true(all.includes('ROLLBACK'));
    t.true(all.includes('Recital 128'));
    // The print stylesheet starts Edits, Model versions, Serving changes and the AI Act mapping on pages of their own.
    t.true(totalPages >= 5, `${totalPages} pages`);
    for (const title of ['Edits', 'Model versions', 'Serving changes', 'EU AI Act mapping'])
      t.true(
        text.some((page) => page.startsWith(title)),
        `${title} starts a page`,
      );
    t.deepEqual(problems, []);
    t.deepEqual(requested, [`file://${out}`]);
  },
);

test.serial('Markdown and JSON: the same report; the JSON validates against the published schema', async (t) => {
  const md = (await ok(report, ['--format', 'md'])).stdout;
  for (const title of SECTIONS) t.true(md.includes(`\n## ${title}\n`), title);
  t.regex(md, /\| Model versions \| 2 \|/);
  t.regex(md, /\| Rollbacks \| 1 \|/);
  t.regex(md, /chain intact: \d+ events verified/);
  t.regex(md, /signatures: no public key given/);
  t.regex(md, /erasures: 0/);

  const out = join(home, 'r.json');
  await ok(report, ['--format', 'json', '--out', out]);
  const written = JSON.parse(await readFile(out, 'utf8')) as unknown;
  // Against the published file, by a JSON Schema (2020-12) validator: what an auditor's own tooling would run.
  const published = JSON.parse(await readFile('docs/compliance-report.schema.json', 'utf8')) as Record<string, unknown>;
  const validate = new Ajv2020({ strict: true, allowUnionTypes: true }).compile(published);
  t.true(validate(written), JSON.stringify(validate.errors));
  const parsed = ComplianceReportSchema.parse(written);
  t.is(parsed.versions.length, 2);
  t.is(parsed.summary.editsSubmitted, 2);
  t.deepEqual(
    parsed.edits.map((e) => e.status),
    ['active', 'active'],
    'no four-eyes review declared: nothing is pending',
  );
  t.deepEqual(
    parsed.servingChanges.map((c) => [c.ordinal, c.automatic, c.rollback]),
    [
      [1, true, false],
      [2, true, false],
      [1, false, true],
    ],
  );
  t.is(parsed.versions[0]?.served.length, 2, '#1 served, then served again after the rollback');
  t.is(parsed.verification.status, 'intact');

  const future = (await ok(report, ['--format', 'json', '--from', '2999-01-01'])).stdout;
  t.is(ComplianceReportSchema.parse(JSON.parse(future)).edits.length, 0, 'nothing was recorded in the future');
  const bad = await cli(report, ['--format', 'md', '--to', 'yesterday']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--to: must be an ISO date/);
  const schema = JSON.parse((await ok(report, ['--schema'])).stdout) as { $defs: Record<string, unknown> };
  t.deepEqual(JSON.parse(await readFile('docs/compliance-report.schema.json', 'utf8')), schema);
});

test.serial('GET /v1/reports: auditors get each format with its content type; a submitter is refused', async (t) => {
  const tokens = TokenStore.open(home);
  const auditor = tokens.create('e2e-auditor', 'auditor', 'test').token;
  const submitter = tokens.create('e2e-submitter', 'submitter', 'test').token;
  const server = await startInProcessServer(home);
  t.teardown(() => server.close());
  const get = (path: string, token?: string) =>
    fetch(
      `http://127.0.0.1:${server.port}${path}`,
      token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } },
    );

  const html = await get('/v1/reports?format=html', auditor);
  t.is(html.status, 200);
  t.regex(html.headers.get('content-type') ?? '', /^text\/html/);
  t.regex(await html.text(), /<h2>EU AI Act mapping<\/h2>/);
  const json = await get('/v1/reports?format=json&from=2020-01-01', auditor);
  t.regex(json.headers.get('content-type') ?? '', /^application\/json/);
  t.is(ComplianceReportSchema.parse(await json.json()).versions.length, 2);
  const md = await get('/v1/reports?format=md', server.admin);
  t.regex(md.headers.get('content-type') ?? '', /^text\/markdown/);
  t.regex(await md.text(), /^# Compliance report/);

  t.is((await get('/v1/reports', submitter)).status, 403);
  t.is((await get('/v1/reports')).status, 401);
  const bad = await get('/v1/reports?from=2025-02-30', auditor);
  t.is(bad.status, 400);
  t.is(((await bad.json()) as { field?: string }).field, 'query.from');
  const schema = await get('/v1/reports/schema.json');
  t.is(schema.status, 200);
  t.regex(schema.headers.get('content-type') ?? '', /^application\/schema\+json/);
  t.deepEqual(await schema.json(), JSON.parse(await readFile('docs/compliance-report.schema.json', 'utf8')));
  t.deepEqual(server.internalErrors, []);
});

test.serial("--public-key: the verification checks the signed checkpoints with the auditor's key", async (t) => {
  await ok(audit, ['keygen']);
  await ok(audit, ['checkpoint']);
  const key = join(home, 'auditor.pub.pem');
  await ok(audit, ['export-key', '--out', key]);
  const json = JSON.parse((await ok(report, ['--format', 'json', '--public-key', key])).stdout) as unknown;
  const { verification } = ComplianceReportSchema.parse(json);
  t.is(verification.status, 'intact');
  if (verification.status === 'not_available') return t.fail();
  t.is(verification.checkpoints, 1);
  t.regex(verification.signatures, /^checked with key [0-9a-f]+/);
  const missing = await cli(report, ['--format', 'md', '--public-key', join(home, 'nope.pem')]);
  t.not(missing.code, 0);
  t.regex(missing.stderr, /--public-key/);
});
