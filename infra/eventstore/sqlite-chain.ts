// The hash chain (domain/chain.ts) in the SQLite store: the `chain` column, and the one-time upgrade of a ledger
// written by an editledger without it (schema version 1): add the column and chain every stored event, in one
// write transaction, so a crash leaves either the old file or the fully chained one.
import type Database from 'better-sqlite3';
import { eventDigest, chainLink, GENESIS_HASH } from '../../domain/chain.ts';
import type { JsonValue } from '../../domain/ports/event-store.ts';

/** Schema version 2 = version 1 plus the nullable `chain` column (NULL only for rows of a chain-less bench store). */
export const CHAIN_SCHEMA_VERSION = 2;

type Row = [position: number, stream: string, revision: number, id: string, type: string, data: string, meta: string];

/** The stored text as a reader will see it again: JSON.stringify of the parsed value (the same text for our rows). */
function restringified(text: string): string {
  return JSON.stringify(JSON.parse(text) as JsonValue);
}

/** Adds and fills the chain column; runs inside the caller's transaction. Returns how many events were chained. */
export function addChainColumn(db: Database.Database): number {
  db.exec('ALTER TABLE events ADD COLUMN chain TEXT');
  // Paged, because better-sqlite3 cannot run the UPDATE while a SELECT iterator is open on the same connection.
  const page = db
    .prepare<[number], Row>(
      'SELECT position, stream, revision, id, type, data, metadata FROM events WHERE position > ? ORDER BY position LIMIT 1000',
    )
    .raw();
  const update = db.prepare<[string, number]>('UPDATE events SET chain = ? WHERE position = ?');
  let prev = GENESIS_HASH;
  let after = 0;
  let chained = 0;
  for (;;) {
    const rows = page.all(after);
    for (const [position, stream, revision, id, type, data, metadata] of rows) {
      const digest = eventDigest({
        id,
        stream,
        type,
        dataJson: restringified(data),
        metadataJson: restringified(metadata),
      });
      prev = chainLink(prev, position, revision, digest);
      update.run(prev, position);
      after = position;
      chained++;
    }
    if (rows.length < 1000) return chained;
  }
}

/** Whether the events table has the chain column (a version-1 file opened read-only has not). */
export function hasChainColumn(db: Database.Database): boolean {
  const columns = db.prepare<[], string>("SELECT name FROM pragma_table_info('events')").pluck().all();
  return columns.includes('chain');
}
