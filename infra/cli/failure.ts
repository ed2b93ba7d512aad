// How a declared command fails: one message on stderr (plus the usage for usage errors), `{"error": ...}` on stdout
// with --json, and an exit code. The code comes from the command when it knows better than the shared mapping
// (train: an unreadable edits file is invalid input, not a failure), else from format.ts's mapping.
import type { CliIO } from './command.ts';
import { ExitCode } from './command.ts';
import { exitCodeFor, terminalSafe } from './format.ts';

/** An error with the exit code its command chose; `message` may add context (e.g. which flag) to the cause's. */
export class CommandFailure extends Error {
  readonly exitCode: ExitCode;

  constructor(exitCode: ExitCode, cause: unknown, context = '') {
    super(`${context}${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.exitCode = exitCode;
  }
}

export function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** For steps that read what the user pointed at: a missing file is "not found", anything else bad input. */
export function inputExitCode(error: unknown): ExitCode {
  return isNotFound(error) ? ExitCode.notFound : ExitCode.invalidInput;
}

/** Runs `step`; what it throws carries the exit code `codeOf` gives it, and `context` before its message. */
export async function exitingWith<T>(
  codeOf: (error: unknown) => ExitCode,
  step: () => Promise<T>,
  context = '',
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof CommandFailure) throw error;
    throw new CommandFailure(codeOf(error), error, context);
  }
}

export interface FailureReport {
  readonly title: string;
  readonly usage: string;
  readonly json: boolean;
  /** The command's own mapping; undefined leaves the error to the shared one. */
  readonly exitCodeOf?: (error: unknown) => Promise<ExitCode | undefined> | ExitCode | undefined;
}

export async function reportFailure(io: CliIO, error: unknown, report: FailureReport): Promise<ExitCode> {
  const code =
    error instanceof CommandFailure ? error.exitCode : ((await report.exitCodeOf?.(error)) ?? exitCodeFor(error));
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`${report.title}: ${terminalSafe(message)}\n`);
  if (code === ExitCode.usage) io.stderr.write(`\n${report.usage}`);
  if (report.json) {
    // The kind and field are the underlying error's: a CommandFailure only adds an exit code and context.
    const source = error instanceof CommandFailure ? error.cause : error;
    const field = (source as { field?: unknown } | undefined)?.field;
    const kind = source instanceof Error ? source.name : 'Error';
    io.stdout.write(
      `${JSON.stringify({ error: { kind, exitCode: code, message, ...(typeof field === 'string' ? { field } : {}) } })}\n`,
    );
  }
  return code;
}
