// The embedded event store: one SQLite file via better-sqlite3.
//
// Durability: WAL journal with synchronous=FULL, so the WAL is fsynced before an append resolves and
// an acknowledged append survives SIGKILL and power loss.
// Ordering: every append runs in one BEGIN IMMEDIATE transaction, which takes SQLite's single write
// lock (waiting up to busyTimeoutMs for other processes). Inside it the next global position is
// head + 1 and the next revision is the stream's last + 1, so positions are contiguous, and since a
// reader only sees committed transactions it never sees a hole that fills later.
// Idempotency (per event, as the port says): an id already stored with the same stream, type, data and
// metadata (compared as JSON values) is skipped; the rest of the batch is appended, subject to the
// expected-revision check. A batch whose ids are all stored is a no-op returning the stored position,
// whatever the expected revision. The same id with other content, or in another stream, is an
// EventIdConflictError and nothing of the batch is written.
// AppendResult.position is the highest position among the batch's events (new or already stored).
// Hash chain (domain/chain.ts): insert() links each new event to the head's `chain` inside the same transaction,
// so the chain has exactly the order of the positions; a file of schema version 1 is chained once on open.

import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type * as Port from '../../domain/ports/event-store.ts';
import { GENESIS_HASH, linkBatch } from '../../domain/chain.ts';
import { decideAppend, sameStoredText } from './append-decision.ts';
import { CatchUpSubscription, guardedSource } from './catch-up-subscription.ts';
import { EventStoreUnavailableError } from './errors.ts';
import {
  checkReadAll,
  type PreparedEvent,
  checkReadStream,
  checkSubscribe,
  DEFAULT_MAX_EVENT_BYTES,
  prepareAppend,
  revisionMatches,
} from './event-input.ts';
import { readAllPaged } from './paged-read.ts';
import { chainEntryFromRow, recordedFromRow, type StoredEventRow } from './stored-row.ts';
import { GroupCommit } from './sqlite-group-commit.ts';
import {
  COLUMNS,
  errorMessage,
  initialise,
  LEGACY_COLUMNS,
  BASE_COLUMNS,
  openReadOnly,
  translateSqliteError,
} from './sqlite-file.ts';

export interface SqliteEventStoreOptions {
  /** How often subscriptions look for events appended by other processes, in ms. Default 50. */
  readonly pollIntervalMs?: number;
  /** Events per read page (readAll, subscriptions). Default 1000. */
  readonly pageSize?: number;
  /** How long an append waits for another process's write transaction, in ms. Default 10000. */
  readonly busyTimeoutMs?: number;
  /** Per-event limit on data + metadata JSON, in UTF-8 bytes. Default 1 MiB. */
  readonly maxEventBytes?: number;
  /** Also run SQLite's quick_check on open; it reads the whole file, so it costs time on big stores. Default false. */
  readonly integrityCheck?: boolean;
  /**
   * Open without write access (issue 18.8): read-only commands on a home the user may read but not write. The
   * file must exist and be an editledger store; appends fail with SQLITE_READONLY. Default false.
   */
  readonly readOnly?: boolean;
  /** false: append without chain links. Only for bench:ledger, which measures what the chain costs. Default true. */
  readonly chain?: boolean;
}

type EventRow = [
  position: number,
  stream: string,
  revision: number,
  id: string,
  type: string,
  data: string,
  metadata: string,
  storedAt: string,
  chain: string | null,
];
type StoredRow = [position: number, stream: string, type: string, data: string, metadata: string];

interface AppendOutcome {
  readonly result: Port.AppendResult;
  readonly appended: boolean;
}

export class SqliteEventStore implements Port.EventStore {
  private readonly subscriptions = new Set<CatchUpSubscription>();
  private readonly pageStatements = new Map<string, Database.Statement<unknown[], EventRow>>();
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly maxEventBytes: number;
  private readonly chained: boolean;
  private readonly columns: string;
  private closed = false;

  private readonly headStmt;
  private readonly tipStmt;
  private readonly lastRevisionStmt;
  private readonly insertStmt;
  private readonly byIdStmt;
  private readonly streamStmt;
  private readonly chainStmt;
  private readonly appendFast;
  private readonly appendCareful;
  private readonly group: GroupCommit;

