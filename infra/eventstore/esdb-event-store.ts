// The event-store port over EventStoreDB 20+ / KurrentDB, via @eventstore/db-client 6.
//
// Mapping:
// - revisions: the port's 0-based numbers are EventStoreDB's stream revisions (bigint <-> number).
// - positions: an event's $all commit position (for events written through gRPC it equals the prepare
//   position, so {commit: p, prepare: p} addresses it exactly). Byte offsets in the transaction log:
//   strictly increasing, not contiguous.
// - $all: system events (stream or type starting with "$") and non-JSON events are left out of
//   readAll, subscriptions and headPosition; the port reserves "$" names, so ours never look like them.
// - filters: EventStoreDB filters on stream OR type, by prefix or regex; the server-side filter takes one
//   of them (stream prefixes, else an exact-type regex, else "no system events") and the other is
//   checked here. readAll has no server-side filter in client 6, so it filters here.
//
// Idempotency, emulated: EventStoreDB only dedups a retried write at the same expected revision, and
// an `any` write only best-effort, while the port promises that any stored id is a no-op (same content)
// or an EventIdConflictError (other content). So the adapter keeps, per stream it appends to, the ids and
// content fingerprints of the stream's events (read incrementally, at most maxCachedStreams streams in
// memory), checks the batch against them, and then writes with the EXACT revision it checked against.
// If another writer got in between, the server answers WrongExpectedVersion and the adapter re-reads
// and re-checks (so 'any' and 'stream_exists' are tightened to "the revision I just saw", retried).
// Limitation: an id stored in ANOTHER stream is not detected (EventStoreDB has no id index); the SQLite
// store reports it as a conflict.
//
// Hash chain: per stream, the link in the metadata (esdb-chain.ts); `audit verify` walks it with scope 'stream'.
//
// Requires EventStoreDB >= 22.6 (or KurrentDB) for positions on stream reads; older servers get a clear error.

