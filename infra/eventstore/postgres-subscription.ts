// A catch-up subscription over PostgreSQL: deliver what exists after the checkpoint page by page,
// call onCaughtUp once, then sleep until woken. The store wakes it from LISTEN/NOTIFY (every append,
// by any process, notifies on commit), so live events arrive without polling; a slow fallback timer
// covers notifications lost while the listening connection was being re-established.
//
// A server that goes away is not the subscriber's fault: reads that fail because the store is
// unavailable are retried with backoff, and only after `retryForMs` without success does the
// subscription stop with that error. Any other error (or a rejected onEvent) stops it at once.

import type { AllFilter, RecordedEvent, SubscribeOptions, Subscription } from '../../domain/ports/event-store.ts';

export interface SubscriptionSource {
  /** Position of the newest event, 0 when empty. */
  readHead(): Promise<number>;
  /** Events matching `filter` with after < position <= upTo, in position order, at most `limit`. */
  readPage(after: number, upTo: number, filter: AllFilter | undefined, limit: number): Promise<RecordedEvent[]>;
  /** True for errors that mean "the server is unreachable right now", worth retrying. */
  isTransient(error: unknown): boolean;
}

export interface NotifiedSubscriptionSettings {
  readonly pageSize: number;
  /** Fallback wake-up when no notification came, in ms. */
  readonly fallbackPollMs: number;
  /** How long reads may keep failing with transient errors before the subscription gives up, in ms. */
  readonly retryForMs: number;
}

export class NotifiedSubscription implements Subscription {
  readonly done: Promise<void>;
  private stopped = false;
  private delivering = false;
  /** Set by wake() while reading: the sleep that follows must not wait for a notification already seen. */
  private woken = false;
  private wakeSleeper: (() => void) | undefined;

  constructor(
    private readonly source: SubscriptionSource,
    private readonly options: SubscribeOptions,
    private readonly settings: NotifiedSubscriptionSettings,
    onEnd: (subscription: NotifiedSubscription) => void,
  ) {
    this.done = this.run().finally(() => onEnd(this));
  }

  /** Stops delivery; from inside onEvent it resolves at once (awaiting the end there would wait for itself). */
  stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    return this.delivering ? Promise.resolve() : this.done;
  }

  /** New events may exist: look now. */
  wake(): void {
    this.woken = true;
    const wake = this.wakeSleeper;
    this.wakeSleeper = undefined;
    wake?.();
  }

  private async run(): Promise<void> {
    await Promise.resolve(); // never call back before subscribeToAll has returned
    const { filter, onEvent, onCaughtUp } = this.options;
    const { pageSize, retryForMs } = this.settings;
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
              this.delivering = true;
              try {
                await onEvent(event);
              } catch (err) {
                throw new DeliveryError(err);
              } finally {
                this.delivering = false;
              }
              checkpoint = event.position;
            }
            if (page.length < pageSize) checkpoint = head;
          }
          failingSince = undefined;
        } catch (err) {
          if (err instanceof DeliveryError || !this.source.isTransient(err)) throw err;
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
        await this.sleep(this.settings.fallbackPollMs);
      }
    } catch (err) {
      this.stopped = true;
      const cause = err instanceof DeliveryError ? err.cause : err;
      const error = cause instanceof Error ? cause : new Error(String(cause));
      if (this.options.onError) this.options.onError(error);
      else console.error(`event store subscription stopped: ${error.message}`);
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
