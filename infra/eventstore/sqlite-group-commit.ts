// Group commit for the SQLite store: appends that arrive while the event loop is busy (concurrent API requests,
// ingestion batches) are written in ONE write transaction, so they share one fsync instead of paying one each.
// Each append still runs as its own nested transaction (a SAVEPOINT), so one that fails (a wrong expected
// revision, an id conflict) is rolled back alone and rejects alone; none is acknowledged before the COMMIT.
import type Database from 'better-sqlite3';

interface Pending {
  readonly work: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly writeAll: (batch: readonly Pending[]) => Outcome[];

  constructor(
    db: Database.Database,
    /** After a commit that wrote something (subscriptions wake up). */
    private readonly onCommitted: () => void,
    /** Errors of the transaction itself (BEGIN or COMMIT failing), as the caller wants them shown. */
    private readonly translate: (error: unknown) => unknown,
  ) {
    const all = db.transaction((batch: readonly Pending[]): Outcome[] =>
      batch.map((item) => {
        try {
          return { ok: true, value: item.work() };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
    this.writeAll = (batch) => all.immediate(batch);
  }

  /** Runs `work` (synchronous SQLite writes, in a nested transaction of its own) in the next group. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    let outcomes: Outcome[];
    try {
      outcomes = this.writeAll(batch);
    } catch (error) {
      const shown = this.translate(error);
      for (const item of batch) item.reject(shown);
      return;
    }
    outcomes.forEach((outcome, i) => (outcome.ok ? batch[i]!.resolve(outcome.value) : batch[i]!.reject(outcome.error)));
    if (outcomes.some((o) => o.ok)) this.onCommitted();
  }
}
