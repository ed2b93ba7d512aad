// Small pieces every hand-parsed sub-command (train, eval, sweep) shares: a usage-aware failure writer and
// positive-integer flag parsing with an error that names the flag.
import type { CliIO } from './command.ts';
import { ExitCode } from './command.ts';

/** `fail(io, message, code)` for one command: the message on stderr, followed by the usage on usage errors. */
export function failureFor(title: string, usage: string): (io: CliIO, message: string, code?: number) => number {
  return (io, message, code = ExitCode.usage) => {
    io.stderr.write(`${title}: ${message}\n${code === ExitCode.usage ? `\n${usage}` : ''}`);
    return code;
  };
}

/** A positive integer flag value, undefined when absent; throws naming the flag otherwise. */
export function positiveIntFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--${flag}: expected a positive integer, got ${JSON.stringify(value)}`);
  return n;
}
