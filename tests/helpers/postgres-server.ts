// A throwaway PostgreSQL server for tests and benchmarks: initdb into a temporary folder, listen on
// loopback at a free port with its unix socket inside that folder, and stop it (and delete the folder)
// at the end. The server refuses to run as root, so when we are root every server command runs as the
// `postgres` OS user (runuser) and the folder is handed to that user.
//
// PG_BIN overrides where the binaries are; otherwise the newest /usr/lib/postgresql/<version>/bin is used.

import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust authentication on loopback only). */
  readonly url: string;
  readonly port: number;
  /** Stops the server; `immediate` is a crash-like stop (no checkpoint), `fast` a clean one. */
  stop(mode?: 'immediate' | 'fast'): void;
  /** Starts it again on the same port and data folder. */
  start(): void;
  /** Stops the server (immediate) and deletes its folder. Safe to call twice. */
  destroy(): void;
  /** The server log so far, for failure messages. */
  log(): string;
}

/** Where the PostgreSQL binaries are, or a sentence saying why there are none. */
export function findPostgresBin(): { bin: string } | { missing: string } {
  const fromEnv = process.env.PG_BIN?.trim();
  if (fromEnv) {
    return existsSync(join(fromEnv, 'initdb')) ? { bin: fromEnv } : { missing: `PG_BIN=${fromEnv} has no initdb` };
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined) return { missing: `no PostgreSQL server binaries under ${root} (apt install postgresql)` };
  return { bin: join(root, newest, 'bin') };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const isRoot = process.getuid?.() === 0;

/** Runs a server binary, as the postgres user when we are root. */
function runAsServerUser(bin: string, tool: string, args: readonly string[]): void {
  const [command, argv] = isRoot
    ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]]
    : [join(bin, tool), [...args]];
  execFileSync(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function startPostgresServer(): Promise<PostgresServer> {
  const found = findPostgresBin();
  if ('missing' in found) throw new Error(found.missing);
  const { bin } = found;
  const dir = mkdtempSync(join(tmpdir(), 'editledger-pg-'));
  if (isRoot) {
    const ids = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
    const gid = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
    chownSync(dir, Number(ids), Number(gid));
  }
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const port = await freePort();
  try {
    // --no-sync: the cluster is thrown away, so initdb need not fsync its files (the server itself still does).
    runAsServerUser(bin, 'initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${describeExecError(err)}`, { cause: err });
  }
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c max_connections=200',
    '-c shared_buffers=32MB',
  ].join(' ');
  let running = false;
  const start = (): void => {
    try {
      runAsServerUser(bin, 'pg_ctl', ['start', '-w', '-t', '60', '-D', data, '-l', logFile, '-o', options]);
      running = true;
    } catch (err) {
      throw new Error(`pg_ctl start failed: ${describeExecError(err)}\n${readLog()}`, { cause: err });
    }
  };
  const stop = (mode: 'immediate' | 'fast' = 'fast'): void => {
    if (!running) return;
    runAsServerUser(bin, 'pg_ctl', ['stop', '-w', '-D', data, '-m', mode]);
    running = false;
  };
  const readLog = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '(no server log)');
  let destroyed = false;
  const destroy = (): void => {
    if (destroyed) return;
    destroyed = true;
    process.off('exit', destroy);
    try {
      stop('immediate');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  // A test worker that dies early must not leave a server behind.
  process.on('exit', destroy);
  try {
    start();
  } catch (err) {
    destroy();
    throw err;
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, stop, start, destroy, log: readLog };
}

function describeExecError(err: unknown): string {
  const e = err as { stderr?: Buffer; message?: string };
  return e.stderr?.toString().trim() || e.message || String(err);
}

/** True when the postgres OS user can be used (needed when we are root). */
export function canRunServer(): { ok: true } | { ok: false; why: string } {
  const found = findPostgresBin();
  if ('missing' in found) return { ok: false, why: found.missing };
  if (isRoot && spawnSync('id', ['-u', 'postgres']).status !== 0)
    return { ok: false, why: 'running as root and there is no postgres OS user to run the server as' };
  return { ok: true };
}
