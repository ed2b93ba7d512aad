// `editledger` entry point: a lazy table of sub-commands, so `editledger edit list` never loads tfjs.
import type { CliCommand, CliIO } from './command.ts';
import { ExitCode } from './command.ts';
import { takeVerboseFlag } from '../../trainer/runtime/backend-line.ts';

type Loader = () => Promise<{ command: CliCommand }>;

/** Every command, loaded on first use. */
export const commands: Readonly<Record<string, Loader>> = {
  edit: () => import('./commands/edit.ts'),
  log: () => import('./commands/log.ts'),
  generate: () => import('./commands/generate.ts'),
  train: () => import('./commands/train.ts'),
  eval: () => import('./commands/eval.ts'),
  sweep: () => import('./commands/sweep.ts'),
  model: () => import('./commands/model.ts'),
  materialize: () => import('./commands/materialize.ts'),
  trainer: () => import('./commands/trainer.ts'),
  promote: () => import('./commands/promote.ts'),
  rollback: () => import('./commands/rollback.ts'),
  verify: () => import('./commands/verify.ts'),
  versions: () => import('./commands/versions.ts'),
  diff: () => import('./commands/diff.ts'),
  demo: () => import('./commands/demo.ts'),
  ingest: () => import('./commands/ingest.ts'),
  audit: () => import('./commands/audit.ts'),
  serve: () => import('./commands/serve.ts'),
  token: () => import('./commands/token.ts'),
  unpin: () => import('./commands/unpin.ts'),
  report: () => import('./commands/report.ts'),
  erase: () => import('./commands/erase.ts'),
};

function usage(): string {
  const names = Object.keys(commands).sort();
  return (
    `usage: editledger <command> [options] [--verbose]\n\ncommands: ${names.join(', ')}\n\n` +
    `--verbose (any command): the full compute-backend description, the same as EDITLEDGER_VERBOSE=1.\n` +
    `Run "editledger <command> --help" for a command's options.\n`
  );
}

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  // A global flag, taken out before dispatch so no command's parser sees it. The backend reads process.env (it is
  // one per process), so the flag goes there too when the caller passed another env object.
  const args = takeVerboseFlag(argv, io.env);
  if (args.length !== argv.length) process.env['EDITLEDGER_VERBOSE'] = '1';
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  const load = commands[name];
  if (!load) {
    io.stderr.write(`editledger: unknown command "${name}"\n${usage()}`);
    return ExitCode.usage;
  }
  const { command } = await load();
  return command.run(rest, io);
}

const isEntry = process.argv[1] !== undefined && /(?:main\.ts|editledger(?:\.js)?)$/.test(process.argv[1]);
if (isEntry) {
  // `editledger log | head` closes our stdout early: that is the reader's choice, not a failure.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const io: CliIO = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`editledger: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = ExitCode.failure;
    },
  );
}
