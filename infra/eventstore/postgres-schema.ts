// The PostgreSQL event store's schema and its migrations.
//
// Migrations are numbered and recorded in editledger_migrations; each runs once, in a transaction,
// and opening a store applies the missing ones. Several processes may open the store at the same
// moment, so the whole check-and-apply runs under a transaction-level advisory lock: the first one
// migrates, the others wait and then find nothing to do. A database migrated by a newer editledger
// (a version we do not know) is refused rather than written with assumptions that may no longer hold.

import type pg from 'pg';
import { EventStoreCorruptedError } from './errors.ts';

/** Advisory-lock key space: 'EDLG' plus a sub-key, so our locks do not collide with other applications'. */
export const LOCK_NAMESPACE = 0x45444c47;
export const MIGRATION_LOCK = 0;
export const APPEND_LOCK = 1;

/** NOTIFY channel on which every committed append announces its highest position. */
export const NOTIFY_CHANNEL = 'editledger_events';

interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

// Data and metadata are `json`, not `jsonb`: json keeps the exact text we wrote (jsonb would reorder
// keys and reject \u0000), and the idempotency check compares JSON values, not text, anyway.
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'events table',
    sql: `
      CREATE TABLE editledger_events (
        position    bigint      PRIMARY KEY CHECK (position > 0),
        stream      text        NOT NULL,
        revision    integer     NOT NULL CHECK (revision >= 0),
        id          uuid        NOT NULL UNIQUE,
        type        text        NOT NULL,
        data        json        NOT NULL,
        metadata    json        NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (stream, revision)
      );`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** Brings the database up to SCHEMA_VERSION; returns the versions it applied (empty when up to date). */
export async function migrate(client: pg.ClientBase, where: string): Promise<number[]> {
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS editledger_migrations (
      version     integer     PRIMARY KEY,
      description text        NOT NULL,
      applied_at  timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM editledger_migrations');
    const done = new Set(rows.map((r) => r.version));
    const newest = Math.max(0, ...done);
    if (newest > SCHEMA_VERSION) {
      throw new EventStoreCorruptedError(
        where,
        `has schema version ${newest}, newer than this editledger understands (${SCHEMA_VERSION})`,
      );
    }
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO editledger_migrations (version, description) VALUES ($1, $2)', [
        migration.version,
        migration.description,
      ]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
