// The hash chain (domain/chain.ts) for rows a PostgreSQL store held before migration 3: chained once, in position
// order, inside the migration's transaction, which holds the append lock (postgres-schema.ts), so no append interleaves.
import type pg from 'pg';
import { chainLink, eventDigest, GENESIS_HASH } from '../../domain/chain.ts';
import type { JsonValue } from '../../domain/ports/event-store.ts';
import type { StoredEventText } from './stored-row.ts';

const PAGE = 1000;

/** The text a reader will hash again: JSON.stringify of the parsed value (the stored text itself for our rows). */
function restringified(text: string): string {
  return JSON.stringify(JSON.parse(text) as JsonValue);
}

export async function backfillChain(client: pg.ClientBase): Promise<void> {
  let prev = GENESIS_HASH;
  let after = 0;
  for (;;) {
    const { rows } = await client.query<StoredEventText<string>>(
      `SELECT position, stream, revision, id, type, data::text AS data, metadata::text AS metadata
       FROM editledger_events WHERE position > $1 ORDER BY position LIMIT ${PAGE}`,
      [after],
    );
    const positions: number[] = [];
    const chains: string[] = [];
    for (const row of rows) {
      const digest = eventDigest({
        id: row.id,
        stream: row.stream,
        type: row.type,
        dataJson: restringified(row.data),
        metadataJson: restringified(row.metadata),
      });
      after = Number(row.position);
      prev = chainLink(prev, after, row.revision, digest);
      positions.push(after);
      chains.push(prev);
    }
    if (positions.length > 0)
      await client.query(
        'UPDATE editledger_events e SET chain = u.chain FROM unnest($1::bigint[], $2::text[]) AS u(position, chain) WHERE e.position = u.position',
        [positions, chains],
      );
    if (rows.length < PAGE) return;
  }
}
