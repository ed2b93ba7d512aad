// Start `editledger serve` as a real child process on a free loopback port, talk to it with fetch, stop it.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

export interface ServeProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Send a signal and resolve with the exit code (null when killed by the signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startServe(
  home: string,
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'infra/cli/main.ts', 'serve', '--port', '0', '--idle', '3600', ...args],
    {
      env: { ...process.env, EDITLEDGER_HOME: home, EDITLEDGER_BACKEND: 'wasm', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start in 60 s: ${err}`)), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code} before listening: ${err}`));
    });
  });
  return {
    url,
    child,
    stderr: () => err,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** fetch with a bearer token and a JSON body; resolves with status, headers and the parsed body. */
export async function call(
  url: string,
  method: string,
  path: string,
  options: {
    token?: string;
    body?: unknown;
    raw?: string;
    contentType?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await fetch(`${url}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON (metrics, docs)
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** Poll GET /v1/jobs/:id until the job has succeeded or failed (at most 600 polls); resolves with the job. */
export async function waitForJob(url: string, jobId: string, token: string, pollMs = 100): Promise<any> {
  for (let i = 0; i < 600; i++) {
    const { body } = await call(url, 'GET', `/v1/jobs/${jobId}`, { token });
    if (body.state === 'succeeded' || body.state === 'failed') return body;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`job ${jobId} did not finish`);
}
