// A tiny in-memory EventStore for unit tests of code above the port. It honours the port's semantics
// (0-based revisions, expected-revision checks, per-event id idempotency, all-or-nothing batches, positions
// from 1 without holes, exclusive checkpoints) the way the SQLite adapter documents them:
// - an id already stored in the same stream with the same type/data/metadata is skipped; if every event of a
//   batch is already stored the append is a no-op returning the stored position, whatever the expected revision;
// - the same id with other content, or in another stream, is an EventIdConflictError and nothing is written.
// Every event carries its hash-chain link (domain/chain.ts, scope 'all'), as in the SQLite store.
import type * as Port from '../../domain/ports/event-store.ts';
import { chainLink, eventDigest, GENESIS_HASH } from '../../domain/chain.ts';
import { decideAppend } from '../../infra/eventstore/append-decision.ts';
import {
  checkReadAll,
  checkReadStream,
  checkSubscribe,
  contentFingerprint,
  matchesFilter,
  prepareAppend,
} from '../../infra/eventstore/event-input.ts';

type RecordedEvent = Port.RecordedEvent;

function matches(event: RecordedEvent, filter: Port.AllFilter | undefined): boolean {
  return matchesFilter(event.stream, event.type, filter);
}

export class MemoryEventStore implements Port.EventStore {
  private readonly all: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly byId = new Map<string, RecordedEvent>();
  private readonly listeners = new Set<() => void>();
  /** Appends that reached this store, including no-ops; lets tests count round trips. */
  appendCalls = 0;

  async append(
    stream: string,
    events: readonly Port.NewEvent[],
    expected: Port.ExpectedRevision,
  ): Promise<Port.AppendResult> {
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
    const decision = decideAppend(stream, events, expected, last ?? null, (event) => {
      const stored = this.byId.get(event.id);
      if (stored === undefined) return undefined;
      const same = stored.stream === stream && contentFingerprint(stored) === contentFingerprint(event);
      return { position: stored.position, same };
    });
    if ('result' in decision) return decision.result;
    const fresh = decision.fresh;
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
        data: JSON.parse(dataJson) as Port.JsonValue,
        metadata: JSON.parse(metadataJson) as { [key: string]: Port.JsonValue },
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

  async readStream(stream: string, options: Port.ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    checkReadStream(stream, options);
    const events = (this.streams.get(stream) ?? []).slice(options.fromRevision ?? 0);
    return options.maxCount === undefined ? events : events.slice(0, options.maxCount);
  }

  async *readAll(options: Port.ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
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

  subscribeToAll(options: Port.SubscribeOptions): Port.Subscription {
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
