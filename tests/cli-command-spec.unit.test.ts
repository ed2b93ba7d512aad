// Commands declared one way (infra/cli/subcommand.ts): the parser, the typed values, the generated --help and the
// exit codes all come from one declaration; and every real command is declared so.
import test from 'ava';
import { ExitCode } from '../infra/cli/command.ts';
import type { CliCommand } from '../infra/cli/command.ts';
import { CommandFailure, exitingWith } from '../infra/cli/failure.ts';
import { UsageError } from '../infra/cli/format.ts';
import { policyOverrides } from '../infra/cli/commands/model.ts';
import { commands } from '../infra/cli/main.ts';
import { commandGroup, defineCommand } from '../infra/cli/subcommand.ts';
import { runCli } from './helpers/cli-harness.ts';

// What each run received, by its --name (tests in a file run concurrently).
const seen = new Map<string, unknown>();
const probe = defineCommand({
  name: 'probe run',
  summary: 'a command for the tests',
  description: 'Records what it was given.',
  flags: {
    size: { type: 'integer', check: { ok: (n) => n >= 1, rule: 'a positive integer' }, description: 'how many' },
    rate: { type: 'number', placeholder: 'X', default: 0.5, description: 'how fast' },
    mode: { type: 'string', choices: ['fast', 'slow'], default: 'fast', description: 'which way' },
    tag: { type: 'string', multiple: true, description: 'a label' },
    name: { type: 'string', required: true, placeholder: 'NAME', description: 'who' },
    quiet: { type: 'boolean', description: 'say nothing' },
  },
  positionals: { placeholder: 'FILE', min: 0, max: 2 },
  notes: 'Closing words.',
  async run(args) {
    seen.set(args.flags.name, args);
    if (args.flags.name === 'explode') throw new CommandFailure(ExitCode.notFound, new Error('gone'), 'context: ');
    if (args.flags.name === 'bad') throw new UsageError('bad name');
    return ExitCode.ok;
  },
});
const run = (argv: string[]) => runCli(probe, argv, { cwd: process.cwd() });

test('flag values arrive typed, with defaults, and the common options beside them', async (t) => {
  const result = await run([
    '--name',
    'typed',
    '--size',
    '3',
    '--tag',
    'a',
    '--tag',
    'b',
    '--home',
    'h',
    '--json',
    'x',
  ]);
  t.is(result.code, ExitCode.ok, result.stderr);
  t.deepEqual(seen.get('typed'), {
    flags: { size: 3, rate: 0.5, mode: 'fast', tag: ['a', 'b'], name: 'typed', quiet: false },
    positionals: ['x'],
    home: 'h',
    json: true,
  });
  t.is((await run(['--name', 'negative', '--rate', '-1.5', '--quiet', '--mode', 'slow'])).code, ExitCode.ok);
  t.like(seen.get('negative'), {
    flags: { size: undefined, rate: -1.5, mode: 'slow', tag: [], quiet: true },
    home: undefined,
    json: false,
  });
});

test('a bad value is a usage error naming the flag and its rule, with the usage; --json adds the error object', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['--name', 'n', '--size', 'ten'], /--size: must be a positive integer, got "ten"/],
    [['--name', 'n', '--size', '0'], /--size: must be a positive integer, got "0"/],
    [['--name', 'n', '--size', '-2'], /--size: must be a positive integer, got "-2"/],
    [['--name', 'n', '--size', '1.5'], /--size: must be a positive integer, got "1.5"/],
    [['--name', 'n', '--rate', ''], /--rate: must be a number, got ""/],
    [['--name', 'n', '--mode', 'sideways'], /--mode: must be one of fast, slow, got "sideways"/],
    [['--size', '1'], /--name is required/],
    [['--name', 'n', 'a', 'b', 'c'], /expects 0 to 2 FILE/],
    [['--name', 'n', '--colour', 'red'], /Unknown option '--colour'/],
    [['--name', 'bad'], /bad name/],
  ];
  for (const [argv, message] of cases) {
    const result = await run(argv);
    t.is(result.code, ExitCode.usage, argv.join(' '));
    t.regex(result.stderr, message, argv.join(' '));
    t.true(result.stderr.includes(`\n${probe.usage}`), `usage after the message: ${argv.join(' ')}`);
    t.is(result.stdout, '');
  }
  const json = await run(['--name', 'n', '--size', 'ten', '--json']);
  t.deepEqual(JSON.parse(json.stdout), {
    error: { kind: 'UsageError', exitCode: 2, message: '--size: must be a positive integer, got "ten"' },
  });
});

