// Appending to the PostgreSQL event store.
//
// Ordering: every append takes one transaction-level advisory lock (pg_advisory_xact_lock) before it
// reads the head, so appends run one at a time and each assigns positions head+1.. under the lock.
// Why a lock and not a SEQUENCE: sequence values are handed out before commit and never rolled back,
// so transaction B can take 11 and commit while A still holds 10 — a reader at that moment sees 11,
// checkpoints it and never sees 10. Under the lock a later position can only commit after an earlier
// one (PostgreSQL makes a commit visible before it releases the transaction's locks), so readers never
// see a hole that fills later, and positions are contiguous since a rolled-back append took nothing.
// The price is that appends are serialised across all clients (one commit fsync at a time); that
// bounds append throughput, which is fine for a ledger of edits, and it keeps the logic simple and correct.
//
// The common append (no id of the batch stored yet, expected revision met) is one call of the
// editledger_append server function (postgres-schema.ts, migration 2): lock, check, insert, notify, commit
// in one round trip. Otherwise a transaction takes the same lock, reads the stored ids and decides here
// by the port's rules (domain/ports/event-store.ts), exactly as the SQLite store does.
// Hash chain (domain/chain.ts): the client hashes each event's content (its digest); the link to the head is made
// under the lock, by the server function on the fast path and here on the careful one.

import type pg from 'pg';
import type { AppendResult, ExpectedRevision } from '../../domain/ports/event-store.ts';
import { eventDigest, GENESIS_HASH, linkBatch } from '../../domain/chain.ts';
import { decideAppend, sameStoredText } from './append-decision.ts';
import { InvalidEventError } from './errors.ts';
import type { PreparedEvent } from './event-input.ts';
import { isConnectionError, neverSent, translatePgError } from './postgres-errors.ts';
import { APPEND_LOCK, LOCK_NAMESPACE, NOTIFY_CHANNEL } from './postgres-schema.ts';

const TABLE = 'editledger_events';

type StoredTuple = [id: string, position: number, stream: string, type: string, data: string, metadata: string];
interface StateRow {
  head: string;
  head_chain: string | null;
  last: number | null;
  stored: StoredTuple[];
}

// One round trip reads everything the append decision needs: the head, the stream's last revision and
// whichever of the batch's ids are already stored.
const STATE_SQL = `SELECT
  (SELECT COALESCE(max(position), 0) FROM ${TABLE}) AS head,
  (SELECT chain FROM ${TABLE} ORDER BY position DESC LIMIT 1) AS head_chain,
  (SELECT max(revision) FROM ${TABLE} WHERE stream = $1) AS last,
  (SELECT COALESCE(json_agg(json_build_array(id, position, stream, type, data::text, metadata::text)), '[]'::json)
     FROM ${TABLE} WHERE id = ANY($2::uuid[])) AS stored`;
// The insert and its notification in one statement; the NOTIFY is delivered only if the transaction commits.
const INSERT_SQL = `WITH inserted AS (
  INSERT INTO ${TABLE} (position, stream, revision, id, type, data, metadata, recorded_at, chain)
  SELECT $1::bigint + n, $2, $3::integer + n::integer, e.id, e.type, e.data::json, e.metadata::json, statement_timestamp(),
         e.chain
  FROM unnest($4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[])
       WITH ORDINALITY AS e(id, type, data, metadata, chain, n)
  RETURNING position)
SELECT pg_notify('${NOTIFY_CHANNEL}', max(position)::text) FROM inserted`;

/** Where to append (the pool, and the redacted URL for messages) and what. */
export interface AppendTarget {
  readonly pool: pg.Pool;
  readonly where: string;
}

