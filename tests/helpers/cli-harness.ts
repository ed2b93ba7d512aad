// Run a CLI command in-process against captured streams, as main.ts would.
import { Writable } from 'node:stream';
import type { CliCommand, CliIO } from '../../infra/cli/command.ts';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

export async function runCli(
  command: CliCommand,
  argv: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<CliRun> {
  const stdout = new Capture();
  const stderr = new Capture();
  const io: CliIO = { stdout, stderr, env: options.env ?? { USER: 'tester' }, cwd: options.cwd };
  const code = await command.run(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}
