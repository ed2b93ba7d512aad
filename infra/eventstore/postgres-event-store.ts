// The event store on a PostgreSQL server (selected by EDITLEDGER_STORE / DATABASE_URL = postgres://...).
//
// Appends (postgres-append.ts) run one at a time under a transaction-level advisory lock, so positions
// are contiguous and commit in order: a reader never sees a hole that fills later.
// Idempotency and expected revisions follow domain/ports/event-store.ts exactly as the SQLite store does.
// Migrations (postgres-schema.ts) are versioned and run when a store is opened.
// Subscriptions wake on LISTEN/NOTIFY: the append's pg_notify is delivered when it commits.
// Durability is the server's: with its default synchronous_commit=on an acknowledged append is on disk.

import pg from 'pg';
import type * as Port from '../../domain/ports/event-store.ts';
import { CatchUpSubscription, guardedSource } from './catch-up-subscription.ts';
import { EventStoreUnavailableError, InvalidEventError } from './errors.ts';
import {
  checkReadAll,
  checkReadStream,
  checkSubscribe,
  DEFAULT_MAX_EVENT_BYTES,
  prepareAppend,
} from './event-input.ts';
import { appendPrepared } from './postgres-append.ts';
import { redactUrl, translatePgError } from './postgres-errors.ts';
import { NOTIFY_CHANNEL, migrate } from './postgres-schema.ts';
import { readAllPaged } from './paged-read.ts';
import { chainEntryFromRow, recordedFromRow, type StoredEventText } from './stored-row.ts';

export interface PostgresEventStoreOptions {
  /** Connections in the pool. Default 10. */
  readonly poolSize?: number;
  /** Events per read page (readAll, subscriptions). Default 1000. */
  readonly pageSize?: number;
  /** Per-event limit on data + metadata JSON, in UTF-8 bytes. Default 1 MiB (as the other stores). */
  readonly maxEventBytes?: number;
  /** How long to wait for a connection, in ms. Default 10000. */
  readonly connectTimeoutMs?: number;
  /** Subscriptions re-read this often even without a notification, in ms. Default 2000. */
  readonly fallbackPollMs?: number;
  /** How long a subscription keeps retrying while the server is unreachable, in ms. Default 60000. */
  readonly subscriptionRetryMs?: number;
}

const COLUMNS =
  'position, stream, revision, id, type, data::text AS data, metadata::text AS metadata, recorded_at, chain';
const TABLE = 'editledger_events';

/** A row as pg returns it: bigint positions come back as text (they stay far below 2^53). */
interface EventRow extends StoredEventText<string> {
  recorded_at: Date;
  chain: string | null;
}
export class PostgresEventStore implements Port.EventStore {
  private readonly subscriptions = new Set<CatchUpSubscription>();
  private readonly pageSize: number;
  private readonly maxEventBytes: number;
  private listener: pg.Client | undefined;
  private listenerStarting = false;
  private listenerRetry: NodeJS.Timeout | undefined;
  private closed = false;