/** Appends validated events (see the port for the rules); one round trip in the common case. */
export async function appendPrepared(
  target: AppendTarget,
  stream: string,
  prepared: readonly PreparedEvent[],
  expected: ExpectedRevision,
): Promise<AppendResult> {
  const { pool, where } = target;
  checkNoNul(stream, 'stream');
  prepared.forEach((e, i) => checkNoNul(e.type, `events[${i}].type`));
  const n = prepared.length;
  try {
    const { rows } = await pool.query<{ appended: boolean; head: string; last: number | null }>({
      name: 'editledger_append_fast',
      text: 'SELECT appended, head, last FROM editledger_append($1, $2, $3, $4, $5, $6, $7)',
      values: [
        stream,
        String(expected),
        prepared.map((e) => e.id),
        prepared.map((e) => e.type),
        prepared.map((e) => e.dataJson),
        prepared.map((e) => e.metadataJson),
        prepared.map((e) => eventDigest({ ...e, stream })),
      ],
    });
    const row = rows[0]!;
    if (row.appended) return { nextExpectedRevision: (row.last ?? -1) + n, position: Number(row.head) + n };
  } catch (err) {
    throw translatePgError(
      err,
      where,
      neverSent(err)
        ? 'append failed, nothing was written'
        : 'the connection broke during the append, so it may or may not be stored; retrying it with the same event ids is safe',
    );
  }
  return appendCarefully(target, stream, prepared, expected);
}

/** The rare path (an id already stored, or the expected revision not met): decide in JS inside one locked transaction. */
async function appendCarefully(
  { pool, where }: AppendTarget,
  stream: string,
  prepared: readonly PreparedEvent[],
  expected: ExpectedRevision,
): Promise<AppendResult> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw translatePgError(err, where, 'append failed, nothing was written');
  }
  let committing = false;
  let broken: Error | undefined;
  try {
    await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}, ${APPEND_LOCK})`);
    // Named statements are parsed and planned once per connection, not on every append.
    const state = await client.query<StateRow>({
      name: 'editledger_append_state',
      text: STATE_SQL,
      values: [stream, prepared.map((e) => e.id)],
    });
    const row = state.rows[0]!;
    const byId = new Map(row.stored.map((stored) => [stored[0], stored]));
    const decision = decideAppend(stream, prepared, expected, row.last, (event) => {
      const found = byId.get(event.id);
      if (found === undefined) return undefined;
      const [, position, storedStream, type, data, metadata] = found;
      return {
        position: Number(position),
        same: sameStoredText({ stream: storedStream, type, data, metadata }, stream, event),
      };
    });
    if ('result' in decision) {
      await client.query('ROLLBACK');
      return decision.result;
    }
    const { fresh } = decision;
    const head = Number(row.head);
    const last = row.last ?? -1;
    const chains = linkBatch(
      row.head_chain ?? GENESIS_HASH,
      fresh.map((e, i) => ({ ...e, stream, revision: last + 1 + i })),
      head + 1,
    );
    await client.query({
      name: 'editledger_append_insert',
      text: INSERT_SQL,
      values: [
        head,
        stream,
        last,
        fresh.map((e) => e.id),
        fresh.map((e) => e.type),
        fresh.map((e) => e.dataJson),
        fresh.map((e) => e.metadataJson),
        chains,
      ],
    });
    committing = true;
    await client.query('COMMIT');
    return { nextExpectedRevision: last + fresh.length, position: head + fresh.length };
  } catch (err) {
    if (isConnectionError(err)) {
      broken = err as Error; // the pool must discard this connection, not hand it out again
      throw translatePgError(
        err,
        where,
        committing
          ? 'the connection broke while committing, so the append may or may not be stored; retrying it with the same event ids is safe'
          : 'append failed, nothing was written',
      );
    }
    await client.query('ROLLBACK').catch(() => undefined);
    throw translatePgError(err, where);
  } finally {
    client.release(broken);
  }
}

/** PostgreSQL text cannot hold U+0000 (JSON escapes it, so only names need the check). */
function checkNoNul(value: string, field: string): void {
  if (value.includes('\u0000'))
    throw new InvalidEventError(field, 'contains U+0000, which PostgreSQL text cannot store');
}
