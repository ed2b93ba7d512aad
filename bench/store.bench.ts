// Event-store speed (npm run bench:store; also part of npm run bench:ledger): the SQLite event store
// next to a raw better-sqlite3 loop doing the same work with the same durability, in the same run.
//
//   single appends   one edit-sized event per durable transaction (each one fsyncs the WAL)
//   batched appends  BATCH events per durable transaction
//   $all read+fold   read every event in position order, parse data and metadata, fold them
//
// The raw baseline writes the same rows (same table, same unique indexes, same JSON text) in
// BEGIN IMMEDIATE transactions on a WAL + synchronous=FULL file, keeping revisions and positions in
// memory; the store additionally validates input, checks the expected revision and looks up its head.
// Appends alternate call by call between the two sides (fresh files in a temp dir), so both see the same
// disk; reads alternate whole passes, best of BENCH_REPEATS.
//
// PostgreSQL column: the same single and batched appends on the PostgreSQL store next to raw INSERTs of
// the same rows into a table of the same shape (same constraints and unique indexes, same JSON), one
// autocommit statement per append (so one durable commit each, as the store's), alternating call by call
// on the same server. The server is BENCH_POSTGRES_URL when set (each run uses a fresh database on it,
// dropped afterwards), else a throwaway one started like the tests' (tests/helpers/postgres-server.ts);
// with neither, the column says why it was skipped. The edit set at head of BENCH_EDITSET_EVENTS: PostgreSQL
// next to SQLite on the same ledger (bench/helpers/edit-set-at-head.ts); `--edit-set-only` runs just those rows.
//
// Environment: BENCH_SINGLE=500, BENCH_BATCHED=20000, BENCH_BATCH=100, BENCH_READ=100000, BENCH_REPEATS=3,
// BENCH_EDITSET_EVENTS=1000000, BENCH_POSTGRES_URL (optional).

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { JsonValue, NewEvent } from '../domain/ports/event-store.ts';
import { PostgresEventStore } from '../infra/eventstore/postgres-event-store.ts';
import { SqliteEventStore } from '../infra/eventstore/sqlite-event-store.ts';
import { openBenchPostgres, type BenchPostgres } from './helpers/bench-postgres.ts';
import { benchEditSetAtHead, type EditSetAtHead, type StoreSide } from './helpers/edit-set-at-head.ts';
import { envInt, markdownTable } from './table.ts';
import type { BenchRow } from './table.ts';

/** The SQLite measurement, plus the PostgreSQL one for the append rows (events/s; a string says why it is missing). */
export type Row = BenchRow & {
  readonly postgres?: { readonly store: number; readonly raw: number } | string;
  /** 'sqlite': the row has no raw baseline; its PostgreSQL cell compares against the SQLite store (postgres.raw). */
  readonly baseline?: 'sqlite';
};

const STREAMS = 50;

/** An event shaped like an EditSubmitted with its metadata (~700 bytes of JSON). */
function editEvent(i: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'EditSubmitted',
    data: {
      schemaVersion: 1,
      editId: randomUUID(),
      factKey: `person:${i}:employer`,
      prompt: `The employer of person number ${i} is`,
      target: `Company ${i % 977}`,
      subject: `Person ${i}`,
      rephrasePrompts: [`Person ${i} works for`, `Who employs person ${i}? The answer is`],
      localityProbes: [{ prompt: `The capital of country ${i % 191} is`, expected: `City ${i % 191}` }],
      source: { system: 'bench', ref: `bench-${i}` },
      submittedBy: 'bench',
      reason: 'benchmark correction',
    },
    metadata: {
      actor: 'bench',
      channel: 'bench',
      correlationId: randomUUID(),
      causationId: randomUUID(),
      recordedAt: '2024-06-07T12:00:00.000Z',
    },
  };
}

