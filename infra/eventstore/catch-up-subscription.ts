// The catch-up subscription of the SQL stores: deliver what exists after the checkpoint page by page, call
// onCaughtUp once, then sleep until woken or until the poll interval passes. SQLite wakes it after an in-process
// append and relies on the poll for other processes' appends; PostgreSQL wakes it from LISTEN/NOTIFY (every append,
// by any process, notifies on commit) and polls slowly only to cover notifications lost while the listening
// connection was being re-established.
//
// A server that goes away is not the subscriber's fault: reads failing with an error the source calls transient are
// retried with backoff, and only after `retryForMs` without success does the subscription stop with that error.
// Any other error (or a rejected onEvent) stops it at once.

import type { AllFilter, RecordedEvent, SubscribeOptions } from '../../domain/ports/event-store.ts';
import { DeliveringSubscription } from './subscription-delivery.ts';

export interface CatchUpSource {
  /** Position of the newest event, 0 when empty. */
  readHead(): number | Promise<number>;
  /** Events matching `filter` with after < position <= upTo, in position order, at most `limit`. */
  readPage(
    after: number,
    upTo: number,
    filter: AllFilter | undefined,
    limit: number,
  ): RecordedEvent[] | Promise<RecordedEvent[]>;
  /** True for errors that mean "the server is unreachable right now", worth retrying. None when absent. */
  isTransient?(error: unknown): boolean;
}

export interface CatchUpSettings {
  readonly pageSize: number;
  /** Wake-up when nobody woke the subscription, in ms. */
  readonly pollMs: number;
  /** How long reads may keep failing with transient errors before the subscription gives up, in ms. */
  readonly retryForMs?: number;
}

export class CatchUpSubscription extends DeliveringSubscription {
  readonly done: Promise<void>;
  /** Set by wake() while reading: the sleep that follows must not wait for a wake-up already seen. */
  private woken = false;
  private wakeSleeper: (() => void) | undefined;

  constructor(
    private readonly source: CatchUpSource,
    options: SubscribeOptions,
    private readonly settings: CatchUpSettings,
    onEnd: (subscription: CatchUpSubscription) => void,
  ) {
    super(options);
    this.done = this.run().finally(() => onEnd(this));
  }

  /** New events may exist: look now instead of at the next poll. */
  wake(): void {
    this.woken = true;
    const wake = this.wakeSleeper;
    this.wakeSleeper = undefined;
    wake?.();
  }

  protected interrupt(): void {
    this.wake();
  }

  private async run(): Promise<void> {
    await Promise.resolve(); // never call back before subscribeToAll has returned
    const { filter, onCaughtUp } = this.options;
    const { pageSize, retryForMs = 0 } = this.settings;
    let checkpoint = this.options.after ?? 0;
    let caughtUp = false;
    let failingSince: number | undefined;
    try {
      while (!this.stopped) {
        this.woken = false;
        try {
          const head = await this.source.readHead();
          // Read only up to the head seen now, so a filtered page that matches nothing still advances the checkpoint.
          while (checkpoint < head && !this.stopped) {
            const page = await this.source.readPage(checkpoint, head, filter, pageSize);
            failingSince = undefined;
            for (const event of page) {
              if (this.stopped) return;
              await this.deliver(event).catch((err: unknown) => {
                throw new DeliveryError(err);
              });
              checkpoint = event.position;
            }
            if (page.length < pageSize) checkpoint = head;
          }
          failingSince = undefined;
        } catch (err) {
          if (err instanceof DeliveryError || this.source.isTransient?.(err) !== true) throw err;
          failingSince ??= Date.now();
          if (Date.now() - failingSince > retryForMs) throw err;
          await this.sleep(Math.min(1000, 50 + (Date.now() - failingSince) / 4));
          continue;
        }
        if (this.stopped) return;
        if (!caughtUp) {
          caughtUp = true;
          onCaughtUp?.();
        }
        await this.sleep(this.settings.pollMs);
      }
    } catch (err) {
      this.stopped = true;
      this.report(err instanceof DeliveryError ? err.cause : err);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped || this.woken) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake(), ms);
      this.wakeSleeper = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** Wraps what onEvent threw, so it is reported as is and never mistaken for a transient read failure. */
class DeliveryError extends Error {
  constructor(override readonly cause: unknown) {
    super('onEvent failed');
  }
}

/** A source whose every read first checks that its store is still open (a closed store ends the subscription). */
export function guardedSource(assertOpen: () => void, source: CatchUpSource): CatchUpSource {
  return {
    readHead: () => {
      assertOpen();
      return source.readHead();
    },
    readPage: (after, upTo, filter, limit) => {
      assertOpen();
      return source.readPage(after, upTo, filter, limit);
    },
    isTransient: (error) => source.isTransient?.(error) === true,
  };
}
