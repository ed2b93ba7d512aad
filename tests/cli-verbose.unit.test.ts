// `editledger <any command> --verbose`: main.ts takes the global flag out before dispatch and sets
// EDITLEDGER_VERBOSE=1 (in the command's env and in process.env, which the compute backend reads), so the command's
// own parser never sees it. Serial: process.env is shared by the tests of this file.
import test from 'ava';
import type { CliCommand } from '../infra/cli/command.ts';
import { ExitCode } from '../infra/cli/command.ts';
import { main } from '../infra/cli/main.ts';
import { verboseRequested } from '../trainer/runtime/backend-line.ts';
import { runCli } from './helpers/cli-harness.ts';

const editledger: CliCommand = { name: 'editledger', summary: 'the entry point', usage: '', run: main };
const cwd = process.cwd();

/** Runs `editledger argv` with a fresh env and process.env's EDITLEDGER_VERBOSE unset, restoring it afterwards. */
async function withCleanVerbose<T>(body: () => Promise<T>): Promise<T> {
  const saved = process.env['EDITLEDGER_VERBOSE'];
  delete process.env['EDITLEDGER_VERBOSE'];
  try {
    return await body();
  } finally {
    if (saved === undefined) delete process.env['EDITLEDGER_VERBOSE'];
    else process.env['EDITLEDGER_VERBOSE'] = saved;
  }
}

test.serial('--verbose after or before the command is taken out and sets EDITLEDGER_VERBOSE=1', async (t) => {
  await withCleanVerbose(async () => {
    const plain = await runCli(editledger, ['log', '--help'], { cwd, env: {} });
    t.is(plain.code, ExitCode.ok);
    t.false(verboseRequested(), 'without the flag nothing is set');
    for (const argv of [
      ['log', '--help', '--verbose'],
      ['--verbose', 'log', '--help'],
    ]) {
      delete process.env['EDITLEDGER_VERBOSE'];
      const env: NodeJS.ProcessEnv = {};
      const run = await runCli(editledger, argv, { cwd, env });
      t.is(run.code, ExitCode.ok, argv.join(' '));
      t.is(run.stdout, plain.stdout, `the command saw the same arguments: ${argv.join(' ')}`);
      t.is(env['EDITLEDGER_VERBOSE'], '1', `the command's env: ${argv.join(' ')}`);
      t.true(verboseRequested(), `process.env, which initBackend reads: ${argv.join(' ')}`);
    }
  });
});

test.serial("the command's parser still refuses its own unknown flags, never --verbose", async (t) => {
  await withCleanVerbose(async () => {
    const run = await runCli(editledger, ['log', '--verbose', '--no-such-flag'], { cwd, env: {} });
    t.is(run.code, ExitCode.usage);
    t.regex(run.stderr, /Unknown option '--no-such-flag'/);
    t.notRegex(run.stderr, /'--verbose'/);
  });
});

test.serial('the global usage documents --verbose', async (t) => {
  await withCleanVerbose(async () => {
    const help = await runCli(editledger, ['--help'], { cwd, env: {} });
    t.is(help.code, ExitCode.ok);
    t.regex(help.stdout, /^usage: editledger <command> \[options\] \[--verbose\]\n/);
    t.regex(help.stdout, /\n--verbose \(any command\): .*EDITLEDGER_VERBOSE=1/);
    const bare = await runCli(editledger, ['--verbose'], { cwd, env: {} });
    t.is(bare.code, ExitCode.usage, 'the flag alone is no command');
    t.is(bare.stdout, help.stdout);
  });
});
