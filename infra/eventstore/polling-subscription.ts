// A catch-up subscription over any source that can report its head position and read a page of
// events in a position range. It delivers what exists after the checkpoint page by page, calls
// onCaughtUp once, then polls for new events (which also sees other processes' appends) and can be
// woken early by an in-process append.

import type { AllFilter, RecordedEvent, SubscribeOptions, Subscription } from '../../domain/ports/event-store.ts';

export interface PollingSource {
  /** Position of the newest event, 0 when empty. */
  readHead(): number;
  /** Events matching `filter` with after < position <= upTo, in position order, at most `limit`. */
  readPage(after: number, upTo: number, filter: AllFilter | undefined, limit: number): RecordedEvent[];
}

export class PollingSubscription implements Subscription {
  readonly done: Promise<void>;
  private stopped = false;
  private delivering = false;
  private wakeSleeper: (() => void) | undefined;

  constructor(
    private readonly source: PollingSource,
    private readonly options: SubscribeOptions,
    private readonly pollIntervalMs: number,
    private readonly pageSize: number,
    onEnd: (subscription: PollingSubscription) => void,
  ) {
    this.done = this.run().finally(() => onEnd(this));
  }

  /**
   * Stops delivery. Resolves when the subscription has ended; when called from inside onEvent it
   * resolves at once (awaiting the end there would wait for itself) and no further event is delivered.
   */
  stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    return this.delivering ? Promise.resolve() : this.done;
  }

  /** Look for new events now instead of at the next poll. */
  wake(): void {
    const wake = this.wakeSleeper;
    this.wakeSleeper = undefined;
    wake?.();
  }

  private async run(): Promise<void> {
    await Promise.resolve(); // never call back before subscribeToAll has returned
    const { filter, onEvent, onCaughtUp } = this.options;
    let checkpoint = this.options.after ?? 0;
    let caughtUp = false;
    try {
      while (!this.stopped) {
        const head = this.source.readHead();
        // Read only up to the head seen now, so a filtered page that matches nothing still advances the checkpoint.
        while (checkpoint < head) {
          const page = this.source.readPage(checkpoint, head, filter, this.pageSize);
          for (const event of page) {
            if (this.stopped) return;
            this.delivering = true;
            try {
              await onEvent(event);
            } finally {
              this.delivering = false;
            }
            checkpoint = event.position;
          }
          if (this.stopped) return;
          if (page.length < this.pageSize) checkpoint = head;
        }
        if (!caughtUp) {
          caughtUp = true;
          onCaughtUp?.();
        }
        await this.sleep();
      }
    } catch (err) {
      this.stopped = true;
      const error = err instanceof Error ? err : new Error(String(err));
      if (this.options.onError) this.options.onError(error);
      else console.error(`event store subscription stopped: ${error.message}`);
    }
  }

  private sleep(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake(), this.pollIntervalMs);
      this.wakeSleeper = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