test('a CommandFailure carries its own exit code and context; the kind stays the cause’s', async (t) => {
  const result = await run(['--name', 'explode', '--json']);
  t.is(result.code, ExitCode.notFound);
  t.is(result.stderr, 'editledger probe run: context: gone\n');
  t.deepEqual(JSON.parse(result.stdout), { error: { kind: 'Error', exitCode: 4, message: 'context: gone' } });
  const wrapped = await t.throwsAsync(
    exitingWith(
      () => ExitCode.invalidInput,
      async () => {
        throw new RangeError('nope');
      },
    ),
  );
  t.true(wrapped instanceof CommandFailure);
  t.is((wrapped as CommandFailure).exitCode, ExitCode.invalidInput);
});

test('--help is generated from the declaration: usage line, aligned options with defaults, common options, notes', async (t) => {
  const help = await run(['-h']);
  t.is(help.code, ExitCode.ok);
  t.is(help.stdout, probe.usage);
  const lines = probe.usage.split('\n');
  t.is(lines[0], 'usage: editledger probe run [FILE] ... --name NAME [options]');
  const options = lines.slice(lines.indexOf('Options:') + 1, lines.indexOf('', lines.indexOf('Options:')));
  t.deepEqual(
    options.map((l) => l.trim().split(/\s{2,}/)),
    [
      ['--size N', 'how many'],
      ['--rate X', 'how fast (default: 0.5)'],
      ['--mode TEXT', 'which way (default: fast)'],
      ['--tag TEXT', 'a label (repeatable)'],
      ['--name NAME', 'who'],
      ['--quiet', 'say nothing'],
    ],
  );
  // One column for the descriptions.
  t.is(new Set(options.map((l) => l.indexOf(l.trim().split(/\s{2,}/)[1]!))).size, 1);
  t.regex(probe.usage, /Common options:\n {2}--home DIR {2,}where editledger keeps its files/);
  t.regex(probe.usage, /-h, --help {2,}show this help\n\nClosing words\.\n$/);
});

test('a group lists its commands and dispatches; an unknown one is a usage error naming it', async (t) => {
  const group = commandGroup({ name: 'probe', summary: 's', noun: 'source', commands: [probe] });
  t.regex(group.usage, /sources:\n {2}run \[FILE\] \.\.\. {2}a command for the tests\n/);
  const cwd = process.cwd();
  t.is((await runCli(group, ['run', '--name', 'n'], { cwd })).code, ExitCode.ok);
  t.is((await runCli(group, ['help'], { cwd })).code, ExitCode.ok);
  t.is((await runCli(group, [], { cwd })).code, ExitCode.usage);
  const unknown = await runCli(group, ['walk'], { cwd });
  t.is(unknown.code, ExitCode.usage);
  t.regex(unknown.stderr, /editledger probe: unknown source "walk"/);
});

/** Every runnable command: the top-level ones and the members of groups (found through their listing). */
async function everyCommand(): Promise<Array<{ path: string[]; command: CliCommand }>> {
  const out: Array<{ path: string[]; command: CliCommand }> = [];
  for (const [name, load] of Object.entries(commands)) {
    const { command } = await load();
    const members = /^(?:commands|sources):\n((?: {2}.*\n)+)/m.exec(command.usage)?.[1];
    if (members === undefined) out.push({ path: [name], command });
    else
      for (const line of members.split('\n').filter((l) => /^ {2}\S/.test(l)))
        out.push({ path: [name, line.trim().split(' ')[0]!], command });
  }
  return out;
}

test('every command has generated help within 120 columns and refuses an unknown flag with exit 2', async (t) => {
  const all = await everyCommand();
  t.true(all.length >= 24, `found ${all.length}`);
  for (const { path, command } of all) {
    const cwd = process.cwd();
    const help = await runCli(command, [...path.slice(1), '--help'], { cwd });
    const label = path.join(' ');
    t.is(help.code, ExitCode.ok, label);
    t.true(help.stdout.startsWith(`usage: editledger ${label} `), label);
    t.regex(help.stdout, /-h, --help {2,}show this help/, label);
    for (const line of help.stdout.split('\n')) t.true(line.length <= 120, `${label}: ${line}`);
    const bad = await runCli(command, [...path.slice(1), '--no-such-flag'], { cwd });
    t.is(bad.code, ExitCode.usage, label);
    t.regex(bad.stderr, new RegExp(`^editledger ${label}: Unknown option '--no-such-flag'`), label);
  }
});

test('policy flags become policy overrides: only the given ones, never a command’s other flags', (t) => {
  const flags = {
    name: undefined,
    layer: 2,
    module: undefined,
    lr: 0.01,
    'batch-size': undefined,
    epochs: undefined,
    'stop-loss': 0.5,
    seed: undefined,
    base: 'models/base',
    by: 'me',
  };
  t.deepEqual(policyOverrides(flags), { layer: 2, lr: 0.01, stopLoss: 0.5, skipBatchLoss: 0.5 });
});