import {
  AccessDeniedError,
  BACKWARDS,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  MaxAppendSizeExceededError,
  NO_STREAM,
  NotLeaderError,
  START,
  StreamDeletedError,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type EventData,
  type JSONType,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { WrongExpectedRevisionError } from '../../domain/ports/event-store.ts';
import type * as Port from '../../domain/ports/event-store.ts';
import { decideAppend } from './append-decision.ts';
import { EventStoreUnavailableError, InvalidEventError } from './errors.ts';
import {
  checkReadAll,
  type PreparedEvent,
  checkReadStream,
  checkSubscribe,
  contentFingerprint,
  DEFAULT_MAX_EVENT_BYTES,
  matchesFilter,
  prepareAppend,
} from './event-input.ts';
import { CHAIN_METADATA_KEY, splitChain, streamLinks, withChain } from './esdb-chain.ts';
import { EsdbSubscription, exactPosition } from './esdb-subscription.ts';

export { exactPosition, toEsdbFilter } from './esdb-subscription.ts';

export interface EsdbEventStoreOptions {
  /** Per-event limit on data + metadata JSON, in UTF-8 bytes. Default 1 MiB. */
  readonly maxEventBytes?: number;
  /** Streams whose ids are kept in memory for idempotency checks (least recently used are dropped and re-read). Default 1000. */
  readonly maxCachedStreams?: number;
  /** How often an append re-checks after losing a race to another writer. Default 10. */
  readonly appendRetries?: number;
}

interface KnownEvent {
  readonly fingerprint: string;
  readonly position: number;
}

/** What the adapter knows of a stream: its last revision (null: no stream) and its events' ids. */
interface StreamIndex {
  lastRevision: bigint | null;
  /** The chain link of the stream's last event. */
  lastChain: string | undefined;
  readonly ids: Map<string, KnownEvent>;
}

type AnyResolvedEvent = ResolvedEvent | AllStreamResolvedEvent;

export class EsdbEventStore implements Port.EventStore {
  private readonly streams = new Map<string, StreamIndex>();
  private readonly subscriptions = new Set<EsdbSubscription>();
  private readonly maxEventBytes: number;
  private readonly maxCachedStreams: number;
  private readonly appendRetries: number;
  private closed = false;

  /** Connects lazily: the first operation opens the gRPC channel. `url` e.g. esdb://localhost:2113?tls=false. */
  static connect(url: string, options: EsdbEventStoreOptions = {}): EsdbEventStore {
    let client: EventStoreDBClient;
    try {
      client = EventStoreDBClient.connectionString(url);
    } catch (err) {
      throw new EventStoreUnavailableError(
        `invalid EventStoreDB connection string "${redact(url)}": ${errorMessage(err)}`,
        { cause: err },
      );
    }
    return new EsdbEventStore(client, redact(url), options);
  }

  private constructor(
    private readonly client: EventStoreDBClient,
    readonly url: string,
    options: EsdbEventStoreOptions,
  ) {
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.maxCachedStreams = options.maxCachedStreams ?? 1000;
    this.appendRetries = options.appendRetries ?? 10;
  }

  // The return type is the port's (checked by `implements`).
  async append(stream: string, events: readonly Port.NewEvent[], expected: Port.ExpectedRevision) {
    this.assertOpen();
    const prepared = prepareAppend(stream, events, expected, this.maxEventBytes);
    prepared.forEach((event, i) => {
      if (Object.hasOwn(event.metadata, CHAIN_METADATA_KEY))
        throw new InvalidEventError(`events[${i}].metadata.${CHAIN_METADATA_KEY}`, 'is reserved for the hash chain');
    });
    const fingerprints = prepared.map((event) => contentFingerprint(event));
    for (let attempt = 0; ; attempt++) {
      const index = await this.refreshIndex(stream);
      const last = index.lastRevision === null ? null : Number(index.lastRevision);
      const decision = decideAppend(stream, prepared, expected, last, (event, i) => {
        const known = index.ids.get(event.id);
        return known && { position: known.position, same: known.fingerprint === fingerprints[i] };
      });
      if ('result' in decision) return decision.result;
      const { fresh } = decision;
      let nextExpectedRevision: bigint;
      try {
        const links = streamLinks(stream, fresh, (last ?? -1) + 1, index.lastChain);
        const data = fresh.map((event, i) => toEventData(event, links[i]!));
        const written = await this.client.appendToStream(stream, data, {
          expectedRevision: toEsdbExpectedRevision(expected, index.lastRevision),
        });
        nextExpectedRevision = written.nextExpectedRevision;
      } catch (err) {
        if (err instanceof WrongExpectedVersionError) {
          // Another writer appended between our check and our write: look again (the check decides).
          if (attempt < this.appendRetries) continue;
          const actual = err.actualVersion === NO_STREAM ? 'no_stream' : Number(err.actualVersion);
          throw new WrongExpectedRevisionError(stream, expected, actual);
        }
        throw this.translate(err, stream);
      }
      // Read our events back: their $all positions are what readAll and subscriptions report.
      const after = await this.refreshIndex(stream);
      let position = 0; // the stored events of the batch are in the index too
      for (const event of prepared) position = Math.max(position, after.ids.get(event.id)?.position ?? 0);
      return { nextExpectedRevision: Number(nextExpectedRevision), position };
    }
  }

  async readStream(stream: string, options: Port.ReadStreamOptions = {}): Promise<Port.RecordedEvent[]> {
    this.assertOpen();
    checkReadStream(stream, options);
    const from = options.fromRevision ?? 0;
    const events: Port.RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(stream, {
        fromRevision: BigInt(from),
        maxCount: options.maxCount ?? Number.MAX_SAFE_INTEGER,
      })) {
        const event = this.toRecorded(resolved);
        if (!event)
          throw new EventStoreUnavailableError(
            `stream "${stream}" holds a non-JSON event (${resolved.event?.id ?? 'unknown id'}) not written through editledger`,
          );
        events.push(event);
      }
    } catch (err) {
      if (err instanceof StreamNotFoundError) return [];
      throw this.translate(err, stream);
    }
    return events;
  }

  async *readAll(options: Port.ReadAllOptions = {}): AsyncGenerator<Port.RecordedEvent> {
    this.assertOpen();
    checkReadAll(options);
    const after = options.after ?? 0;
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (remaining <= 0) return;
    const read = this.client.readAll({ fromPosition: after > 0 ? exactPosition(after) : START });
    try {
      for await (const resolved of read) {
        const event = this.toRecorded(resolved);
        // fromPosition is inclusive: skip the checkpoint event itself.
        if (!event || event.position <= after || !matchesFilter(event.stream, event.type, options.filter)) continue;
        yield event;
        if (--remaining <= 0) return;
      }
    } catch (err) {
      throw this.translate(err);
    } finally {
      await read.cancel().catch(() => undefined);
    }
  }

  subscribeToAll(options: Port.SubscribeOptions): Port.Subscription {
    this.assertOpen();
    checkSubscribe(options);
    const subscription = new EsdbSubscription(
      this.client,
      options,
      (resolved) => this.toRecorded(resolved),
      (err) => this.translate(err),
      (s) => this.subscriptions.delete(s),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Position of the newest non-system event; system events ($stats and the like) keep arriving and are not ours. */
  async headPosition(): Promise<number> {
    this.assertOpen();
    const pageSize = 500;
    let from: Position | typeof END = END;
    for (;;) {
      const read = this.client.readAll({ direction: BACKWARDS, fromPosition: from, maxCount: pageSize });
      let count = 0;
      let oldest: Position | undefined;
      try {
        for await (const resolved of read) {
          count++;
          const event = this.toRecorded(resolved);
          if (event) return event.position;
          oldest = resolved.event?.position ?? oldest;
        }
      } catch (err) {
        throw this.translate(err);
      } finally {
        await read.cancel().catch(() => undefined);
      }
      if (count < pageSize || oldest === undefined) return 0;
      from = oldest;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.client.dispose();
  }

  /** Reads the stream's events after what is already known into the id index (the whole stream the first time). */
  private async refreshIndex(stream: string): Promise<StreamIndex> {
    const index = this.streams.get(stream) ?? {
      lastRevision: null,
      lastChain: undefined,
      ids: new Map<string, KnownEvent>(),
    };
    this.streams.delete(stream); // re-inserted below as most recently used
    const from = index.lastRevision === null ? START : index.lastRevision + 1n;
    try {
      for await (const resolved of this.client.readStream(stream, { fromRevision: from })) {
        const event = this.toRecorded(resolved);
        if (!resolved.event) continue;
        if (event) index.ids.set(event.id, { fingerprint: contentFingerprint(event), position: event.position });
        index.lastRevision = resolved.event.revision;
        index.lastChain = event?.chainHash;
      }
    } catch (err) {
      if (!(err instanceof StreamNotFoundError)) throw this.translate(err, stream);
    }
    this.streams.set(stream, index);
    if (this.streams.size > this.maxCachedStreams) {
      const oldest = this.streams.keys().next().value;
      if (oldest !== undefined) this.streams.delete(oldest);
    }
    return index;
  }

  /** Our view of a server event, or undefined for system and non-JSON events. */
  private toRecorded(resolved: AnyResolvedEvent): Port.RecordedEvent | undefined {
    const event = resolved.event;
    if (!event || !event.isJson || isSystem(event.streamId, event.type)) return undefined;
    const commit = event.position?.commit ?? resolved.commitPosition;
    if (commit === undefined || commit > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new EventStoreUnavailableError(
        `EventStoreDB at ${this.url} did not report the $all position of event ${event.id} in "${event.streamId}"; editledger needs EventStoreDB 22.6 or later (or KurrentDB)`,
      );
    }
    const { metadata, chainHash } = splitChain(isJsonObject(event.metadata) ? event.metadata : {});
    return {
      ...(chainHash === undefined ? {} : { chainHash }),
      id: event.id,
      type: event.type,
      data: event.data as Port.JsonValue,
      metadata,
      stream: event.streamId,
      revision: Number(event.revision),
      position: Number(commit),
      storedAt: event.created.toISOString(),
    };
  }

  private translate(err: unknown, stream?: string): unknown {
    if (err instanceof UnavailableError || err instanceof DeadlineExceededError || err instanceof NotLeaderError) {
      return new EventStoreUnavailableError(`EventStoreDB at ${this.url} is unavailable: ${err.message}`, {
        cause: err,
      });
    }
    if (err instanceof AccessDeniedError) {
      return new EventStoreUnavailableError(
        `EventStoreDB at ${this.url} denied access (reading $all needs an admin user on a secure server): ${err.message}`,
        { cause: err },
      );
    }
    if (err instanceof MaxAppendSizeExceededError) {
      return new InvalidEventError(
        'events',
        `the batch is larger than the server's maximum append size of ${err.maxAppendSize} bytes; append it in smaller batches`,
      );
    }
    if (err instanceof StreamDeletedError) {
      return new InvalidEventError(
        'stream',
        `"${stream ?? err.streamName}" was deleted in EventStoreDB and cannot be written or read`,
      );
    }
    return err;
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError(`event store ${this.url} is closed`);
  }
}

/**
 * The expected revision sent with a write. A number and 'no_stream' map directly (BigInt revision,
 * NO_STREAM); 'any' and 'stream_exists' (plainly ANY and STREAM_EXISTS) are tightened to the revision
 * the id check just saw, so that check and write are atomic; a lost race is re-checked, not failed.
 */
export function toEsdbExpectedRevision(
  expected: Port.ExpectedRevision,
  observed: bigint | null,
): AppendExpectedRevision {
  if (typeof expected === 'number') return BigInt(expected);
  if (expected === 'no_stream') return NO_STREAM;
  return observed === null ? NO_STREAM : observed;
}

function toEventData(event: PreparedEvent, link: string): EventData {
  // The client JSON.stringifies `data`; any JSON value round-trips, though its type only names objects, arrays and strings.
  return {
    id: event.id,
    contentType: 'application/json',
    type: event.type,
    data: event.data as JSONType,
    metadata: withChain(event.metadata, link) as JSONType,
  };
}

function isSystem(stream: string, type: string): boolean {
  return stream.startsWith('$') || type.startsWith('$');
}

function isJsonObject(value: unknown): value is { [key: string]: Port.JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function redact(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//***@');
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
