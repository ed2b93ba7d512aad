// A child process for the trainer-consumer end-to-end tests (run with `node --import tsx`): runs one of the model
// commands in a process of its own, so tests can kill it (SIGKILL) or run several at once on one ledger.
//
//   node --import tsx tests/helpers/model-cli-child.ts <trainer|materialize|...> [args...]
//
// Exits with the command's exit code. EDITLEDGER_HOME / EDITLEDGER_BACKEND come from the environment.
const commands: Record<
  string,
  () => Promise<{ command: { run(argv: readonly string[], io: unknown): Promise<number> } }>
> = {
  trainer: () => import('../../infra/cli/commands/trainer.ts'),
  materialize: () => import('../../infra/cli/commands/materialize.ts'),
  verify: () => import('../../infra/cli/commands/verify.ts'),
};

const [name, ...args] = process.argv.slice(2);
const load = name === undefined ? undefined : commands[name];
if (load === undefined) {
  process.stderr.write(`model-cli-child: unknown command ${String(name)}\n`);
  process.exit(2);
}
const { command } = await load();
const code = await command.run(args, {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
process.exit(code);
