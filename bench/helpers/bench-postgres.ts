// The PostgreSQL server a benchmark measures against: BENCH_POSTGRES_URL when set, else a throwaway server
// started like the tests' (tests/helpers/postgres-server.ts). Each measurement gets a fresh database on it,
// dropped afterwards, so runs never see each other's rows.

import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { canRunServer, startPostgresServer, type PostgresServer } from '../../tests/helpers/postgres-server.ts';

export interface BenchPostgres {
  /** Runs `use` against the URL of a new, empty database and drops the database afterwards. */
  withDatabase<T>(use: (url: string) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The server to measure on, or a sentence saying why PostgreSQL is skipped. */
export async function openBenchPostgres(): Promise<BenchPostgres | string> {
  let server: PostgresServer | undefined;
  let url = process.env.BENCH_POSTGRES_URL?.trim();
  if (!url) {
    const can = canRunServer();
    if (!can.ok) return `skipped: ${can.why}`;
    server = await startPostgresServer();
    url = server.url;
  }
  const base = url;
  const admin = new pg.Client({ connectionString: base });
  try {
    await admin.connect();
  } catch (err) {
    server?.destroy();
    throw err;
  }
  return {
    async withDatabase<T>(use: (url: string) => Promise<T>): Promise<T> {
      const database = `editledger_bench_${randomUUID().slice(0, 8)}`;
      await admin.query(`CREATE DATABASE ${database}`);
      const target = new URL(base);
      target.pathname = `/${database}`;
      try {
        return await use(target.href);
      } finally {
        await admin.query(`DROP DATABASE ${database}`);
      }
    },
    async close(): Promise<void> {
      await admin.end();
      server?.destroy();
    },
  };
}
