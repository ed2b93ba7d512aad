// Edit search for the dashboard: a pure fold of the edit events into one summary per edit (content, upstream source,
// current status), and the filter the search route applies to it. Status follows projections/edit-history.ts: a
// retraction or supersession ends an edit, a reinstatement makes it active again; an erasure (DataSubjectErased) ends
// it for good and drops its content from the summary, so a long-running index forgets what was erased.
import type { PositionedEvent } from '../domain/events.ts';
import { ERASED } from '../domain/personal-data.ts';
import type { EditStatus } from './edit-history.ts';

/** An edit's status in the search: the edit history's, or erased (its data subject's key was destroyed). */
export type SearchEditStatus = EditStatus | 'erased';

export interface EditSummary {
  readonly editId: string;
  readonly factKey: string;
  readonly subject?: string;
  readonly prompt: string;
  readonly target: string;
  readonly source: { readonly system: string; readonly ref: string };
  readonly submittedBy: string;
  /** Ledger position of the EditSubmitted event. */
  readonly submittedAt: number;
  readonly status: SearchEditStatus;
  /** The four-eyes review, once it happened. */
  readonly review?: 'approved' | 'rejected';
}

/** What the status filter accepts: an edit status, or the review state (governance requireApproval). */
export type SearchStatus = SearchEditStatus | 'pending' | 'rejected';

export interface EditSearchQuery {
  /** Case-insensitive substring of the fact key, subject, prompt, target or edit id. */
  readonly q?: string;
  /** `pending`: active, not yet reviewed while approval is required; `rejected`: an approver rejected it. */
  readonly status?: SearchStatus;
  /** Whether the governance requires approval (only then is an unreviewed edit pending). */
  readonly approvalRequired?: boolean;
  /** Exact upstream system. */
  readonly system?: string;
  /** Exact upstream ref. */
  readonly ref?: string;
  readonly limit: number;
}

export interface EditSearchResult {
  /** Matches in all (the page holds at most `limit` of them). */
  readonly total: number;
  /** Newest submission first. */
  readonly edits: readonly EditSummary[];
}

/** The summaries, kept up to date event by event; `cursor` is the last ledger position folded in. */
export class EditSearchFold {
  private readonly byId = new Map<string, EditSummary>();
  cursor = 0;

  get size(): number {
    return this.byId.size;
  }

  /** Fold one event (position order); events that are not about edits are ignored. */
  apply({ event, position }: PositionedEvent): void {
    switch (event.type) {
      case 'EditSubmitted': {
        if (this.byId.has(event.data.editId)) break; // a redelivery changes nothing
        const { editId, factKey, subject, prompt, target, source, submittedBy } = event.data;
        this.byId.set(editId, {
          editId,
          factKey,
          ...(subject !== undefined && { subject }),
          prompt,
          target,
          source: { system: source.system, ref: source.ref },
          submittedBy,
          submittedAt: position,
          status: 'active',
        });
        break;
      }
      case 'EditRetracted':
        this.setStatus(event.data.editId, 'retracted');
        break;
      case 'EditSuperseded':
        this.setStatus(event.data.oldEditId, 'superseded');
        break;
      case 'EditReinstated':
        this.setStatus(event.data.editId, 'active');
        break;
      case 'EditApproved':
      case 'EditRejected': {
        const edit = this.byId.get(event.data.editId);
        if (edit !== undefined)
          this.byId.set(edit.editId, { ...edit, review: event.type === 'EditApproved' ? 'approved' : 'rejected' });
        break;
      }
      case 'DataSubjectErased':
        for (const editId of event.data.erasedEditIds) this.erase(editId);
        break;
      default:
        break;
    }
    this.cursor = Math.max(this.cursor, position);
  }

  search(query: EditSearchQuery): EditSearchResult {
    return searchEdits(this.byId.values(), query);
  }

  private setStatus(editId: string, status: EditStatus): void {
    const edit = this.byId.get(editId);
    // Erasure is final: nothing after it (a late redelivery of a retraction, say) makes the edit anything else.
    if (edit !== undefined && edit.status !== 'erased') this.byId.set(editId, { ...edit, status });
  }

  /** The summary keeps what identifies the record (id, pseudonymous fact key, source, submitter), not the content. */
  private erase(editId: string): void {
    const edit = this.byId.get(editId);
    if (edit === undefined) return;
    const { factKey, source, submittedBy, submittedAt, review } = edit;
    this.byId.set(editId, {
      editId,
      factKey,
      prompt: ERASED,
      target: ERASED,
      source,
      submittedBy,
      submittedAt,
      status: 'erased',
      ...(review !== undefined && { review }),
    });
  }
}

function hasStatus(edit: EditSummary, status: SearchStatus, approvalRequired: boolean): boolean {
  if (status === 'pending') return approvalRequired && edit.status === 'active' && edit.review === undefined;
  if (status === 'rejected') return edit.review === 'rejected';
  return edit.status === status;
}

function matchesText(edit: EditSummary, needle: string): boolean {
  return [edit.factKey, edit.subject ?? '', edit.prompt, edit.target, edit.editId].some((field) =>
    field.toLowerCase().includes(needle),
  );
}

/** The edits matching every given criterion, newest submission first, at most `limit`. */
export function searchEdits(edits: Iterable<EditSummary>, query: EditSearchQuery): EditSearchResult {
  const needle = query.q?.trim().toLowerCase() ?? '';
  const matches: EditSummary[] = [];
  for (const edit of edits) {
    if (query.status !== undefined && !hasStatus(edit, query.status, query.approvalRequired === true)) continue;
    if (query.system !== undefined && edit.source.system !== query.system) continue;
    if (query.ref !== undefined && edit.source.ref !== query.ref) continue;
    if (needle !== '' && !matchesText(edit, needle)) continue;
    matches.push(edit);
  }
  matches.sort((a, b) => b.submittedAt - a.submittedAt);
  return { total: matches.length, edits: matches.slice(0, query.limit) };
}
