// THE ingestion loop, the same for every source (HTTP, Kafka, a JSONL file):
//   pull a batch -> validate each message (edit import's formats; a bad one is reported with its field and
//   dead-lettered, never blocking the good ones) -> append the good ones through LedgerService -> keep the bad
//   ones in the dead-letter sink -> commit the batch upstream.
// Nothing is committed before the append: if the ledger (or the dead-letter sink) cannot be written, the batch is
// released, the source delivers it again, and the loop backs off. Re-delivery is harmless: each correction's
// upstream ref is a hash of its normalized content (importRefOf, as `edit import` uses), so a message that is
// already recorded appends nothing.
// stop(): the source stops taking messages, the batches it already took in are finished (appended and
// committed, or released), then run() resolves.
import { EditledgerError, InvalidFieldError } from '../../domain/errors.ts';
import type { EditRequest } from '../../domain/dataset-formats.ts';
import { SubmitEditDataSchema } from '../../domain/edit-commands.ts';
import type { CommandContext } from '../../domain/commands.ts';
import { editIdForSource, uuidV4 } from '../../domain/ids.ts';
import type {
  DeadLetter,
  DeadLetterSink,
  IngestBatch,
  IngestionSource,
  IngestItemResult,
  IngestReport,
} from '../../domain/ports/ingestion.ts';
import type { ImportOptions, ImportResult, LedgerService } from '../../domain/edit-use-cases.ts';
import { importRefOf } from '../../domain/edit-use-cases.ts';
import { parseCorrection } from './correction-message.ts';
import { deadLetterOf } from './dead-letters.ts';

/** The part of LedgerService the loop uses. */
export type IngestLedger = Pick<LedgerService, 'importEdits'>;

export interface IngestLoopOptions {
  readonly source: IngestionSource;
  readonly ledger: IngestLedger;
  readonly deadLetters: DeadLetterSink;
  /** Upstream system recorded in each edit's source; the ref is the content hash, as for `edit import`. */
  readonly system: string;
  /** Who submits the ingested edits (and the actor of the commands). */
  readonly submittedBy: string;
  /** Why, recorded on each edit. */
  readonly reason: string;
  /** Progress and problems, one line each (the CLI writes them to stderr). */
  readonly log?: (line: string) => void;
  /** Called after each committed batch. */
  readonly onReport?: (report: IngestReport) => void;
  /** Back-off after a failed batch: starts at initialMs, doubles up to maxMs, resets after a success. */
  readonly retry?: { readonly initialMs?: number; readonly maxMs?: number };
  readonly clock?: () => Date;
}

export interface IngestStats {
  readonly batches: number;
  readonly messages: number;
  readonly submitted: number;
  readonly duplicates: number;
  readonly rejected: number;
  /** Batches released for re-delivery because the ledger or the dead-letter sink could not be written. */
  readonly failures: number;
}

type Parsed =
  | { readonly ok: true; readonly request: EditRequest }
  | { readonly ok: false; readonly field: string; readonly reason: string };

/** Field and reason of an input error; `requests[0].` (importEdits' prefix) is dropped so the field is the caller's. */
function describeRejection(error: unknown): { field: string; reason: string } {
  if (error instanceof InvalidFieldError)
    return { field: error.field.replace(/^requests\[\d+\]\.?/, '') || 'payload', reason: error.reason };
  const field = (error as { field?: unknown })?.field;
  const message = error instanceof Error ? error.message : String(error);
  return typeof field === 'string'
    ? { field, reason: message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message }
    : { field: 'payload', reason: message };
}

function checkOption(
  schema: { safeParse(value: unknown): { success: boolean; error?: { issues: Array<{ message: string }> } } },
  value: string,
  name: string,
): void {
  const result = schema.safeParse(value);
  if (!result.success) throw new InvalidFieldError(name, result.error?.issues[0]?.message ?? 'invalid');
}

/**
 * What the loop records on every edit, checked once up front (so no message can fail on it later). Throws
 * InvalidFieldError naming the CLI flag: `system`, `by` or `reason`.
 */