  /** Connects, runs pending migrations, and returns the store; a clear EventStoreUnavailableError if the server cannot be used. */
  static async open(url: string, options: PostgresEventStoreOptions = {}): Promise<PostgresEventStore> {
    if (typeof url !== 'string' || !/^postgres(ql)?:\/\//i.test(url.trim()))
      throw new TypeError('PostgresEventStore.open: url must start with postgres:// or postgresql://');
    const where = redactUrl(url.trim());
    const config: pg.ClientConfig = {
      connectionString: url.trim(),
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      application_name: 'editledger',
    };
    const pool = new pg.Pool({ ...config, max: options.poolSize ?? 10 });
    // An idle client whose server went away emits here; the pool drops it and the next query reconnects.
    pool.on('error', () => undefined);
    // A checked-out client also emits 'error' when its socket closes between two queries (the pool only
    // listens while it is idle); the failure reaches us through the next query, so the event itself is ignored.
    pool.on('connect', (client) => client.on('error', () => undefined));
    try {
      const client = await pool.connect();
      try {
        await migrate(client, where);
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw translatePgError(err, where);
    }
    return new PostgresEventStore(pool, config, where, options);
  }

  private constructor(
    private readonly pool: pg.Pool,
    private readonly clientConfig: pg.ClientConfig,
    /** The URL without its password, for messages. */
    readonly where: string,
    private readonly options: PostgresEventStoreOptions,
  ) {
    this.pageSize = options.pageSize ?? 1000;
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  }

  // The return type is the port's (checked by `implements`).
  async append(stream: string, events: readonly Port.NewEvent[], expected: Port.ExpectedRevision) {
    this.assertOpen();
    const prepared = prepareAppend(stream, events, expected, this.maxEventBytes);
    return appendPrepared({ pool: this.pool, where: this.where }, stream, prepared, expected);
  }

  async readStream(stream: string, options: Port.ReadStreamOptions = {}): Promise<Port.RecordedEvent[]> {
    this.assertOpen();
    checkReadStream(stream, options);
    const from = options.fromRevision ?? 0;
    if (stream.includes('\u0000')) return [];
    const rows = await this.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${TABLE} WHERE stream = $1 AND revision >= $2 ORDER BY revision LIMIT $3`,
      [stream, from, options.maxCount ?? null],
    );
    return rows.map((row) => this.toRecorded(row));
  }

  async *readAll(options: Port.ReadAllOptions = {}): AsyncGenerator<Port.RecordedEvent> {
    this.assertOpen();
    checkReadAll(options);
    checkFilterStorable(options.filter);
    yield* readAllPaged(options, this.pageSize, this.readPage.bind(this), () => this.assertOpen());
  }

  subscribeToAll(options: Port.SubscribeOptions): Port.Subscription {
    this.assertOpen();
    checkSubscribe(options);
    checkFilterStorable(options.filter);
    const source = guardedSource(() => this.assertOpen(), {
      readHead: () => this.headPosition(),
      readPage: this.readPage.bind(this),
      isTransient: (error: unknown) => error instanceof EventStoreUnavailableError && !this.closed,
    });
    const settings = {
      pageSize: this.pageSize,
      pollMs: this.options.fallbackPollMs ?? 2000,
      retryForMs: this.options.subscriptionRetryMs ?? 60_000,
    };
    const subscription = new CatchUpSubscription(source, options, settings, (s) => this.subscriptions.delete(s));
    this.subscriptions.add(subscription);
    this.startListener();
    return subscription;
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    const rows = await this.query<{ head: string }>(`SELECT COALESCE(max(position), 0) AS head FROM ${TABLE}`, []);
    return Number(rows[0]?.head ?? 0);
  }

  /** The stored JSON text, unparsed (`json` keeps it as written): what the chain hashed. */
  async readChain(after: number, maxCount: number): Promise<Port.ChainEntry[]> {
    this.assertOpen();
    const rows = await this.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${TABLE} WHERE position > $1 ORDER BY position LIMIT $2`,
      [after, maxCount],
    );
    return rows.map((row) => chainEntryFromRow({ ...row, position: Number(row.position) }));
  }

  /** Stops this store's subscriptions, the listener and the pool. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.listenerRetry);
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    const listener = this.listener;
    this.listener = undefined;
    await Promise.all([listener?.end().catch(() => undefined), this.pool.end().catch(() => undefined)]);
  }

  private async readPage(
    after: number,
    upTo: number,
    filter: Port.AllFilter | undefined,
    limit: number,
  ): Promise<Port.RecordedEvent[]> {
    const params: unknown[] = [after, upTo];
    const where = ['position > $1', 'position <= $2'];
    if (filter?.streamPrefixes?.length) {
      params.push(filter.streamPrefixes);
      where.push(`EXISTS (SELECT 1 FROM unnest($${params.length}::text[]) AS p WHERE starts_with(stream, p))`);
    }
    if (filter?.eventTypes?.length) {
      params.push(filter.eventTypes);
      where.push(`type = ANY($${params.length}::text[])`);
    }
    params.push(limit);
    const rows = await this.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${TABLE} WHERE ${where.join(' AND ')} ORDER BY position LIMIT $${params.length}`,
      params,
    );
    return rows.map((row) => this.toRecorded(row));
  }

  private async query<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (err) {
      throw translatePgError(err, this.where);
    }
  }

  /** One connection LISTENs for the whole store and wakes every subscription; it reconnects if it drops. */
  private startListener(): void {
    if (this.listener || this.listenerStarting || this.closed) return;
    this.listenerStarting = true;
    const client = new pg.Client(this.clientConfig);
    const drop = (): void => {
      if (this.listener === client) this.listener = undefined;
      client.end().catch(() => undefined);
      if (!this.closed && this.subscriptions.size > 0 && !this.listenerStarting) {
        clearTimeout(this.listenerRetry);
        this.listenerRetry = setTimeout(() => this.startListener(), 250);
      }
    };
    client.on('notification', () => this.wakeAll());
    client.on('error', drop);
    client.on('end', drop);
    client
      .connect()
      .then(() => client.query(`LISTEN ${NOTIFY_CHANNEL}`))
      .then(
        () => {
          this.listenerStarting = false;
          if (this.closed) return void client.end().catch(() => undefined);
          this.listener = client;
          this.wakeAll(); // anything appended before LISTEN took effect carried no notification for us
        },
        () => {
          this.listenerStarting = false;
          drop();
        },
      );
  }

  private wakeAll(): void {
    for (const subscription of this.subscriptions) subscription.wake();
  }

  private toRecorded(row: EventRow): Port.RecordedEvent {
    const { recorded_at: storedAt, ...stored } = row;
    return recordedFromRow({ ...stored, position: Number(row.position), storedAt: storedAt.toISOString() }, this.where);
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError(`event store at ${this.where} is closed`);
  }
}

/** PostgreSQL text cannot hold U+0000, so a filter with one could never match and the query would fail: say so. */
function checkFilterStorable(filter: Port.AllFilter | undefined): void {
  for (const key of ['streamPrefixes', 'eventTypes'] as const) {
    filter?.[key]?.forEach((value, i) => {
      if (value.includes('\u0000'))
        throw new InvalidEventError(`filter.${key}[${i}]`, 'contains U+0000, which PostgreSQL text cannot store');
    });
  }
}
