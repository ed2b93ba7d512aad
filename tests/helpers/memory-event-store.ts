// A tiny in-memory EventStore for unit tests of code above the port. It honours the port's semantics
// (0-based revisions, expected-revision checks, per-event id idempotency, all-or-nothing batches, positions
// from 1 without holes, exclusive checkpoints) the way the SQLite adapter documents them:
// - an id already stored in the same stream with the same type/data/metadata is skipped; if every event of a
//   batch is already stored the append is a no-op returning the stored position, whatever the expected revision;
// - the same id with other content, or in another stream, is an EventIdConflictError and nothing is written.
// Every event carries its hash-chain link (domain/chain.ts, scope 'all'), as in the SQLite store.
import type {
  AllFilter,
  AppendResult,
  EventStore,
  ExpectedRevision,
  JsonValue,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../../domain/ports/event-store.ts';
import { EventIdConflictError, WrongExpectedRevisionError } from '../../domain/ports/event-store.ts';
import { canonicalJson } from '../../domain/canonical-json.ts';
import { chainLink, eventDigest, GENESIS_HASH } from '../../domain/chain.ts';
import {
  checkReadAll,
  checkReadStream,
  checkSubscribe,
  prepareAppend,
  revisionMatches,
} from '../../infra/eventstore/event-input.ts';

function matches(event: RecordedEvent, filter: AllFilter | undefined): boolean {
  if (filter?.streamPrefixes?.length && !filter.streamPrefixes.some((p) => event.stream.startsWith(p))) return false;
  if (filter?.eventTypes?.length && !filter.eventTypes.includes(event.type)) return false;
  return true;
}

function content(event: Pick<NewEvent, 'type' | 'data' | 'metadata'>): string {
  return canonicalJson({ type: event.type, data: event.data, metadata: event.metadata });
}

export class MemoryEventStore implements EventStore {
  private readonly all: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly byId = new Map<string, RecordedEvent>();
  private readonly listeners = new Set<() => void>();
  /** Appends that reached this store, including no-ops; lets tests count round trips. */
  appendCalls = 0;

  async append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    this.appendCalls += 1;
    // The adapters' own validation: the same errors, naming the same fields, as the SQLite store.
    events = prepareAppend(stream, events, expected).map(({ id, type, data, metadata }) => ({
      id,
      type,
      data,
      metadata,
    }));
    const existing = this.streams.get(stream) ?? [];
    const last = existing.at(-1)?.revision;
    const fresh: NewEvent[] = [];
    let storedPosition = 0;
    for (const event of events) {
      const stored = this.byId.get(event.id);
      if (stored === undefined) {
        fresh.push(event);
        continue;
      }
      if (stored.stream !== stream || content(stored) !== content(event)) throw new EventIdConflictError(event.id);
      storedPosition = Math.max(storedPosition, stored.position);
    }
    if (fresh.length === 0) return { nextExpectedRevision: last ?? 0, position: storedPosition };
    if (!revisionMatches(expected, last)) throw new WrongExpectedRevisionError(stream, expected, last ?? 'no_stream');
    const recordedAt = new Date().toISOString();
    let revision = last ?? -1;
    for (const event of fresh) {
      revision += 1;
      const position = this.all.length + 1;
      const dataJson = JSON.stringify(event.data);
      const metadataJson = JSON.stringify(event.metadata);
      const digest = eventDigest({ id: event.id, stream, type: event.type, dataJson, metadataJson });
      const recorded: RecordedEvent = {
        id: event.id,
        type: event.type,
        // Stored as JSON text would be: a deep copy that drops undefined properties.
        data: JSON.parse(dataJson) as JsonValue,
        metadata: JSON.parse(metadataJson) as { [key: string]: JsonValue },
        stream,
        revision,
        position,
        storedAt: recordedAt,
        chainHash: chainLink(this.all.at(-1)?.chainHash ?? GENESIS_HASH, position, revision, digest),
      };
      this.all.push(recorded);
      existing.push(recorded);
      this.byId.set(event.id, recorded);
    }
    this.streams.set(stream, existing);
    for (const listener of this.listeners) listener();
    return { nextExpectedRevision: revision, position: this.all.length };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    checkReadStream(stream, options);
    const events = (this.streams.get(stream) ?? []).slice(options.fromRevision ?? 0);
    return options.maxCount === undefined ? events : events.slice(0, options.maxCount);
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    checkReadAll(options);
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    // Positions are 1-based array indices + 1, so "after p" starts at index p.
    for (let i = options.after ?? 0; i < this.all.length && remaining > 0; i++) {
      const event = this.all[i]!;
      if (!matches(event, options.filter)) continue;
      remaining -= 1;
      yield event;
    }
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    checkSubscribe(options);
    let checkpoint = options.after ?? 0;
    let stopped = false;
    let wake: (() => void) | undefined;
    const listener = () => wake?.();
    this.listeners.add(listener);
    const caughtUpAt = this.all.length;
    let caughtUpSent = false;
    let delivering = false;
    const run = async () => {
      try {
        while (!stopped) {
          while (checkpoint < this.all.length && !stopped) {
            const event = this.all[checkpoint]!;
            checkpoint = event.position;
            if (!matches(event, options.filter)) continue;
            delivering = true;
            try {
              await options.onEvent(event);
            } finally {
              delivering = false;
            }
          }
          if (!caughtUpSent && checkpoint >= caughtUpAt) {
            caughtUpSent = true;
            options.onCaughtUp?.();
          }
          if (stopped) break;
          await new Promise<void>((resolve) => (wake = resolve));
        }
      } catch (error) {
        options.onError?.(error instanceof Error ? error : new Error(String(error)));
      } finally {
        this.listeners.delete(listener);
      }
    };
    const done = run();
    return {
      done,
      stop: async () => {
        stopped = true;
        wake?.();
        // Called from inside onEvent: the loop ends when that handler returns; waiting here would deadlock.
        if (!delivering) await done;
      },
    };
  }

  async headPosition(): Promise<number> {
    return this.all.length;
  }

  async close(): Promise<void> {
    for (const listener of this.listeners) listener();
  }
}