export function checkIngestIdentity(identity: Pick<IngestLoopOptions, 'system' | 'submittedBy' | 'reason'>): void {
  checkOption(SubmitEditDataSchema.shape.source.shape.system, identity.system, 'system');
  checkOption(SubmitEditDataSchema.shape.submittedBy, identity.submittedBy, 'by');
  checkOption(SubmitEditDataSchema.shape.reason, identity.reason, 'reason');
}

export class IngestLoop {
  private readonly log: (line: string) => void;
  private readonly clock: () => Date;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private stats = { batches: 0, messages: 0, submitted: 0, duplicates: 0, rejected: 0, failures: 0 };
  private running: Promise<IngestStats> | undefined;
  private stopping: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(private readonly options: IngestLoopOptions) {
    checkIngestIdentity(options);
    this.log = options.log ?? (() => undefined);
    this.clock = options.clock ?? (() => new Date());
    this.initialDelayMs = options.retry?.initialMs ?? 200;
    this.maxDelayMs = Math.max(this.initialDelayMs, options.retry?.maxMs ?? 10_000);
  }

  get counts(): IngestStats {
    return { ...this.stats };
  }

  /** Consume the source until stop() (resolves with the totals) or until the source fails (rejects). */
  run(): Promise<IngestStats> {
    this.running ??= this.consume();
    return this.running;
  }

  /** Graceful stop: no new messages, the batches already taken in are finished. Resolves when run() has. */
  async stop(): Promise<IngestStats> {
    if (this.stopping === undefined) {
      this.stopping = this.options.source.stop();
      this.wakeUp?.();
    }
    const [stats] = await Promise.all([this.run(), this.stopping]);
    return stats;
  }

  private async consume(): Promise<IngestStats> {
    const { source } = this.options;
    let delayMs = 0;
    for (;;) {
      const batch = await source.next();
      if (batch === undefined) return this.counts;
      if (batch.messages.length === 0) {
        await this.acknowledge(batch, {
          items: [],
          submitted: 0,
          duplicates: 0,
          superseded: 0,
          rejected: 0,
          position: 0,
        });
        continue;
      }
      let report: IngestReport;
      try {
        report = await this.process(batch);
      } catch (error) {
        const cause = error instanceof Error ? error : new Error(String(error));
        this.stats.failures += 1;
        delayMs = delayMs === 0 ? this.initialDelayMs : Math.min(this.maxDelayMs, delayMs * 2);
        this.log(
          `${source.channel} ${span(batch)}: could not record the batch (${cause.message}); nothing acknowledged, the source will deliver it again` +
            (this.stopping === undefined ? ` (next attempt in ${delayMs} ms)` : ''),
        );
        await batch
          .release(cause)
          .catch((releaseError: unknown) =>
            this.log(`${source.channel}: releasing the batch failed: ${String(releaseError)}`),
          );
        await this.pause(delayMs);
        continue;
      }
      delayMs = 0;
      await this.acknowledge(batch, report);
    }
  }

  private async acknowledge(batch: IngestBatch, report: IngestReport): Promise<void> {
    try {
      await batch.commit(report);
    } catch (error) {
      // Everything is in the ledger; only the acknowledgement is lost, so the batch may come again (appending nothing).
      this.log(
        `${this.options.source.channel} ${span(batch)}: recorded, but acknowledging upstream failed (${error instanceof Error ? error.message : String(error)}); it may be delivered again, which appends nothing`,
      );
    }
  }

