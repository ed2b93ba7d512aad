// The EventStoreDB side of a catch-up subscription: where $all positions and filters meet the client's types.
//
// It first reads $all after the checkpoint up to its current end (then onCaughtUp), then follows a live server
// subscription from the last position read. Positions at or before the last one handled are skipped, so the
// hand-over neither loses nor repeats an event.
import {
  START,
  eventTypeFilter,
  excludeSystemEvents,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type EventStoreDBClient,
  type Filter,
  type Position,
  type StreamingRead,
} from '@eventstore/db-client';
import type { AllFilter, RecordedEvent, SubscribeOptions } from '../../domain/ports/event-store.ts';
import { EventStoreUnavailableError } from './errors.ts';
import { matchesFilter } from './event-input.ts';
import { DeliveringSubscription } from './subscription-delivery.ts';

/** The server-side part of a filter: one of stream prefixes, exact event types, or "no system events". */
export function toEsdbFilter(filter: AllFilter | undefined): Filter {
  if (filter?.streamPrefixes?.length) return streamNameFilter({ prefixes: [...filter.streamPrefixes] });
  if (filter?.eventTypes?.length)
    return eventTypeFilter({ regex: `^(?:${filter.eventTypes.map(escapeRegex).join('|')})$` });
  return excludeSystemEvents();
}

/** The address of the event at a port position (commit and prepare positions coincide for gRPC writes). */
export function exactPosition(position: number): Position {
  return { commit: BigInt(position), prepare: BigInt(position) };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class EsdbSubscription extends DeliveringSubscription {
  readonly done: Promise<void>;
  private catchUp: StreamingRead<AllStreamResolvedEvent> | undefined;
  private live: AllStreamSubscription | undefined;

  constructor(
    private readonly client: EventStoreDBClient,
    options: SubscribeOptions,
    private readonly convert: (resolved: AllStreamResolvedEvent) => RecordedEvent | undefined,
    private readonly translate: (err: unknown) => unknown,
    onEnd: (subscription: EsdbSubscription) => void,
  ) {
    super(options);
    this.done = this.run().finally(() => onEnd(this));
  }

  protected interrupt(): void {
    void this.catchUp?.cancel().catch(() => undefined);
    const live = this.live;
    if (live)
      void live.unsubscribe().then(
        () => live.destroy(),
        () => live.destroy(),
      );
  }

  private async run(): Promise<void> {
    await Promise.resolve(); // never call back before subscribeToAll has returned
    const { after = 0, filter, onCaughtUp } = this.options;
    let seen = after; // the last $all position handled, delivered or filtered out
    const handle = async (resolved: AllStreamResolvedEvent): Promise<void> => {
      const position = resolved.event?.position?.commit;
      if (position === undefined || position <= BigInt(seen)) return;
      const event = this.convert(resolved);
      if (event && matchesFilter(event.stream, event.type, filter)) await this.deliver(event);
      seen = Number(position);
    };
    try {
      this.catchUp = this.client.readAll({ fromPosition: after > 0 ? exactPosition(after) : START });
      for await (const resolved of this.catchUp) {
        if (this.stopped) return;
        await handle(resolved);
      }
      if (this.stopped) return;
      onCaughtUp?.();
      this.live = this.client.subscribeToAll({
        fromPosition: seen > 0 ? exactPosition(seen) : START,
        filter: toEsdbFilter(filter),
      });
      if (this.stopped) return this.interrupt();
      for await (const resolved of this.live) {
        if (this.stopped) return;
        await handle(resolved);
      }
      if (!this.stopped) throw new EventStoreUnavailableError('the EventStoreDB subscription ended unexpectedly');
    } catch (err) {
      if (this.stopped) return; // cancelling the read or subscription may surface as an error
      this.stopped = true;
      this.interrupt();
      this.report(this.translate(err));
    }
  }
}