  /** Opens (creating it and its directory if needed) the store at `path`. Throws EventStoreCorruptedError for a damaged or foreign file. */
  static open(path: string, options: SqliteEventStoreOptions = {}): SqliteEventStore {
    if (typeof path !== 'string' || path.trim() === '')
      throw new TypeError('SqliteEventStore.open: path must be a non-empty string');
    const busyTimeoutMs = options.busyTimeoutMs ?? 10_000;
    let db: Database.Database;
    try {
      if (options.readOnly === true) {
        // No directory to create, no schema to write: a missing file is an error, not a new ledger.
        if (statSync(path, { throwIfNoEntry: false }) === undefined)
          throw new EventStoreUnavailableError(`event store "${path}" does not exist (nothing recorded yet?)`);
      } else if (path !== ':memory:') {
        mkdirSync(dirname(resolve(path)), { recursive: true });
        const existing = statSync(path, { throwIfNoEntry: false });
        if (existing?.isDirectory())
          throw new EventStoreUnavailableError(`event store "${path}" is a directory, not a database file`);
      }
      db =
        options.readOnly === true ? openReadOnly(path, busyTimeoutMs) : new Database(path, { timeout: busyTimeoutMs });
    } catch (err) {
      if (err instanceof EventStoreUnavailableError) throw err;
      throw new EventStoreUnavailableError(`cannot open event store "${path}": ${errorMessage(err)}`, { cause: err });
    }
    try {
      const hasChain = initialise(db, path, options.integrityCheck ?? false, options.readOnly === true);
      return new SqliteEventStore(db, path, options, hasChain ? COLUMNS : LEGACY_COLUMNS);
    } catch (err) {
      db.close();
      throw translateSqliteError(err, path);
    }
  }

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
    options: SqliteEventStoreOptions,
    columns: string,
  ) {
    this.columns = columns;
    this.chained = options.chain ?? true;
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
    this.pageSize = options.pageSize ?? 1000;
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.headStmt = db.prepare<[], number>('SELECT COALESCE(MAX(position), 0) FROM events').pluck();
    // A version-1 file opened read-only has no chain column; it never appends, but its statements must prepare.
    const legacy = columns === LEGACY_COLUMNS;
    this.tipStmt = db
      .prepare<[], [position: number, chain: string | null]>(
        `SELECT position, ${legacy ? 'NULL' : 'chain'} FROM events ORDER BY position DESC LIMIT 1`,
      )
      .raw();
    this.lastRevisionStmt = db
      .prepare<[string], number | null>('SELECT MAX(revision) FROM events WHERE stream = ?')
      .pluck();
    this.insertStmt = db.prepare<[number, string, number, string, string, string, string, string, string | null]>(
      legacy
        ? `INSERT INTO events (${BASE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, coalesce(?8, ?9))`
        : `INSERT INTO events (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.byIdStmt = db
      .prepare<[string], StoredRow>('SELECT position, stream, type, data, metadata FROM events WHERE id = ?')
      .raw();
    this.streamStmt = db
      .prepare<[string, number, number], EventRow>(
        `SELECT ${columns} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?`,
      )
      .raw();
    this.chainStmt = db
      .prepare<[number, number], EventRow>(`SELECT ${columns} FROM events WHERE position > ? ORDER BY position LIMIT ?`)
      .raw();
    // Fast path: assume no id is stored yet; a UNIQUE(id) violation aborts it and the careful path runs.
    this.appendFast = db.transaction(
      (stream: string, events: readonly PreparedEvent[], expected: Port.ExpectedRevision): AppendOutcome => {
        const last = this.lastRevisionStmt.get(stream) ?? null;
        if (!revisionMatches(expected, last)) return this.appendCarefully(stream, events, expected, last);
        return { result: this.insert(stream, events, last), appended: true };
      },
    );
    this.appendCareful = db.transaction(
      (stream: string, events: readonly PreparedEvent[], expected: Port.ExpectedRevision): AppendOutcome =>
        this.appendCarefully(stream, events, expected, this.lastRevisionStmt.get(stream) ?? null),
    );
    this.group = new GroupCommit(
      db,
      () => {
        for (const subscription of this.subscriptions) subscription.wake();
      },
      (err) => translateSqliteError(err, this.path),
    );
  }

  // The return type is the port's (checked by `implements`).
  async append(stream: string, events: readonly Port.NewEvent[], expected: Port.ExpectedRevision) {
    this.assertOpen();
    const prepared = prepareAppend(stream, events, expected, this.maxEventBytes);
    // Concurrent appends share one transaction and one fsync (sqlite-group-commit.ts); each is its own savepoint.
    return this.group.run(() => {
      try {
        try {
          return this.appendFast(stream, prepared, expected).result;
        } catch (err) {
          if (!isUniqueIdViolation(err)) throw err;
          return this.appendCareful(stream, prepared, expected).result;
        }
      } catch (err) {
        throw translateSqliteError(err, this.path);
      }
    });
  }

  async readStream(stream: string, options: Port.ReadStreamOptions = {}): Promise<Port.RecordedEvent[]> {
    this.assertOpen();
    checkReadStream(stream, options);
    const from = options.fromRevision ?? 0;
    const rows = this.query(() => this.streamStmt.all(stream, from, options.maxCount ?? -1));
    return rows.map((row) => this.toRecorded(row));
  }

  async *readAll(options: Port.ReadAllOptions = {}): AsyncGenerator<Port.RecordedEvent> {
    this.assertOpen();
    checkReadAll(options);
    yield* readAllPaged(options, this.pageSize, this.readPage.bind(this), () => this.assertOpen());
  }

  subscribeToAll(options: Port.SubscribeOptions): Port.Subscription {
    this.assertOpen();
    checkSubscribe(options);
    const source = guardedSource(() => this.assertOpen(), {
      readHead: () => this.query(() => this.headStmt.get() ?? 0),
      readPage: this.readPage.bind(this),
    });
    const settings = { pageSize: this.pageSize, pollMs: this.pollIntervalMs };
    const subscription = new CatchUpSubscription(source, options, settings, (s) => this.subscriptions.delete(s));
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.query(() => this.headStmt.get() ?? 0);
  }

  /** The stored text, unparsed: what the chain hashed, at the speed of a table scan. */
  async readChain(after: number, maxCount: number): Promise<Port.ChainEntry[]> {
    this.assertOpen();
    const rows = this.query(() => this.chainStmt.all(after, maxCount));
    return rows.map((row) => chainEntryFromRow(rowFields(row)));
  }

  /** Stops this store's subscriptions and closes the file. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    this.db.close();
  }

  private appendCarefully(
    stream: string,
    events: readonly PreparedEvent[],
    expected: Port.ExpectedRevision,
    last: number | null,
  ): AppendOutcome {
    const decision = decideAppend(stream, events, expected, last, (event) => {
      const stored = this.byIdStmt.get(event.id);
      if (stored === undefined) return undefined;
      const [position, storedStream, type, data, metadata] = stored;
      return { position, same: sameStoredText({ stream: storedStream, type, data, metadata }, stream, event) };
    });
    if ('result' in decision) return { result: decision.result, appended: false };
    return { result: this.insert(stream, decision.fresh, last), appended: true };
  }

  private insert(stream: string, events: readonly PreparedEvent[], last: number | null): Port.AppendResult {
    const [head, headChain] = this.tipStmt.get() ?? [0, GENESIS_HASH];
    let position = head;
    let revision = last ?? -1;
    const storedAt = new Date().toISOString();
    const first = revision + 1;
    const links = this.chained
      ? linkBatch(
          headChain ?? GENESIS_HASH,
          events.map((event, i) => ({ ...event, stream, revision: first + i })),
          head + 1,
        )
      : [];
    events.forEach((event, i) => {
      position += 1;
      revision += 1;
      this.insertStmt.run(
        position,
        stream,
        revision,
        event.id,
        event.type,
        event.dataJson,
        event.metadataJson,
        storedAt,
        links[i] ?? null,
      );
    });
    return { nextExpectedRevision: revision, position };
  }

  private readPage(
    after: number,
    upTo: number,
    filter: Port.AllFilter | undefined,
    limit: number,
  ): Port.RecordedEvent[] {
    const streamPrefixes = filter?.streamPrefixes?.length ? JSON.stringify(filter.streamPrefixes) : undefined;
    const eventTypes = filter?.eventTypes?.length ? JSON.stringify(filter.eventTypes) : undefined;
    const statement = this.pageStatement(streamPrefixes !== undefined, eventTypes !== undefined);
    const params: unknown[] = [after, upTo];
    if (streamPrefixes !== undefined) params.push(streamPrefixes);
    if (eventTypes !== undefined) params.push(eventTypes);
    params.push(limit);
    const rows = this.query(() => statement.all(...params));
    return rows.map((row) => this.toRecorded(row));
  }

  private pageStatement(byStream: boolean, byType: boolean): Database.Statement<unknown[], EventRow> {
    const key = `${byStream}/${byType}`;
    let statement = this.pageStatements.get(key);
    if (!statement) {
      const where = ['position > ?', 'position <= ?'];
      if (byStream)
        where.push('EXISTS (SELECT 1 FROM json_each(?) AS p WHERE substr(stream, 1, length(p.value)) = p.value)');
      if (byType) where.push('type IN (SELECT value FROM json_each(?))');
      statement = this.db
        .prepare<unknown[], EventRow>(
          `SELECT ${this.columns} FROM events WHERE ${where.join(' AND ')} ORDER BY position LIMIT ?`,
        )
        .raw();
      this.pageStatements.set(key, statement);
    }
    return statement;
  }

  private toRecorded(row: EventRow): Port.RecordedEvent {
    return recordedFromRow(rowFields(row), this.path);
  }

  private query<T>(run: () => T): T {
    try {
      return run();
    } catch (err) {
      throw translateSqliteError(err, this.path);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError(`event store "${this.path}" is closed`);
  }
}

function isUniqueIdViolation(err: unknown): boolean {
  return (
    err instanceof Database.SqliteError && err.code === 'SQLITE_CONSTRAINT_UNIQUE' && err.message.includes('events.id')
  );
}

function rowFields(row: EventRow): StoredEventRow {
  const [position, stream, revision, id, type, data, metadata, storedAt, chain] = row;
  return { position, stream, revision, id, type, data, metadata, storedAt, chain };
}