  /** Validate, append, dead-letter. Throws (so the batch is released) only when the ledger or the sink fails. */
  private async process(batch: IngestBatch): Promise<IngestReport> {
    const { source, ledger, system, reason } = this.options;
    const submittedBy = batch.actor ?? this.options.submittedBy;
    const parsed: Parsed[] = batch.messages.map((message) => {
      try {
        return { ok: true, request: parseCorrection(message.payload) };
      } catch (error) {
        return { ok: false, ...describeRejection(error) };
      }
    });
    const context: CommandContext = {
      actor: submittedBy,
      channel: source.channel,
      correlationId: uuidV4(),
      ...(this.options.clock ? { clock: this.options.clock } : {}),
    };
    const importOptions: ImportOptions = { system, submittedBy, reason };
    const valid = parsed.flatMap((p, index) => (p.ok ? [{ index, request: p.request }] : []));

    let totals: ImportResult;
    try {
      totals = await ledger.importEdits(
        valid.map((v) => v.request),
        importOptions,
        context,
      );
    } catch (error) {
      if (!isRejection(error)) throw error;
      // A rule refused one of them (e.g. its upstream ref is already used for another fact): find which, one by
      // one, so the others still land. Infrastructure errors still release the whole batch.
      totals = { done: 0, total: valid.length, submitted: 0, duplicates: 0, superseded: 0, position: 0 };
      for (const { index, request } of valid) {
        try {
          const one = await ledger.importEdits([request], importOptions, context);
          totals = {
            ...totals,
            done: totals.done + 1,
            submitted: totals.submitted + one.submitted,
            duplicates: totals.duplicates + one.duplicates,
            superseded: totals.superseded + one.superseded,
            position: Math.max(totals.position, one.position),
          };
        } catch (oneError) {
          if (!isRejection(oneError)) throw oneError;
          parsed[index] = { ok: false, ...describeRejection(oneError) };
        }
      }
    }

    const now = this.clock();
    const deadLetters: DeadLetter[] = [];
    const items: IngestItemResult[] = batch.messages.map((message, index) => {
      const p = parsed[index]!;
      if (!p.ok) {
        deadLetters.push(deadLetterOf(message, source.channel, p.field, p.reason, now));
        return { status: 'rejected', offset: message.offset, key: message.key, field: p.field, message: p.reason };
      }
      const ref = importRefOf(p.request);
      return {
        status: 'recorded',
        offset: message.offset,
        editId: editIdForSource(system, ref),
        factKey: p.request.factKey,
        ref,
      };
    });
    await this.options.deadLetters.write(deadLetters);

    const report: IngestReport = {
      items,
      submitted: totals.submitted,
      duplicates: totals.duplicates,
      superseded: totals.superseded,
      rejected: deadLetters.length,
      position: totals.position,
    };
    this.stats.batches += 1;
    this.stats.messages += items.length;
    this.stats.submitted += report.submitted;
    this.stats.duplicates += report.duplicates;
    this.stats.rejected += report.rejected;
    this.log(
      `${source.channel} ${span(batch)}: ${items.length} message${items.length === 1 ? '' : 's'}: ${report.submitted} new edit${report.submitted === 1 ? '' : 's'}` +
        `${report.superseded > 0 ? ` (${report.superseded} superseding)` : ''}, ${report.duplicates} already recorded, ${report.rejected} rejected; head position ${report.position}`,
    );
    for (const item of items) {
      if (item.status === 'rejected')
        this.log(
          `${source.channel} ${item.offset}${item.key === undefined ? '' : ` (key ${item.key})`}: rejected, ${item.field}: ${item.message}`,
        );
    }
    this.options.onReport?.(report);
    return report;
  }

  /** Sleep between attempts; stop() cuts it short. */
  private pause(ms: number): Promise<void> {
    if (this.stopping !== undefined || ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    }).finally(() => {
      this.wakeUp = undefined;
    });
  }
}

function span(batch: IngestBatch): string {
  const first = batch.messages[0]?.offset ?? '-';
  const last = batch.messages.at(-1)?.offset ?? first;
  return first === last ? first : `${first}..${last}`;
}

/**
 * A message the ledger refuses for what it says (bad input, a conflict with what is recorded, an edit it names
 * that does not exist) is a dead letter; anything else (the store unavailable, a race lost every time, a bug)
 * stops the batch so it is delivered again.
 */
function isRejection(error: unknown): error is EditledgerError {
  if (!(error instanceof EditledgerError) || error.kind === 'unavailable' || error.kind === 'internal') return false;
  // Losing every retry of a race is not about the message: deliver it again rather than dead-letter it.
  return error.code !== 'wrong_expected_revision';
}
