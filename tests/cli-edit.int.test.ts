// The `edit` and `log` commands end to end, in-process, against the embedded SQLite ledger in a temp --home.
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { command as edit } from '../infra/cli/commands/edit.ts';
import { command as log } from '../infra/cli/commands/log.ts';
import { ExitCode } from '../infra/cli/command.ts';
import { runCli } from './helpers/cli-harness.ts';

const ZSRE_3K = fileURLToPath(new URL('../../shared/datasets/zsre_3k.json', import.meta.url));

function tempHome(t: { teardown: (fn: () => void) => void }): { dir: string; home: string } {
  const dir = mkdtempSync(join(tmpdir(), 'editledger-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, home: join(dir, 'home') };
}

function submitArgs(home: string, target: string, extra: string[] = []): string[] {
  return [
    'submit',
    '--home',
    home,
    '--fact-key',
    'acme-corp::ceo',
    '--prompt',
    'Who is the CEO of Acme Corp?',
    '--target',
    target,
    '--reason',
    'press release',
    ...extra,
  ];
}

test('submit, supersede, retract, then list the edit set at past positions', async (t) => {
  const { dir, home } = tempHome(t);
  const run = (cmd: typeof edit, argv: string[]) => runCli(cmd, argv, { cwd: dir });

  const first = await run(edit, [
    ...submitArgs(home, 'Jane Roe', [
      '--subject',
      'Acme Corp',
      '--rephrase',
      'Acme Corp is run by?',
      '--locality',
      'Capital of France?',
      '--locality-answer',
      'Paris',
    ]),
    '--json',
  ]);
  t.is(first.code, ExitCode.ok, first.stderr);
  const jane = JSON.parse(first.stdout);
  t.like(jane, { outcome: 'submitted', factKey: 'acme-corp::ceo', position: 1 });

  const second = await run(edit, [
    ...submitArgs(home, 'John Doe', ['--source-system', 'crm', '--source-ref', 'T-9']),
    '--json',
  ]);
  const john = JSON.parse(second.stdout);
  t.like(john, { outcome: 'submitted', supersededEditId: jane.editId, position: 3 });

  // redelivery of the same upstream ref: exit 0, nothing appended, the first result
  const again = await run(edit, submitArgs(home, 'John Doe', ['--source-system', 'crm', '--source-ref', 'T-9']));
  t.is(again.code, ExitCode.ok);
  t.regex(again.stdout, /already submitted: edit .* at position 3; nothing appended/);

  const other = JSON.parse(
    (
      await run(edit, [
        'submit',
        '--home',
        home,
        '--prompt',
        'Where is Acme based?',
        '--subject',
        'Acme Corp',
        '--target',
        'Oslo',
        '--reason',
        'move',
        '--json',
      ])
    ).stdout,
  );
  t.regex(other.factKey, /^acme-corp::where-is-acme-based-[0-9a-f]{10}$/);

  const retracted = await run(edit, ['retract', john.editId, '--reason', 'wrong person', '--home', home, '--json']);
  t.is(retracted.code, ExitCode.ok, retracted.stderr);
  t.like(JSON.parse(retracted.stdout), { editId: john.editId, position: 5 });

  const listAt = async (at?: number) => {
    const result = await run(edit, [
      'list',
      '--home',
      home,
      '--json',
      ...(at === undefined ? [] : ['--at', String(at)]),
    ]);
    t.is(result.code, ExitCode.ok, result.stderr);
    return JSON.parse(result.stdout) as {
      position: number;
      editSetHash: string;
      edits: Array<{ editId: string; submittedAt: number }>;
    };
  };
  t.deepEqual(
    (await listAt(1)).edits.map((e) => e.editId),
    [jane.editId],
  );
  // Inside the supersession batch the old edit is still the fact's one active edit (issue 18 point 4).
  t.deepEqual(
    (await listAt(2)).edits.map((e) => e.editId),
    [jane.editId],
  );
  t.deepEqual(
    (await listAt(3)).edits.map((e) => e.editId),
    [john.editId],
  );
  t.deepEqual((await listAt(4)).edits.map((e) => e.editId).sort(), [john.editId, other.editId].sort());
  const head = await listAt();
  t.is(head.position, 5);
  t.deepEqual(
    head.edits.map((e) => e.editId),
    [other.editId],
  );
  t.is(head.edits[0]?.submittedAt, 4);
  t.is((await listAt(1)).editSetHash, (await listAt(1)).editSetHash);
  t.not((await listAt(1)).editSetHash, (await listAt(3)).editSetHash);

  const human = await run(edit, ['list', '--home', home, '--at', '1']);
  t.regex(human.stdout, /edit set at position 1: 1 active edit\(s\), editSetHash [0-9a-f]{64}/);
  t.regex(human.stdout, /EDIT ID\s+FACT KEY\s+PROMPT\s+TARGET\s+SUBMITTED AT/);
  t.regex(
    human.stdout,
    new RegExp(`${jane.editId}\\s+acme-corp::ceo\\s+Who is the CEO of Acme Corp\\?\\s+Jane Roe\\s+1`),
  );

  const shown = await run(edit, ['show', jane.editId, '--home', home, '--json']);
  const details = JSON.parse(shown.stdout);
  t.like(details, { status: 'superseded', supersededBy: john.editId, submittedAt: 1, endedAt: 3 });
  t.deepEqual(details.submitted.locality, [{ prompt: 'Capital of France?', answer: 'Paris' }]);
  const shownHuman = await run(edit, ['show', john.editId, '--home', home]);
  t.regex(shownHuman.stdout, /status\s+retracted/);
  t.regex(shownHuman.stdout, /EditRetracted\s+\S+\s+tester\s+retracted by tester: wrong person/);

  const events = await run(log, ['--home', home, '--json']);
  t.deepEqual(
    events.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).type),
    ['EditSubmitted', 'EditSuperseded', 'EditSubmitted', 'EditSubmitted', 'EditRetracted'],
  );
  const fromFour = await run(log, ['--home', home, '--from', '4']);
  t.regex(fromFour.stdout, /POSITION\s+TYPE/);
  t.deepEqual(
    [...fromFour.stdout.matchAll(/^\s+(\d+)\s+Edit/gm)].map((m) => Number(m[1])),
    [4, 5],
  );
  const summary = JSON.parse((await run(log, ['--home', home, '--summary', '--json'])).stdout);
  t.like(summary, { headPosition: 5, editsSubmitted: 3, editsSuperseded: 1, editsRetracted: 1, activeEdits: 1 });
});