/** The raw baseline: the store's table on a durable WAL file, written with prepared inserts. */
class RawLoop {
  readonly db: Database.Database;
  private readonly insert;
  private position = 0;
  private readonly revisions = new Map<string, number>();

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE events (position INTEGER PRIMARY KEY, stream TEXT NOT NULL, revision INTEGER NOT NULL, id TEXT NOT NULL,
        type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at TEXT NOT NULL) STRICT;
      CREATE UNIQUE INDEX events_by_stream ON events (stream, revision);
      CREATE UNIQUE INDEX events_by_id ON events (id);`);
    this.insert = this.db.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  }

  readonly append = (stream: string, events: readonly NewEvent[]): void => {
    this.db
      .transaction(() => {
        const recordedAt = new Date().toISOString();
        let revision = this.revisions.get(stream) ?? -1;
        for (const e of events) {
          revision += 1;
          this.position += 1;
          this.insert.run(
            this.position,
            stream,
            revision,
            e.id,
            e.type,
            JSON.stringify(e.data),
            JSON.stringify(e.metadata),
            recordedAt,
          );
        }
        this.revisions.set(stream, revision);
      })
      .immediate();
  };
}

interface Fold {
  count: number;
  byType: Map<string, number>;
  chars: number;
}

function foldEvent(fold: Fold, type: string, data: JsonValue, metadata: JsonValue): void {
  fold.count += 1;
  fold.byType.set(type, (fold.byType.get(type) ?? 0) + 1);
  fold.chars +=
    ((data as { prompt?: string }).prompt?.length ?? 0) + ((metadata as { actor?: string }).actor?.length ?? 0);
}

async function timed(run: () => Promise<void> | void): Promise<number> {
  const start = performance.now();
  await run();
  return (performance.now() - start) / 1000;
}

function batches(total: number, size: number): NewEvent[][] {
  const out: NewEvent[][] = [];
  for (let i = 0; i < total; i += size)
    out.push(Array.from({ length: Math.min(size, total - i) }, (_, k) => editEvent(i + k)));
  return out;
}

type AppendFn = (stream: string, group: readonly NewEvent[]) => Promise<void> | void;

/**
 * Runs the same appends on both sides, alternating call by call (and which side goes first), so both
 * see the same disk: fsync latency on a shared machine drifts far more than the two sides differ.
 */
async function interleave(
  groups: readonly NewEvent[][],
  raw: AppendFn,
  store: AppendFn,
): Promise<{ store: number; raw: number }> {
  let rawSeconds = 0;
  let storeSeconds = 0;
  for (let i = 0; i < groups.length; i++) {
    const stream = `edit-${i % STREAMS}`;
    const group = groups[i]!;
    const runRaw = async (): Promise<void> => void (rawSeconds += await timed(() => raw(stream, group)));
    const runStore = async (): Promise<void> => void (storeSeconds += await timed(() => store(stream, group)));
    if (i % 2 === 0) {
      await runRaw();
      await runStore();
    } else {
      await runStore();
      await runRaw();
    }
  }
  const events = groups.reduce((n, g) => n + g.length, 0);
  return { store: events / storeSeconds, raw: events / rawSeconds };
}

async function interleavedAppends(
  rawPath: string,
  storePath: string,
  groups: readonly NewEvent[][],
): Promise<{ store: number; raw: number }> {
  const raw = new RawLoop(rawPath);
  const store = SqliteEventStore.open(storePath);
  try {
    return await interleave(
      groups,
      raw.append,
      async (stream, group) => void (await store.append(stream, group, 'any')),
    );
  } finally {
    raw.db.close();
    await store.close();
  }
}

/** The PostgreSQL baseline: the store's table shape, rows written by one autocommit INSERT per append. */
class PgRawLoop {
  private position = 0;
  private readonly revisions = new Map<string, number>();

  constructor(readonly client: pg.Client) {}

  async init(): Promise<void> {
    await this.client.query(`CREATE TABLE raw_events (position bigint PRIMARY KEY CHECK (position > 0),
      stream text NOT NULL, revision integer NOT NULL CHECK (revision >= 0), id uuid NOT NULL UNIQUE, type text NOT NULL,
      data json NOT NULL, metadata json NOT NULL, recorded_at timestamptz NOT NULL, UNIQUE (stream, revision))`);
  }

  readonly append = async (stream: string, events: readonly NewEvent[]): Promise<void> => {
    const first = this.revisions.get(stream) ?? -1;
    const columns = [[], [], [], [], [], []] as [number[], number[], string[], string[], string[], string[]];
    events.forEach((e, k) => {
      columns[0].push(this.position + k + 1);
      columns[1].push(first + k + 1);
      columns[2].push(e.id);
      columns[3].push(e.type);
      columns[4].push(JSON.stringify(e.data));
      columns[5].push(JSON.stringify(e.metadata));
    });
    await this.client.query(
      `INSERT INTO raw_events SELECT p, $1, r, id, t, d::json, m::json, statement_timestamp()
       FROM unnest($2::bigint[], $3::int[], $4::uuid[], $5::text[], $6::text[], $7::text[]) AS x(p, r, id, t, d, m)`,
      [stream, ...columns],
    );
    this.position += events.length;
    this.revisions.set(stream, first + events.length);
  };
}

/** Single and batched appends on the PostgreSQL store vs raw INSERTs, each in a fresh database. */
async function benchPostgres(
  server: BenchPostgres,
  single: number,
  batched: number,
  batchSize: number,
): Promise<{ single: { store: number; raw: number }; batched: { store: number; raw: number } }> {
  const run = (groups: readonly NewEvent[][]): Promise<{ store: number; raw: number }> =>
    server.withDatabase(async (url) => {
      const store = await PostgresEventStore.open(url);
      const client = new pg.Client({ connectionString: url });
      try {
        await client.connect();
        const raw = new PgRawLoop(client);
        await raw.init();
        return await interleave(
          groups,
          raw.append,
          async (stream, group) => void (await store.append(stream, group, 'any')),
        );
      } finally {
        await Promise.all([store.close(), client.end()]);
      }
    });
  return { single: await run(batches(single, 1)), batched: await run(batches(batched, batchSize)) };
}

/** The edit-set rows: SQLite in the editledger column, PostgreSQL next to it (`baseline: 'sqlite'`). */
function editSetRows({ events, sqlite, postgres }: EditSetAtHead): Row[] {
  const en = (x: number): string => Math.round(x).toLocaleString('en-US');
  const built = typeof postgres === 'string' ? '' : `; built by ${en(postgres.copyRate)} events/s appends`;
  const row = (metric: string, unit: string, pick: (side: StoreSide) => number): Row => ({
    metric,
    unit,
    editledger: pick(sqlite),
    raw: Number.NaN,
    ratio: Number.NaN,
    postgres: typeof postgres === 'string' ? postgres : { store: pick(postgres), raw: pick(sqlite) },
    baseline: 'sqlite',
  });
  return [
    row(
      `edit index catch-up from the store, empty to head (${en(events)} events${built})`,
      'events/s',
      (s) => s.catchUpRate,
    ),
    row(
      `the edit set at head of ${en(events)} events (P=${en(events)}, ${en(sqlite.active)} active)`,
      'ms',
      (s) => s.editSetMs,
    ),
  ];
}

/** The append and read rows (SQLite, and PostgreSQL on `server` when there is one). */
async function benchAppendsAndReads(server: BenchPostgres | string): Promise<Row[]> {
  const single = envInt('BENCH_SINGLE', 500);
  const batched = envInt('BENCH_BATCHED', 20_000);
  const batchSize = envInt('BENCH_BATCH', 100);
  const readCount = envInt('BENCH_READ', 100_000);
  const repeats = envInt('BENCH_REPEATS', 3);
  const dir = mkdtempSync(join(tmpdir(), 'editledger-bench-store-'));
  let file = 0;
  const fresh = (): string => join(dir, `${file++}.db`);
  const best = { single: [0, 0], batched: [0, 0], read: [0, 0] };
  try {
    const singles = await interleavedAppends(fresh(), fresh(), batches(single, 1));
    best.single = [singles.store, singles.raw];
    const grouped = await interleavedAppends(fresh(), fresh(), batches(batched, batchSize));
    best.batched = [grouped.store, grouped.raw];

    // $all read + fold over one store file with readCount events, read by each side in turn (best of REPEATS).
    const path = fresh();
    const writer = SqliteEventStore.open(path);
    for (let i = 0; i < readCount; i += 1000) {
      await writer.append(`edit-${(i / 1000) % STREAMS}`, batches(Math.min(1000, readCount - i), 1000)[0]!, 'any');
    }
    await writer.close();
    const check: number[] = [];
    for (let rep = 0; rep < repeats; rep++) {
      const rawDb = new Database(path, { readonly: true });
      const rawFold: Fold = { count: 0, byType: new Map(), chars: 0 };
      const rawRead = await timed(() => {
        const rows = rawDb
          .prepare(
            'SELECT position, stream, revision, id, type, data, metadata, recorded_at FROM events ORDER BY position',
          )
          .raw();
        for (const row of rows.iterate() as IterableIterator<
          [number, string, number, string, string, string, string, string]
        >) {
          foldEvent(rawFold, row[4], JSON.parse(row[5]) as JsonValue, JSON.parse(row[6]) as JsonValue);
        }
      });
      rawDb.close();
      const store = SqliteEventStore.open(path);
      const storeFold: Fold = { count: 0, byType: new Map(), chars: 0 };
      const storeRead = await timed(async () => {
        for await (const e of store.readAll()) foldEvent(storeFold, e.type, e.data, e.metadata);
      });
      await store.close();
      check.push(rawFold.chars - storeFold.chars, rawFold.count - storeFold.count);
      best.read = [Math.max(best.read[0]!, readCount / storeRead), Math.max(best.read[1]!, readCount / rawRead)];
    }
    if (check.some((d) => d !== 0)) throw new Error('the store and the raw loop folded different results');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const postgres = typeof server === 'string' ? server : await benchPostgres(server, single, batched, batchSize);
  const row = (metric: string, [ours, raw]: number[], target?: string, pgSide?: Row['postgres']): Row => ({
    metric,
    unit: 'events/s',
    editledger: ours ?? 0,
    raw: raw ?? 0,
    ratio: (ours ?? 0) / (raw ?? 1),
    target,
    postgres: pgSide,
  });
  const pgOf = (key: 'single' | 'batched'): Row['postgres'] =>
    typeof postgres === 'string' ? postgres : postgres[key];
  return [
    row(`durable single appends (${single} x 1 event)`, best.single, '>= 0.8x', pgOf('single')),
    row(`batched appends (${batched} events, ${batchSize}/batch)`, best.batched, '>= 0.8x', pgOf('batched')),
    row(`$all read + fold (${readCount} events)`, best.read, undefined, 'not measured'),
  ];
}

/** Every row of bench:store; `editSetOnly` measures just the edit set at head (the slow one to set up). */
export async function benchStore(options: { editSetOnly?: boolean } = {}): Promise<Row[]> {
  const server = await openBenchPostgres();
  if (typeof server === 'string') process.stderr.write(`PostgreSQL column ${server}\n`);
  try {
    const rows = options.editSetOnly ? [] : await benchAppendsAndReads(server);
    const editSet = await benchEditSetAtHead(
      envInt('BENCH_EDITSET_EVENTS', 1_000_000),
      envInt('BENCH_REPEATS', 3),
      server,
    );
    return [...rows, ...editSetRows(editSet)];
  } finally {
    if (typeof server !== 'string') await server.close();
  }
}

export function formatStoreTable(rows: readonly Row[]): string {
  const header = ['metric', 'editledger', 'raw better-sqlite3', 'ratio', 'target', 'PostgreSQL store / raw pg INSERT'];
  const rate = (n: number, unit: string): string =>
    `${n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1)} ${unit}`;
  // Ratios read "higher is better" whatever the unit: a time (ms) is divided the other way round.
  const better = (ours: number, base: number, unit: string): string =>
    `${(unit === 'ms' ? base / ours : ours / base).toFixed(2)}x`;
  const cells = rows.map((r) => [
    r.metric,
    rate(r.editledger, r.unit),
    r.baseline === 'sqlite' ? 'n/a (PostgreSQL vs SQLite ->)' : rate(r.raw, r.unit),
    r.baseline === 'sqlite' ? '' : `${r.ratio.toFixed(2)}x`,
    r.target ? `${r.target} ${r.ratio >= 0.8 ? 'ok' : 'MISSED'}` : '',
    r.postgres === undefined || typeof r.postgres === 'string'
      ? (r.postgres ?? '')
      : `${rate(r.postgres.store, r.unit)} / ${r.baseline === 'sqlite' ? 'SQLite ' : ''}${rate(r.postgres.raw, r.unit)} = ${better(r.postgres.store, r.postgres.raw, r.unit)}`,
  ]);
  return markdownTable(header, cells);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(
    'event store: SQLite (WAL, synchronous=FULL) vs a raw better-sqlite3 loop with the same durability;' +
      ' PostgreSQL (synchronous_commit=on) vs raw INSERTs of the same rows\n',
  );
  console.log(formatStoreTable(await benchStore({ editSetOnly: process.argv.includes('--edit-set-only') })));
}
