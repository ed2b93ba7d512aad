// Picks the event store: EventStoreDB/KurrentDB when a URL is configured (the caller reads
// EVENTSTORE_URL), otherwise the embedded SQLite file. The EventStoreDB client (gRPC, protobuf) is
// loaded only when it is used, so the default path starts fast.

import type { EventStore } from '../../domain/ports/event-store.ts';
import { EventStoreUnavailableError } from './errors.ts';

export interface EventStoreConfig {
  /** e.g. esdb://localhost:2113?tls=false; empty or missing selects SQLite. */
  readonly eventstoreUrl?: string;
  /** The SQLite file, e.g. ./.editledger/ledger.db (its directory is created). */
  readonly sqlitePath: string;
}

/** How long openEventStore waits for EventStoreDB to answer before giving up with a clear error. */
const CONNECT_TIMEOUT_MS = 10_000;

export async function openEventStore(config: EventStoreConfig): Promise<EventStore> {
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
