// "The edit set at head of N events" on PostgreSQL next to SQLite, in the same run (part of bench:store).
//
// The ledger is the one bench/edit-set.bench.ts builds (buildLedger: a seeded EditSubmitted / EditRetracted /
// EditSuperseded mix through the real decider over N/10 fact streams), written once into a SQLite store and
// then copied event for event (same ids, types, JSON, order; 1000 per append, one append in flight) into a
// fresh PostgreSQL database, so both stores hold the same ledger. On each store we then time
//   catch-up   an empty EditIndex (':memory:') caught up from the store: reading every edit event, folding it
//   editSetAt  editSetAt(head) on that caught-up index, best of `repeats`
// Both indexes must agree on the editSetHash. editSetAt reads only the index, so its two sides should match:
// the row shows that the PostgreSQL path changes nothing once the index has caught up.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore, NewEvent } from '../../domain/ports/event-store.ts';
import { PostgresEventStore } from '../../infra/eventstore/postgres-event-store.ts';
import { SqliteEventStore } from '../../infra/eventstore/sqlite-event-store.ts';
import { EditIndex } from '../../infra/readmodel/edit-index.ts';
import { buildLedger } from '../edit-set.bench.ts';
import type { BenchPostgres } from './bench-postgres.ts';

export interface StoreSide {
  /** Events per second caught up into an empty index. */
  readonly catchUpRate: number;
  /** Best editSetAt(head) in milliseconds. */
  readonly editSetMs: number;
  readonly head: number;
  readonly active: number;
  readonly hash: string;
}

export interface EditSetAtHead {
  readonly events: number;
  readonly sqlite: StoreSide;
  /** The PostgreSQL side, or why it is missing. */
  readonly postgres: (StoreSide & { readonly copyRate: number; readonly copySeconds: number }) | string;
}

/** Appends every event of `from` to `to` in position order, same stream, up to `batch` per append. */
async function copyLedger(from: EventStore, to: EventStore, batch: number): Promise<number> {
  let stream = '';
  let pending: NewEvent[] = [];
  let inflight: Promise<unknown> = Promise.resolve();
  let copied = 0;
  const flush = async (): Promise<void> => {
    await inflight; // one append at a time keeps the global order; reading the next batch overlaps it
    const group = pending;
    inflight = to.append(stream, group, 'any');
    copied += group.length;
    pending = [];
  };
  for await (const e of from.readAll()) {
    if (pending.length >= batch || (pending.length > 0 && e.stream !== stream)) await flush();
    stream = e.stream;
    pending.push({ id: e.id, type: e.type, data: e.data, metadata: e.metadata });
  }
  if (pending.length > 0) await flush();
  await inflight;
  return copied;
}

async function measure(store: EventStore, repeats: number): Promise<StoreSide> {
  const index = EditIndex.open(':memory:');
  try {
    const started = performance.now();
    const { cursor } = await index.catchUp(store);
    const catchUpSeconds = (performance.now() - started) / 1000;
    let editSetMs = Infinity;
    let set = index.editSetAt(cursor);
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      set = index.editSetAt(cursor);
      editSetMs = Math.min(editSetMs, performance.now() - t);
    }
    return {
      catchUpRate: cursor / catchUpSeconds,
      editSetMs,
      head: cursor,
      active: set.edits.length,
      hash: set.editSetHash,
    };
  } finally {
    index.close();
  }
}

export async function benchEditSetAtHead(
  events: number,
  repeats: number,
  postgres: BenchPostgres | string,
): Promise<EditSetAtHead> {
  const dir = mkdtempSync(join(tmpdir(), 'editledger-bench-pg-editset-'));
  try {
    const path = join(dir, 'ledger.db');
    await buildLedger(path, events);
    const sqliteStore = SqliteEventStore.open(path);
    try {
      const sqlite = await measure(sqliteStore, repeats);
      if (typeof postgres === 'string') return { events: sqlite.head, sqlite, postgres };
      const pgSide = await postgres.withDatabase(async (url) => {
        const pgStore = await PostgresEventStore.open(url);
        try {
          const started = performance.now();
          const copied = await copyLedger(sqliteStore, pgStore, 1000);
          const copySeconds = (performance.now() - started) / 1000;
          process.stderr.write(`PostgreSQL: copied ${copied} events in ${copySeconds.toFixed(1)} s\n`);
          return { ...(await measure(pgStore, repeats)), copyRate: copied / copySeconds, copySeconds };
        } finally {
          await pgStore.close();
        }
      });
      if (pgSide.hash !== sqlite.hash || pgSide.head !== sqlite.head)
        throw new Error(
          `edit set at head differs: SQLite P=${sqlite.head} ${sqlite.hash}, PostgreSQL P=${pgSide.head} ${pgSide.hash}`,
        );
      return { events: sqlite.head, sqlite, postgres: pgSide };
    } finally {
      await sqliteStore.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
