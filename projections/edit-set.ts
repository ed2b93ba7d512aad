// The active edit set as of a global ledger position P: every edit submitted at or before P that was neither
// retracted nor superseded at or before P. This is what a model version is trained on, so its order and hash
// are defined exactly:
// - canonical order: by factKey, then editId (plain string comparison, UTF-16 code units);
// - editSetHash: sha256 (hex) of the canonical JSON (see domain/canonical-json.ts) of the ordered array of
//   ActiveEdit records. Positions, reasons and actors are not part of it: equal training content, equal hash.
//
// Each edit is alive on a half-open interval of positions [submittedAt, endedAt):
// - retracted: endedAt = position of the EditRetracted event;
// - superseded: endedAt = the position of the successor's EditSubmitted, i.e. the EditSuperseded position + 1:
//   the decider appends [EditSuperseded, EditSubmitted] as one atomic batch, so they are adjacent. The old edit
//   stays active at the EditSuperseded position itself, so every position shows exactly one edit of the fact
//   (never two, never none; issue 18 point 4).
// - reinstated: a new interval starts at the EditReinstated position (an edit has one interval per life).
// `EditIntervalIndex` keeps those intervals as events arrive, so "as of P" is a scan of an array instead of a
// re-fold of the ledger; `foldEditSetAt` is the plain re-fold, kept as the reference and the benchmark baseline.
import { canonicalJson, sha256Hex } from '../domain/canonical-json.ts';
import { createHash } from 'node:crypto';
import type { ActiveEdit, EditSet } from '../domain/active-edits.ts';
import type { EditSubmittedData, LedgerEvent, PositionedEvent } from '../domain/events.ts';

export function activeEditOf(data: EditSubmittedData): ActiveEdit {
  const edit: ActiveEdit = {
    editId: data.editId,
    factKey: data.factKey,
    prompt: data.prompt,
    target: data.target,
    rephrase: data.rephrase,
    locality: data.locality.map((l) =>
      l.answer === undefined ? { prompt: l.prompt } : { prompt: l.prompt, answer: l.answer },
    ),
  };
  return data.subject === undefined ? edit : { ...edit, subject: data.subject };
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Canonical order: factKey, then editId. */
export function compareActiveEdits(
  a: Pick<ActiveEdit, 'factKey' | 'editId'>,
  b: Pick<ActiveEdit, 'factKey' | 'editId'>,
): number {
  return compareStrings(a.factKey, b.factKey) || compareStrings(a.editId, b.editId);
}

/** The canonical JSON of one edit: the unit the set's JSON (and hash) is built from. */
export function canonicalEditJson(edit: ActiveEdit): string {
  return canonicalJson(edit);
}

/** sha256 of `[e1,e2,...]` given each edit's canonical JSON in canonical order, without building the string. */
export function hashCanonicalEdits(canonicalEdits: Iterable<string>): string {
  const hash = createHash('sha256');
  hash.update('[');
  let first = true;
  for (const json of canonicalEdits) {
    hash.update(first ? json : `,${json}`);
    first = false;
  }
  return hash.update(']').digest('hex');
}

/** Sorts (a copy of) `edits` canonically and hashes them. */
export function makeEditSet(position: number, edits: readonly ActiveEdit[]): EditSet {
  const sorted = [...edits].sort(compareActiveEdits);
  return { position, edits: sorted, editSetHash: sha256Hex(canonicalJson(sorted)) };
}

export interface EditInterval {
  readonly edit: ActiveEdit;
  readonly submittedAt: number;
  /** Exclusive end; undefined while the edit is active at the head. */
  endedAt: number | undefined;
  endReason: 'retracted' | 'superseded' | undefined;
}

/**
 * Incremental fold of edit events into intervals. Feed events in position order with `apply`; ask
 * `editSetAt(P)` for any P up to `position`. Mutable on purpose: at a million events, copying per event would
 * dominate; it does no I/O and the same events always give the same index.
 */
export class EditIntervalIndex {
  /** In submittedAt order, because events arrive in position order. */
  private readonly intervals: EditInterval[] = [];
  private readonly byId = new Map<string, EditInterval>();
  /** Last applied position. */
  position = 0;

  apply(positioned: Pick<PositionedEvent, 'event' | 'position'>): void {
    const { event, position } = positioned;
    if (position <= this.position)
      throw new RangeError(`position ${position} is not after ${this.position}: apply events in order`);
    this.position = position;
    this.applyEvent(event, position);
  }

  private applyEvent(event: LedgerEvent, position: number): void {
    switch (event.type) {
      case 'EditSubmitted':
        if (this.byId.has(event.data.editId)) return; // a redelivered duplicate cannot restart an interval
        this.begin(event.data.editId, activeEditOf(event.data), position);
        return;
      case 'EditRetracted':
        this.end(event.data.editId, position, 'retracted');
        return;
      case 'EditSuperseded':
        // Ends where the successor's EditSubmitted (the next position of the same batch) begins.
        this.end(event.data.oldEditId, position + 1, 'superseded');
        return;
      case 'EditReinstated': {
        const previous = this.byId.get(event.data.editId);
        if (previous === undefined || previous.endedAt === undefined) return;
        this.begin(event.data.editId, previous.edit, position); // a new life of the same edit
        return;
      }
      default:
        return;
    }
  }

  private begin(editId: string, edit: ActiveEdit, at: number): void {
    const interval: EditInterval = { edit, submittedAt: at, endedAt: undefined, endReason: undefined };
    this.intervals.push(interval);
    this.byId.set(editId, interval);
  }

  private end(editId: string, at: number, reason: 'retracted' | 'superseded'): void {
    const interval = this.byId.get(editId);
    if (interval === undefined || interval.endedAt !== undefined) return;
    interval.endedAt = at;
    interval.endReason = reason;
  }

  /** The edit's latest interval (its current life). */
  interval(editId: string): Readonly<EditInterval> | undefined {
    return this.byId.get(editId);
  }

  get size(): number {
    return this.intervals.length;
  }

  /** Active edits as of `position` (<= the last applied position), canonically sorted and hashed. */
  editSetAt(position: number): EditSet {
    if (position > this.position)
      throw new RangeError(`position ${position} is beyond the last applied position ${this.position}`);
    const end = upperBound(this.intervals, position);
    const active: ActiveEdit[] = [];
    for (let i = 0; i < end; i++) {
      const interval = this.intervals[i]!;
      if (interval.endedAt === undefined || interval.endedAt > position) active.push(interval.edit);
    }
    return makeEditSet(position, active);
  }
}

/** Number of intervals with submittedAt <= position (they are sorted by submittedAt). */
function upperBound(intervals: readonly EditInterval[], position: number): number {
  let lo = 0;
  let hi = intervals.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (intervals[mid]!.submittedAt <= position) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Reference implementation: re-fold every event up to `position` from scratch. */
export function foldEditSetAt(
  events: Iterable<Pick<PositionedEvent, 'event' | 'position'>>,
  position: number,
): EditSet {
  const index = new EditIntervalIndex();
  for (const event of events) {
    if (event.position > position) break;
    index.apply(event);
  }
  index.position = Math.max(index.position, position);
  return index.editSetAt(position);
}