test('errors map to exit codes and name the field', async (t) => {
  const { dir, home } = tempHome(t);
  const run = (argv: string[]) => runCli(edit, argv, { cwd: dir });
  const submitted = JSON.parse((await run([...submitArgs(home, 'Jane'), '--json'])).stdout);

  const cases: Array<[string, string[], number, RegExp]> = [
    [
      'missing --prompt',
      ['submit', '--home', home, '--target', 'x', '--reason', 'r'],
      ExitCode.usage,
      /--prompt is required/,
    ],
    ['unknown flag', ['submit', '--home', home, '--colour', 'red'], ExitCode.usage, /colour/],
    ['unknown subcommand', ['frobnicate'], ExitCode.usage, /unknown command "frobnicate"/],
    [
      'malformed fact key',
      submitArgs(home, 'x').map((a) => (a === 'acme-corp::ceo' ? 'Acme Corp' : a)),
      ExitCode.invalidInput,
      /factKey: /,
    ],
    ['empty target', submitArgs(home, '  '), ExitCode.invalidInput, /target: must not be empty/],
    [
      'huge prompt',
      ['submit', '--home', home, '--fact-key', 'a::b', '--prompt', 'x'.repeat(5000), '--target', 't', '--reason', 'r'],
      ExitCode.invalidInput,
      /prompt: must be at most 4000/,
    ],
    [
      'evidence that is not a URL',
      [...submitArgs(home, 'x'), '--evidence', 'my notes'],
      ExitCode.invalidInput,
      /evidenceUrl/,
    ],
    [
      'retract an unknown edit',
      ['retract', '00000000-0000-4000-8000-000000000000', '--reason', 'r', '--home', home],
      ExitCode.notFound,
      /editId: no edit/,
    ],
    ['retract without --reason', ['retract', submitted.editId, '--home', home], ExitCode.usage, /--reason is required/],
    [
      'list beyond the head',
      ['list', '--home', home, '--at', '99'],
      ExitCode.invalidInput,
      /position: 99 is beyond the ledger head 1/,
    ],
    ['list at a non-number', ['list', '--home', home, '--at', 'yesterday'], ExitCode.usage, /--at: must be an integer/],
    [
      'show an unknown edit',
      ['show', '00000000-0000-4000-8000-000000000000', '--home', home],
      ExitCode.notFound,
      /no edit/,
    ],
    [
      'import a missing file',
      ['import', join(dir, 'nope.json'), '--home', home],
      ExitCode.notFound,
      /ENOENT|no such file/,
    ],
  ];
  for (const [name, argv, code, message] of cases) {
    const result = await run(argv);
    t.is(result.code, code, `${name}: ${result.stderr}`);
    t.regex(result.stderr, message, name);
  }
  const json = await run([
    'retract',
    '00000000-0000-4000-8000-000000000000',
    '--reason',
    'r',
    '--home',
    home,
    '--json',
  ]);
  t.like(JSON.parse(json.stdout), {
    error: { kind: 'EditNotFoundError', field: 'editId', exitCode: ExitCode.notFound },
  });

  t.is((await run(['retract', submitted.editId, '--reason', 'r', '--home', home])).code, ExitCode.ok);
  const twice = await run(['retract', submitted.editId, '--reason', 'r', '--home', home]);
  t.is(twice.code, ExitCode.invalidInput);
  t.regex(twice.stderr, /already retracted/);

  t.is((await run(['--help'])).code, ExitCode.ok);
  t.is((await run(['list', '--help'])).code, ExitCode.ok);
  t.is((await run([])).code, ExitCode.usage);
  // nothing above changed the ledger except the one submission and its retraction
  const events = await runCli(log, ['--home', home, '--json'], { cwd: dir });
  t.is(events.stdout.trim().split('\n').length, 2);
});

