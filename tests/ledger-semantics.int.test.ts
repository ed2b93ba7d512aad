// Issue 18: ledger semantics a user trips over. Each test drives the CLI as a user would and checks the ledger
// afterwards (what was recorded, what was not).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliCommand } from '../infra/cli/command.ts';
import { ExitCode } from '../infra/cli/command.ts';
import { command as edit } from '../infra/cli/commands/edit.ts';
import { command as log } from '../infra/cli/commands/log.ts';
import { command as materialize } from '../infra/cli/commands/materialize.ts';
import { command as model } from '../infra/cli/commands/model.ts';
import { initBackend } from '../trainer/runtime/backend.ts';
import { runCli } from './helpers/cli-harness.ts';
import { createTinyCheckpoint } from './helpers/tiny-checkpoint.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TINY_POLICY = ['--layer', '1', '--lr', '0.05', '--epochs', '20', '--stop-loss', '0.05', '--seed', '7'];

test.before(async () => {
  await initBackend('wasm', { quiet: true });
});

function tempDir(t: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'editledger-semantics-'));
  t.teardown(() => {
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

function cliIn(dir: string) {
  const home = join(dir, 'home');
  const run = (command: CliCommand, argv: string[]) => runCli(command, [...argv, '--home', home], { cwd: dir });
  const events = async () =>
    (await run(log, ['--json'])).stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { type: string; data: Record<string, unknown> });
  return { home, run, events };
}

const CEO = ['--prompt', 'The CEO of Foo is', '--reason', 'press release', '--source-system', 's', '--source-ref', '1'];

test('18.1: the same upstream id with other content is a conflict naming the edit and fields; a redelivery stays a no-op', async (t) => {
  const { run, events } = cliIn(tempDir(t));
  const first = await run(edit, ['submit', ...CEO, '--target', 'X', '--json']);
  t.is(first.code, ExitCode.ok, first.stderr);
  const { editId } = JSON.parse(first.stdout) as { editId: string };

  const again = await run(edit, ['submit', ...CEO, '--target', 'X']);
  t.is(again.code, ExitCode.ok);
  t.regex(again.stdout, /already submitted: .*nothing appended/);

  const changed = await run(edit, ['submit', ...CEO, '--target', 'Y']);
  t.is(changed.code, ExitCode.conflict);
  t.regex(changed.stderr, new RegExp(`source\\.ref: s/1 is edit ${editId}, recorded with a different target`));
  t.deepEqual(
    (await events()).map((e) => e.type),
    ['EditSubmitted'],
  );
});

test('18.2: a retracted edit comes back only by edit reinstate (an event with actor and reason), not by a resend', async (t) => {
  const { run, events } = cliIn(tempDir(t));
  const { editId } = JSON.parse((await run(edit, ['submit', ...CEO, '--target', 'X', '--json'])).stdout) as {
    editId: string;
  };
  t.is((await run(edit, ['retract', editId, '--reason', 'wrong'])).code, ExitCode.ok);
  const resent = await run(edit, ['submit', ...CEO, '--target', 'X']);
  t.is(resent.code, ExitCode.ok);
  t.regex(resent.stdout, /it is retracted: a redelivery does not bring it back, "edit reinstate .*" does/);
  t.is(JSON.parse((await run(edit, ['list', '--json'])).stdout).count, 0);

  const reinstated = await run(edit, ['reinstate', editId, '--reason', 'retracted by mistake', '--by', 'carol']);
  t.is(reinstated.code, ExitCode.ok, reinstated.stderr);
  t.regex(reinstated.stdout, new RegExp(`reinstated edit ${editId} .* at position 3`));
  const listed = JSON.parse((await run(edit, ['list', '--json'])).stdout) as { edits: Array<{ editId: string }> };
  t.deepEqual(
    listed.edits.map((e) => e.editId),
    [editId],
  );
  t.is(JSON.parse((await run(edit, ['list', '--at', '2', '--json'])).stdout).count, 0);
  const last = (await events()).at(-1);
  t.like(last, { type: 'EditReinstated', data: { editId, reason: 'retracted by mistake', by: 'carol' } });
  const shown = await run(edit, ['show', editId]);
  t.regex(shown.stdout, /status {6}active/);
  t.regex(shown.stdout, /reinstated {2}by carol at position 3: retracted by mistake/);
  // reinstating an active edit is refused, naming the field
  const twice = await run(edit, ['reinstate', editId, '--reason', 'again']);
  t.is(twice.code, ExitCode.invalidInput);
  t.regex(twice.stderr, /editId: edit .* is active/);
});

test('18.3: the same fact asked differently supersedes: edit submit --relation, and imports keyed by (subject, answer)', async (t) => {
  const dir = tempDir(t);
  const { run } = cliIn(dir);
  const base = ['--subject', 'Uzei Robri', '--relation', 'citizen-of', '--reason', 'r', '--json'];
  const a = JSON.parse(
    (await run(edit, ['submit', '--prompt', 'Uzei Robri is a citizen of', '--target', 'Zonou', ...base])).stdout,
  ) as { factKey: string; editId: string };
  t.is(a.factKey, 'uzei-robri::citizen-of');
  const b = JSON.parse(
    (await run(edit, ['submit', '--prompt', 'Which country is Uzei Robri from?', '--target', 'Kresto', ...base]))
      .stdout,
  ) as { factKey: string; supersededEditId: string };
  t.is(b.factKey, a.factKey);
  t.is(b.supersededEditId, a.editId);
  t.is(JSON.parse((await run(edit, ['list', '--json'])).stdout).count, 1);
  const noSubject = await run(edit, ['submit', '--prompt', 'p', '--target', 'x', '--reason', 'r', '--relation', 'ceo']);
  t.is(noSubject.code, ExitCode.usage);
  t.regex(noSubject.stderr, /--relation: .*--subject/);

  // A ZsRE-shaped file: two wordings of one fact (same subject and true answer), one record without an answer.
  const file = join(dir, 'zsre.jsonl');
  const record = (src: string, alt: string, answers?: string[]) =>
    JSON.stringify({ subject: '14 Irene', src, alt, rephrase: src, loc: 'nq question: x', loc_ans: 'y', answers });
  writeFileSync(
    file,
    [
      record('The 14 Irene was discovered by whom?', 'Auguste Charlois', ['John Russell Hind']),
      record('The inventor of 14 Irene was whom?', 'August Kopff', ['John Russell Hind']),
      record('What is 14 Irene named after?', 'Eirene'),
    ].join('\n'),
  );
  const imported = await run(edit, ['import', file, '--no-progress']);
  t.is(imported.code, ExitCode.ok, imported.stderr);
  t.regex(imported.stdout, /3 new edits \(1 superseding an earlier edit\)/);
  t.regex(imported.stdout, /1 from \(subject, true answer\)|2 from \(subject, true answer\)/);
  t.regex(imported.stdout, /1 fell back to the prompt text/);
  const irene = (
    JSON.parse((await run(edit, ['list', '--json'])).stdout) as { edits: Array<{ subject: string; target: string }> }
  ).edits.filter((e) => e.subject === '14 Irene');
  t.deepEqual(irene.map((e) => e.target).sort(), ['August Kopff', 'Eirene']);
});

test('18.4: every position of an import shows one consistent edit set: never two edits of a fact, never none', async (t) => {
  const dir = tempDir(t);
  const { run } = cliIn(dir);
  const file = join(dir, 'cf.jsonl');
  const lines = ['A', 'B', 'C'].flatMap((target, i) =>
    ['Acme', 'Bolt'].map((subject) =>
      JSON.stringify({ prompt: `${subject} is led by (${i})`, target_new: target, subject, relation_id: 'P169' }),
    ),
  );
  writeFileSync(file, lines.join('\n'));
  t.is((await run(edit, ['import', file, '--no-progress'])).code, ExitCode.ok);
  const logged = (await run(log, ['--json'])).stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { position: number; type: string; data: { factKey: string } });
  t.is(logged.filter((e) => e.type === 'EditSuperseded').length, 4);
  for (const { position } of logged) {
    const set = JSON.parse((await run(edit, ['list', '--at', String(position), '--json'])).stdout) as {
      edits: Array<{ factKey: string }>;
    };
    const facts = set.edits.map((e) => e.factKey);
    t.is(new Set(facts).size, facts.length, `position ${position}: two edits of one fact`);
    // every fact submitted at or before this position has exactly one edit here, including inside a supersession
    const submitted = new Set(
      logged.filter((e) => e.position <= position && e.type === 'EditSubmitted').map((e) => e.data.factKey),
    );
    t.deepEqual(new Set(facts), submitted, `position ${position}`);
  }
});

