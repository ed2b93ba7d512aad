// The trainer consumer: a catch-up subscription over the ledger's edit events that materializes a model version
// when its policy says so:
//   - after N new edit events (`everyEdits`),
//   - after T milliseconds without a new one (`idleMs`), when at least one is pending,
//   - on demand (`requestNow()`, e.g. on SIGUSR1; `editledger materialize` does the same in its own process),
//   - right after catching up, when it finds edits it has not handled yet (a backlog, or work a crash interrupted).
// Each round replays ALL edits active at the newest edit position onto the base (see materializer.ts).
//
// The cursor is the last edit position whose edit set is materialized; it is saved durably only after the
// version event is in the ledger. Killed at any moment, the consumer resumes from the cursor, finds the same
// pending edits, computes the same version id and either finds it recorded (no duplicate) or records it once.
import { FACT_STREAM_PREFIX } from '../../domain/fact-key.ts';
import { EDIT_EVENT_TYPES } from '../../domain/events.ts';
import type { AllFilter, EventStore } from '../../domain/ports/event-store.ts';
import type { MaterializeResult, Materializer } from './materializer.ts';
import type { CursorStore, Logger } from '../../domain/ports/trainer.ts';
import { WakeableSleep } from '../runtime/wakeable-sleep.ts';

export const EDIT_EVENTS_FILTER: AllFilter = {
  streamPrefixes: [FACT_STREAM_PREFIX],
  eventTypes: [...EDIT_EVENT_TYPES],
};

export interface TrainerPolicy {
  /** Materialize once this many edit events are pending. */
  readonly everyEdits: number;
  /** Materialize when edits are pending and none arrived for this long. */
  readonly idleMs: number;
  /** Serve each version the consumer materializes (reason names the position). Default true. */
  readonly promote?: boolean;
}

export const DEFAULT_TRAINER_POLICY: TrainerPolicy = { everyEdits: 100, idleMs: 10_000, promote: true };

export interface TrainerConsumerDeps {
  readonly store: EventStore;
  /** Only `materialize` is used (tests pass a fake). */
  readonly materializer: Pick<Materializer, 'materialize'>;
  readonly cursor: CursorStore;
  readonly policy: TrainerPolicy;
  readonly log?: Logger;
  /** Called after every round (materialized or found existing). */
  readonly onRound?: (result: MaterializeResult) => void;
  /**
   * Awaited after each version this consumer materialized (not one found already recorded): where a key is present,
   * signs the ledger head (infra/audit/version-signer.ts), so every version is covered by a signed checkpoint. A
   * failure is logged as a warning; the version stays recorded and the cursor advanced.
   */
  readonly afterVersion?: (result: MaterializeResult) => Promise<void>;
  readonly now?: () => number;
}

export interface PendingEdits {
  readonly cursor: number;
  readonly pending: number;
  /** Position of the newest pending edit event (the cursor when none). */
  readonly lastEditPosition: number;
}

export class TrainerConsumer {
  private readonly pause = new WakeableSleep();
  private demanded = false;

  constructor(private readonly deps: TrainerConsumerDeps) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  private promoteReason(position: number): string | undefined {
    return this.deps.policy.promote === false ? undefined : `trainer: latest edit set (ledger position ${position})`;
  }

  /**
   * Edit events after the cursor, or after `trained` when that is later: the edit-set position of the newest
   * version, so edits another trainer already turned into a version are not counted as this one's lag.
   */
  async pending(trained = 0): Promise<PendingEdits> {
    const cursor = await this.deps.cursor.load();
    const after = Math.max(cursor, trained);
    let pending = 0;
    let lastEditPosition = after;
    for await (const event of this.deps.store.readAll({ after, filter: EDIT_EVENTS_FILTER })) {
      pending++;
      lastEditPosition = event.position;
    }
    return { cursor, pending, lastEditPosition };
  }

  /** Catch up; if edits are pending, materialize the newest edit set once and advance the cursor. */
  async runOnce(): Promise<MaterializeResult | undefined> {
    const { pending, lastEditPosition } = await this.pending();
    if (pending === 0) {
      this.deps.log?.({ level: 'info', msg: 'no new edit events since the cursor; nothing to materialize' });
      return undefined;
    }
    return this.round(lastEditPosition, pending);
  }

  private async round(position: number, pending: number): Promise<MaterializeResult> {
    this.deps.log?.({
      level: 'info',
      msg: `${pending} new edit event(s) up to position ${position}: materializing`,
      position,
      pending,
    });
    const reason = this.promoteReason(position);
    const result = await this.deps.materializer.materialize(
      reason === undefined ? { position } : { position, promoteReason: reason, automatic: true },
    );
    await this.deps.cursor.save(position);
    this.deps.onRound?.(result);
    if (result.outcome === 'materialized' && this.deps.afterVersion !== undefined) {
      await this.deps.afterVersion(result).catch((error: unknown) =>
        this.deps.log?.({
          level: 'warn',
          msg: `after version #${result.version.ordinal}: ${error instanceof Error ? error.message : String(error)}`,
        }),
      );
    }
    return result;
  }

  /** Asks a running consumer to materialize pending edits now, without waiting for N or T. */
  requestNow(): void {
    this.demanded = true;
    this.pause.wake();
  }

  /** Runs until `signal` aborts. A failed round is logged and retried after a pause; the cursor stays put. */
  async run(signal: AbortSignal): Promise<void> {
    const { store, policy, log } = this.deps;
    const cursor = await this.deps.cursor.load();
    let pending = 0;
    let lastEditPosition = cursor;
    let lastEditAt = this.now();
    let caughtUp = false;
    let backlog = false;
    let failure: Error | undefined;
    const subscription = store.subscribeToAll({
      after: cursor,
      filter: EDIT_EVENTS_FILTER,
      onEvent: (event) => {
        pending++;
        lastEditPosition = event.position;
        lastEditAt = this.now();
        if (caughtUp) this.pause.wake();
      },
      onCaughtUp: () => {
        caughtUp = true;
        backlog = pending > 0;
        log?.({
          level: 'info',
          msg: `caught up at cursor ${cursor} with ${pending} pending edit event(s)`,
          pending,
        });
        this.pause.wake();
      },
      onError: (error) => {
        failure = error;
        this.pause.wake();
      },
    });
    const onAbort = () => this.pause.wake();
    signal.addEventListener('abort', onAbort);
    let retryAt = 0;
    try {
      while (!signal.aborted && failure === undefined) {
        const idleLeft = pending > 0 ? lastEditAt + policy.idleMs - this.now() : Number.POSITIVE_INFINITY;
        const due =
          caughtUp &&
          pending > 0 &&
          this.now() >= retryAt &&
          (backlog || this.demanded || pending >= policy.everyEdits || idleLeft <= 0);
        if (!due) {
          const waitMs = Math.max(10, Math.min(1000, idleLeft, retryAt > this.now() ? retryAt - this.now() : 1000));
          await this.pause.sleep(waitMs);
          continue;
        }
        const target = lastEditPosition;
        const consumed = pending;
        try {
          await this.round(target, consumed);
          pending -= consumed;
          backlog = false;
          this.demanded = false;
        } catch (error) {
          log?.({
            level: 'error',
            msg: `materialization at position ${target} failed: ${error instanceof Error ? error.message : String(error)}; retrying in 5 s`,
            position: target,
          });
          retryAt = this.now() + 5000;
        }
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      await subscription.stop();
    }
    if (failure !== undefined) throw failure;
  }
}
