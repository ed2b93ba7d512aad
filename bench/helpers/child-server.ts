// Start a server script as a child process (`editledger serve`, or the bare ceiling server) with optional extra
// node flags (BENCH_API_PROFILE adds --cpu-prof), wait for its "listening on URL" line, read its CPU time, stop it.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ChildServer {
  readonly url: string;
  readonly child: ChildProcess;
  /** CPU milliseconds (user + system) the child used so far (Linux /proc; NaN elsewhere). */
  readonly cpuMs: () => number;
  stop(): Promise<number | null>;
}

export async function startChildServer(
  nodeFlags: readonly string[],
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<ChildServer> {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start in 60 s: ${err}`)), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http\S+)/.exec(out);
      if (match === null) return;
      clearTimeout(timer);
      resolve(match[1]!);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited ${code} before listening: ${err}`));
    });
  });
  return {
    url,
    child,
    cpuMs: () => cpuOfPid(child.pid),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** CPU milliseconds used so far by a process (Linux /proc; NaN elsewhere). */
export function cpuOfPid(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 per second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}
