// The PostgreSQL event store's schema and its migrations.
//
// Migrations are numbered and recorded in editledger_migrations; each runs once, in a transaction,
// and opening a store applies the missing ones. Several processes may open the store at the same
// moment, so the whole check-and-apply runs under a transaction-level advisory lock: the first one
// migrates, the others wait and then find nothing to do. A database migrated by a newer editledger
// (a version we do not know) is refused rather than written with assumptions that may no longer hold.

import type pg from 'pg';
import { EventStoreCorruptedError } from './errors.ts';
import { backfillChain } from './postgres-chain.ts';

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
  /** Work SQL alone cannot do, run after `sql` in the same transaction. */
  readonly then?: (client: pg.ClientBase) => Promise<void>;
}

// The fast path's expected-revision and stored-id check, and its notification; both versions of editledger_append
// (migrations 2 and 3) run them word for word, so the SQL they send is the one each migration always sent.
const FAST_PATH_CHECK = `        v_ok := CASE p_expected
                  WHEN 'any' THEN true
                  WHEN 'no_stream' THEN v_last IS NULL
                  WHEN 'stream_exists' THEN v_last IS NOT NULL
                  ELSE v_last IS NOT DISTINCT FROM p_expected::integer
                END;
        IF NOT v_ok OR EXISTS (SELECT 1 FROM editledger_events e WHERE e.id = ANY (p_ids)) THEN
          RETURN QUERY SELECT false, v_head, v_last;
          RETURN;
        END IF;`;
const FAST_PATH_NOTIFY = `        PERFORM pg_notify('${NOTIFY_CHANNEL}', (v_head + cardinality(p_ids))::text);
        RETURN QUERY SELECT true, v_head, v_last;
      END
      $fn$;`;

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
  {
    version: 2,
    description: 'one-round-trip append function',
    // The common append (no id already stored, expected revision met) as one server-side call: lock,
    // read head and last revision, insert, notify. Each statement in a plpgsql function takes a fresh
    // snapshot, so the reads after the lock see every append committed before it. Anything else (a
    // stored id, a revision mismatch) returns appended = false and the client decides in a transaction.
    sql: `
      CREATE FUNCTION editledger_append(p_stream text, p_expected text, p_ids uuid[], p_types text[], p_data text[],
                                        p_metadata text[])
      RETURNS TABLE (appended boolean, head bigint, last integer) LANGUAGE plpgsql AS $fn$
      DECLARE
        v_head bigint;
        v_last integer;
        v_ok boolean;
      BEGIN
        PERFORM pg_advisory_xact_lock(${LOCK_NAMESPACE}, ${APPEND_LOCK});
        SELECT COALESCE(max(e.position), 0) INTO v_head FROM editledger_events e;
        SELECT max(e.revision) INTO v_last FROM editledger_events e WHERE e.stream = p_stream;
        -- (assigned first: plpgsql's IF would end its condition at the CASE's first THEN)
${FAST_PATH_CHECK}
        INSERT INTO editledger_events (position, stream, revision, id, type, data, metadata, recorded_at)
        SELECT v_head + x.n, p_stream, COALESCE(v_last, -1) + x.n::integer, x.id, x.type, x.data::json, x.metadata::json,
               statement_timestamp()
        FROM unnest(p_ids, p_types, p_data, p_metadata) WITH ORDINALITY AS x(id, type, data, metadata, n);
${FAST_PATH_NOTIFY}`,
  },
  {
    version: 3,
    description: 'hash chain',
    // The chain (domain/chain.ts): the client sends each event's digest (a hash of what it says), and the link,
    // sha256(prev \n position \n revision \n digest), is computed here under the append lock, where the head's
    // link and the positions are known. Rows stored before this migration are chained by `then`, in JS.
    sql: `
      SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}, ${APPEND_LOCK});
      ALTER TABLE editledger_events ADD COLUMN chain text;
      DROP FUNCTION IF EXISTS editledger_append(text, text, uuid[], text[], text[], text[]);
      CREATE FUNCTION editledger_append(p_stream text, p_expected text, p_ids uuid[], p_types text[], p_data text[],
                                        p_metadata text[], p_digests text[])
      RETURNS TABLE (appended boolean, head bigint, last integer) LANGUAGE plpgsql AS $fn$
      DECLARE
        v_head bigint;
        v_prev text;
        v_last integer;
        v_ok boolean;
        v_chains text[] := '{}';
      BEGIN
        PERFORM pg_advisory_xact_lock(${LOCK_NAMESPACE}, ${APPEND_LOCK});
        SELECT e.position, e.chain INTO v_head, v_prev FROM editledger_events e ORDER BY e.position DESC LIMIT 1;
        v_head := COALESCE(v_head, 0);
        v_prev := COALESCE(v_prev, repeat('0', 64));
        SELECT max(e.revision) INTO v_last FROM editledger_events e WHERE e.stream = p_stream;
${FAST_PATH_CHECK}
        FOR i IN 1 .. cardinality(p_ids) LOOP
          v_prev := encode(sha256(convert_to(v_prev || E'\n' || (v_head + i)::text || E'\n' ||
                    (COALESCE(v_last, -1) + i)::text || E'\n' || p_digests[i], 'UTF8')), 'hex');
          v_chains := v_chains || v_prev;
        END LOOP;
        INSERT INTO editledger_events (position, stream, revision, id, type, data, metadata, recorded_at, chain)
        SELECT v_head + x.n, p_stream, COALESCE(v_last, -1) + x.n::integer, x.id, x.type, x.data::json, x.metadata::json,
               statement_timestamp(), x.chain
        FROM unnest(p_ids, p_types, p_data, p_metadata, v_chains) WITH ORDINALITY AS x(id, type, data, metadata, chain, n);
${FAST_PATH_NOTIFY}`,
    then: backfillChain,
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
      await migration.then?.(client);
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
