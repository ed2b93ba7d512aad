// What every `editledger` sub-command module exports, and the exit codes scripts can rely on.

export interface CliIO {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** argv excludes the command name itself. Resolves to the process exit code. */
  run(argv: readonly string[], io: CliIO): Promise<number>;
}

export const ExitCode = {
  ok: 0,
  failure: 1, // unexpected failure
  usage: 2, // bad flags or arguments
  invalidInput: 3, // input rejected by a schema or a rule (message names the field)
  notFound: 4,
  conflict: 5, // concurrency / idempotency conflict
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