test('import: JSONL CounterFact records, a progress bar on stderr, a re-import appends nothing, a bad file appends nothing', async (t) => {
  const { dir, home } = tempHome(t);
  const records = Array.from({ length: 40 }, (_, i) => ({
    prompt: `The mother tongue of Person ${i} is`,
    target_new: ['English', 'French', 'German'][i % 3],
    subject: `Person ${i}`,
    rephrase_prompt: [`Person ${i} speaks`],
    locality_prompt: ['The capital of Italy is'],
    locality_ground_truth: ['Rome'],
  }));
  const file = join(dir, 'cf.jsonl');
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n'));
  const first = await runCli(edit, ['import', file, '--home', home, '--json'], { cwd: dir });
  t.is(first.code, ExitCode.ok, first.stderr);
  t.like(JSON.parse(first.stdout), { format: 'counterfact', total: 40, submitted: 40, duplicates: 0, position: 40 });
  t.regex(first.stderr, /importing cf\.jsonl \[#+\] 40\/40 100%/);

  const second = await runCli(edit, ['import', 'cf.jsonl', '--home', home], { cwd: dir });
  t.is(second.code, ExitCode.ok);
  t.regex(second.stdout, /40 records, 0 new edits .* 40 already in the ledger; head position 40/);

  const bad = join(dir, 'bad.json');
  writeFileSync(
    bad,
    JSON.stringify([
      { src: 'Q?', alt: 'A', subject: 'S' },
      { src: 'Q2?', subject: 'S' },
    ]),
  );
  const rejected = await runCli(edit, ['import', bad, '--home', home], { cwd: dir });
  t.is(rejected.code, ExitCode.invalidInput);
  t.regex(rejected.stderr, /record 1 field "alt": missing/);
  const list = JSON.parse((await runCli(edit, ['list', '--home', home, '--json'], { cwd: dir })).stdout);
  t.is(list.count, 40);
  t.is(list.position, 40);
});

test('EDITLEDGER_HOME is used when --home is absent, and --home wins over it', async (t) => {
  const { dir, home } = tempHome(t);
  const envHome = join(dir, 'env-home');
  const env = { USER: 'tester', EDITLEDGER_HOME: envHome };
  const viaEnv = await runCli(
    edit,
    ['submit', '--fact-key', 'a::b', '--prompt', 'p?', '--target', 't', '--reason', 'r'],
    { cwd: dir, env },
  );
  t.is(viaEnv.code, ExitCode.ok, viaEnv.stderr);
  t.true(existsSync(join(envHome, 'ledger.db')));
  await runCli(
    edit,
    ['submit', '--home', home, '--fact-key', 'a::b', '--prompt', 'p?', '--target', 't', '--reason', 'r'],
    { cwd: dir, env },
  );
  t.true(existsSync(join(home, 'ledger.db')));
  const defaultHome = await runCli(edit, ['list', '--json'], { cwd: dir, env: { USER: 'tester' } });
  t.is(JSON.parse(defaultHome.stdout).position, 0);
  t.true(existsSync(join(dir, '.editledger', 'ledger.db')));
});

test('import the real zsre_3k.json (first 300 records) and list it', async (t) => {
  if (!existsSync(ZSRE_3K)) {
    t.log(`SKIPPED: ${ZSRE_3K} is absent (it lives in ../shared/datasets, outside the repo)`);
    t.pass();
    return;
  }
  const { dir, home } = tempHome(t);
  const slice = join(dir, 'zsre_300.json');
  writeFileSync(slice, JSON.stringify((JSON.parse(readFileSync(ZSRE_3K, 'utf8')) as unknown[]).slice(0, 300)));
  const imported = await runCli(edit, ['import', slice, '--home', home, '--json', '--no-progress'], { cwd: dir });
  t.is(imported.code, ExitCode.ok, imported.stderr);
  t.like(JSON.parse(imported.stdout), { format: 'zsre', submitted: 300 });
  t.is(imported.stderr, '');
  // Records asking about one (subject, true answer) differently supersede each other: one active edit per fact.
  const records = (JSON.parse(readFileSync(slice, 'utf8')) as Array<{ subject: string; answers: string[] }>).map(
    (r) => `${r.subject.toLowerCase()}\u0000${r.answers[0]?.toLowerCase()}`,
  );
  const list = JSON.parse((await runCli(edit, ['list', '--home', home, '--json'], { cwd: dir })).stdout);
  t.is(list.count, new Set(records).size);
  t.true(list.count < 300);
  t.true(list.edits.some((e: { target: string }) => e.target === 'Chichester River'));
});
