// Read-side use cases over the event-store port, shared by `editledger edit show` and the HTTP API: one edit's
// details and history (its fact stream folded), and a page of the active edit set in ledger order.
import { EditNotFoundError } from '../domain/errors.ts';
import { parseRecordedEvent } from '../domain/events.ts';
import { factStreamName } from '../domain/fact-key.ts';
import type { EventStore } from '../domain/ports/event-store.ts';
import { foldEditHistory } from './edit-history.ts';
import type { EditDetails } from './edit-history.ts';
import type { ActiveEdit } from '../domain/active-edits.ts';

/** One edit with its history; `factKeyOf` locates its stream (the edit index). */
export async function showEdit(
  store: Pick<EventStore, 'readStream'>,
  factKeyOf: (editId: string) => string | undefined,
  editId: string,
): Promise<EditDetails> {
  const id = editId.trim().toLowerCase();
  const factKey = factKeyOf(id);
  if (factKey === undefined) throw new EditNotFoundError(id);
  const events = (await store.readStream(factStreamName(factKey))).map(parseRecordedEvent);
  const details = foldEditHistory(events, id);
  if (details === undefined) throw new EditNotFoundError(id);
  return details;
}

export interface EditSetPage {
  readonly position: number;
  readonly editSetHash: string;
  readonly total: number;
  readonly edits: ReadonlyArray<ActiveEdit & { readonly submittedAt: number }>;
  /** Pass as `after` for the next page; absent on the last page. */
  readonly nextAfter?: number;
}

/** The edit set as of a position, ordered by the position each edit was submitted at, from `after` (exclusive). */
export function pageEditSet(
  set: { position: number; editSetHash: string; edits: readonly ActiveEdit[]; submittedAt: readonly number[] },
  after: number,
  limit: number,
): EditSetPage {
  const ordered = set.edits
    .map((edit, i) => ({ ...edit, submittedAt: set.submittedAt[i]! }))
    .sort((a, b) => a.submittedAt - b.submittedAt || (a.editId < b.editId ? -1 : 1));
  const rest = ordered.filter((e) => e.submittedAt > after);
  const edits = rest.slice(0, limit);
  const last = edits.at(-1);
  return {
    position: set.position,
    editSetHash: set.editSetHash,
    total: ordered.length,
    edits,
    ...(rest.length > limit && last !== undefined && { nextAfter: last.submittedAt }),
  };
}
