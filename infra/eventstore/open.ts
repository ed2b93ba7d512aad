// Picks the event store: PostgreSQL when a postgres:// URL is configured (the caller reads
// EDITLEDGER_STORE / DATABASE_URL), else EventStoreDB/KurrentDB when its URL is configured (EVENTSTORE_URL),
// otherwise the embedded SQLite file. The server clients (pg; gRPC, protobuf) are loaded only when used,
// so the default path starts fast.

import type { ChainScope } from '../../domain/chain.ts';
import type { EventStore } from '../../domain/ports/event-store.ts';
import { EventStoreUnavailableError } from './errors.ts';

export interface EventStoreConfig {
  /** e.g. esdb://localhost:2113?tls=false; empty or missing selects SQLite. */
  readonly eventstoreUrl?: string;
  /** e.g. postgres://user:pass@localhost:5432/editledger; takes precedence over eventstoreUrl. */
  readonly postgresUrl?: string;
  /** The SQLite file, e.g. ./.editledger/ledger.db (its directory is created). */
  readonly sqlitePath: string;
}

/**
 * How the store that `openEventStore` picks chains its events: EventStoreDB per stream (its positions are known only
 * after the write, see esdb-event-store.ts), the other stores over $all.
 */
export function chainScopeOf(config: EventStoreConfig): ChainScope {
  return !config.postgresUrl?.trim() && config.eventstoreUrl?.trim() ? 'stream' : 'all';
}

/** How long openEventStore waits for a server (EventStoreDB, PostgreSQL) to answer before giving up with a clear error. */
const CONNECT_TIMEOUT_MS = 10_000;

export async function openEventStore(config: EventStoreConfig): Promise<EventStore> {
  const postgresUrl = config.postgresUrl?.trim();
  if (postgresUrl) {
    const { PostgresEventStore } = await import('./postgres-event-store.ts');
    // open() connects and migrates, so a wrong URL or a server that is down fails here, within the connect timeout.
    return PostgresEventStore.open(postgresUrl, { connectTimeoutMs: CONNECT_TIMEOUT_MS });
  }
  const url = config.eventstoreUrl?.trim();
  if (!url) {
    const { SqliteEventStore } = await import('./sqlite-event-store.ts');
    return SqliteEventStore.open(config.sqlitePath);
  }
  const { EsdbEventStore } = await import('./esdb-event-store.ts');
  const store = EsdbEventStore.connect(url);
  // The client connects lazily; ask for the head now so a wrong URL fails here, not mid-command.
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new EventStoreUnavailableError(
            `EventStoreDB at ${store.url} did not answer within ${CONNECT_TIMEOUT_MS / 1000} s (is it running? see docker-compose.yml)`,
          ),
        ),
      CONNECT_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([store.headPosition(), timeout]);
    return store;
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