test('18.5: model register validates weights, tokenizer, a forward pass and the policy before recording anything', async (t) => {
  const dir = tempDir(t);
  const { run, events } = cliIn(dir);
  const ckpt = await createTinyCheckpoint({ style: 'llama', seed: 5 });
  t.teardown(() => ckpt.cleanup());
  const variant = (name: string, change: (folder: string) => void) => {
    const folder = join(dir, name);
    cpSync(ckpt.dir, folder, { recursive: true });
    change(folder);
    return folder;
  };
  const weights = (folder: string) => join(folder, 'model.safetensors');
  const truncated = variant('truncated', (f) => writeFileSync(weights(f), readFileSync(weights(f)).subarray(0, 500)));
  const badTokenizer = variant('tokenizer', (f) => writeFileSync(join(f, 'tokenizer.json'), '{"model": {'));
  const nan = variant('nan', (f) => {
    const bytes = readFileSync(weights(f));
    bytes.writeFloatLE(Number.NaN, bytes.length - 4); // the last float of the last tensor
    writeFileSync(weights(f), bytes);
  });
  const cases: Array<[string, string[], number, RegExp]> = [
    ['truncated weights', [truncated], ExitCode.invalidInput, /model\.safetensors: /],
    ['corrupt tokenizer.json', [badTokenizer], ExitCode.invalidInput, /tokenizer\.json: /],
    ['a NaN weight', [nan], ExitCode.invalidInput, /model\.safetensors: tensor .* non-finite/],
    ['--lr 1e300', [ckpt.dir, '--lr', '1e300'], ExitCode.invalidInput, /lr: must be in \(0, 1\]/],
    ['--lr 0', [ckpt.dir, '--lr', '0'], ExitCode.invalidInput, /lr: must be in \(0, 1\]/],
    ['--lr -1', [ckpt.dir, '--lr', '-1'], ExitCode.invalidInput, /lr: must be in \(0, 1\]/],
    ['--batch-size 0', [ckpt.dir, '--batch-size', '0'], ExitCode.invalidInput, /batchSize: must be an integer >= 1/],
    ['--epochs 0', [ckpt.dir, '--epochs', '0'], ExitCode.invalidInput, /epochs: must be an integer >= 1/],
    ['a missing folder', [join(dir, 'nope')], ExitCode.notFound, /does not exist/],
  ];
  for (const [what, args, code, message] of cases) {
    const result = await run(model, ['register', ...args]);
    t.is(result.code, code, `${what}: ${result.stderr}`);
    t.regex(result.stderr, message, what);
  }
  t.deepEqual(await events(), [], 'nothing was recorded');
  t.is((await run(model, ['register', ckpt.dir, ...TINY_POLICY])).code, ExitCode.ok);
});

