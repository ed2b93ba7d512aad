// What every store's catch-up subscription does the same way: hand events to onEvent one at a time, stop (also
// from inside onEvent, where waiting for the end would wait for itself), and report the error that ended it.
import type { RecordedEvent, SubscribeOptions, Subscription } from '../../domain/ports/event-store.ts';

export abstract class DeliveringSubscription implements Subscription {
  abstract readonly done: Promise<void>;
  protected stopped = false;
  private delivering = false;

  constructor(protected readonly options: SubscribeOptions) {}

  /**
   * Stops delivery. Resolves when the subscription has ended; when called from inside onEvent it
   * resolves at once and no further event is delivered.
   */
  stop(): Promise<void> {
    this.stopped = true;
    this.interrupt();
    return this.delivering ? Promise.resolve() : this.done;
  }

  /** Ends whatever the subscription is waiting on (a sleep, a server read) so it sees `stopped`. */
  protected abstract interrupt(): void;

  protected async deliver(event: RecordedEvent): Promise<void> {
    this.delivering = true;
    try {
      await this.options.onEvent(event);
    } finally {
      this.delivering = false;
    }
  }

  /** The subscription ended with `err`: onError hears it, or stderr does when nobody listens. */
  protected report(err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err));
    if (this.options.onError) this.options.onError(error);
    else console.error(`event store subscription stopped: ${error.message}`);
  }
}