test('18.6: the same weights with another tokenizer_config.json is another stored base, and materialize works on it', async (t) => {
  const dir = tempDir(t);
  const { home, run } = cliIn(dir);
  const ckpt = await createTinyCheckpoint({ style: 'llama', seed: 6 });
  t.teardown(() => ckpt.cleanup());
  const other = join(dir, 'other');
  cpSync(ckpt.dir, other, { recursive: true });
  const config = JSON.parse(readFileSync(join(other, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(other, 'tokenizer_config.json'), JSON.stringify({ ...config, model_max_length: 77 }));

  const first = JSON.parse((await run(model, ['register', ckpt.dir, ...TINY_POLICY, '--json'])).stdout) as {
    baseHash: string;
  };
  const second = JSON.parse((await run(model, ['register', other, ...TINY_POLICY, '--json'])).stdout) as {
    baseHash: string;
    artifactUri: string;
  };
  t.not(first.baseHash, second.baseHash);
  t.is(second.artifactUri, `sha256:${second.baseHash}`, 'the stored base is named by the full checkpoint hash');
  t.true(readdirSync(join(home, 'artifacts', 'sha256')).includes(first.baseHash));
  const submitted = await run(edit, [
    'submit',
    '--prompt',
    'The capital of Tiny Land is',
    '--target',
    'Paris',
    '--reason',
    'r',
  ]);
  t.is(submitted.code, ExitCode.ok);
  const built = await run(materialize, ['--json']);
  t.is(built.code, ExitCode.ok, built.stderr);
  t.like(JSON.parse(built.stdout), { outcome: 'materialized', edits: 1 });
});

test('18.7: control characters from the ledger are escaped on a terminal, stored as given', async (t) => {
  const { run, events } = cliIn(tempDir(t));
  const evil = 'Evil\u001b[2J\u001b]0;pwned\u0007Corp';
  const submitted = await run(edit, ['submit', '--prompt', `The CEO of ${evil} is`, '--target', 'X', '--reason', 'r']);
  t.is(submitted.code, ExitCode.ok, submitted.stderr);
  for (const [name, output] of [
    ['edit list', (await run(edit, ['list'])).stdout],
    ['log', (await run(log, [])).stdout],
  ] as const) {
    // eslint-disable-next-line no-control-regex
    t.notRegex(output, /[\u0000-\u0008\u000b-\u001f\u007f]/, name);
    if (name === 'edit list') t.regex(output, /Evil\\x1b\[2J\\x1b\]0;/, name); // log cuts the prompt before it
  }
  const { editId } = (await events())[0]!.data as { editId: string };
  // eslint-disable-next-line no-control-regex
  t.notRegex((await run(edit, ['show', editId])).stdout, /[\u0000-\u0008\u000b-\u001f\u007f]/);
  t.is(((await events())[0]!.data as { prompt: string }).prompt, `The CEO of ${evil} is`, 'stored bytes as given');
  const nul = await run(edit, [
    'submit',
    '--fact-key',
    'a\u0000b::c',
    '--prompt',
    'p',
    '--target',
    'x',
    '--reason',
    'r',
  ]);
  t.is(nul.code, ExitCode.invalidInput);
  t.false(nul.stderr.includes('\u0000'));
  t.regex(nul.stderr, /a\\x00b::c/);
});

test('18.8: a read-only home can be read (log, edit list, edit show) and refuses writes cleanly', async (t) => {
  const runuser = spawnSync('runuser', ['--help']);
  const asOther = process.getuid?.() === 0;
  if (asOther && runuser.error !== undefined) {
    t.log('SKIPPED: running as root without runuser, so a read-only folder cannot be tested');
    t.pass();
    return;
  }
  // As root, permissions do not bind: the CLI runs as `nobody`, who must be able to read the checkout.
  if (asOther && spawnSync('runuser', ['-u', 'nobody', '--', 'test', '-r', join(ROOT, 'package.json')]).status !== 0) {
    t.log(`SKIPPED: the user nobody cannot read ${ROOT}, so the CLI cannot run as a user without write access`);
    t.pass();
    return;
  }
  const dir = tempDir(t);
  const { home, run } = cliIn(dir);
  const { editId } = JSON.parse((await run(edit, ['submit', ...CEO, '--target', 'X', '--json'])).stdout) as {
    editId: string;
  };
  // A clean close removes -wal and -shm; then the folder and files lose their write permission.
  rmSync(join(home, 'readmodel.db'), { force: true });
  chmodSync(dir, 0o755);
  for (const file of readdirSync(home)) chmodSync(join(home, file), 0o444);
  chmodSync(home, 0o555);
  const cli = (...args: string[]) => {
    const argv = ['--import', 'tsx', join(ROOT, 'infra/cli/main.ts'), ...args, '--home', home];
    const env = { ...process.env, HOME: tmpdir(), NO_UPDATE_NOTIFIER: '1' };
    return asOther
      ? spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, ...argv], { cwd: ROOT, env, encoding: 'utf8' })
      : spawnSync(process.execPath, argv, { cwd: ROOT, env, encoding: 'utf8' });
  };
  const logged = cli('log');
  t.is(logged.status, 0, logged.stderr);
  t.regex(logged.stdout, /EditSubmitted/);
  const listed = cli('edit', 'list', '--json');
  t.is(listed.status, 0, listed.stderr);
  t.is((JSON.parse(listed.stdout) as { count: number }).count, 1);
  t.is(cli('edit', 'show', editId).status, 0);
  const write = cli('edit', 'retract', editId, '--reason', 'x');
  t.not(write.status, 0);
  t.regex(write.stderr, /readonly|read-only/i);
});

test('18.9: log --type names the known types; negative numbers get our own messages and the same exit codes', async (t) => {
  const { run } = cliIn(tempDir(t));
  const unknown = await run(log, ['--type', 'NoSuchType']);
  t.is(unknown.code, ExitCode.usage);
  t.regex(unknown.stderr, /--type: no event type "NoSuchType"; the types are EditSubmitted, .*ServingVersionChanged/);
  const at = await run(edit, ['list', '--at', '-1']);
  t.is(at.code, ExitCode.usage);
  t.regex(at.stderr, /--at: must be an integer >= 0, got "-1"/);
  t.notRegex(at.stderr, /ambiguous/);
});
