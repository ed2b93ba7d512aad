// Everything that happened to one edit: its submission, whether it superseded or was superseded, its
// retraction, its reinstatements (each starts a new life; status and endedAt describe the latest), and the model versions trained with it. A pure fold over positioned events; feed it the edit's
// fact stream (and model events, when they matter) in position order.
import type { EditSubmittedData, LedgerEvent, PositionedEvent } from '../domain/events.ts';

export type EditStatus = 'active' | 'retracted' | 'superseded';

export interface EditHistoryEntry {
  readonly position: number;
  readonly type: LedgerEvent['type'];
  /** When the application decided it (metadata.recordedAt). */
  readonly at: string;
  readonly actor: string;
  /** One line for humans, e.g. "superseded by <id>". */
  readonly summary: string;
}

export interface EditDetails {
  readonly editId: string;
  readonly factKey: string;
  readonly status: EditStatus;
  readonly submitted: EditSubmittedData;
  readonly submittedAt: number;
  /** Position where the edit stopped being active, if it did. */
  readonly endedAt: number | undefined;
  readonly supersedes: readonly string[];
  readonly supersededBy: string | undefined;
  readonly retraction: { readonly reason: string; readonly by: string; readonly position: number } | undefined;
  readonly reinstatements: ReadonlyArray<{ readonly reason: string; readonly by: string; readonly position: number }>;
  readonly modelVersions: readonly string[];
  readonly history: readonly EditHistoryEntry[];
  /** The four-eyes review, when there was one (governance `requireApproval`). */
  readonly review?: EditReview;
}

export interface EditReview {
  readonly decision: 'approved' | 'rejected';
  readonly by: string;
  readonly reason: string;
  readonly position: number;
}

interface Draft {
  submitted: EditSubmittedData | undefined;
  submittedAt: number;
  status: EditStatus;
  endedAt: number | undefined;
  supersedes: string[];
  supersededBy: string | undefined;
  retraction: EditDetails['retraction'];
  reinstatements: Array<EditDetails['reinstatements'][number]>;
  modelVersions: string[];
  history: EditHistoryEntry[];
  review?: EditReview;
}

function touches(event: LedgerEvent, editId: string): string | undefined {
  switch (event.type) {
    case 'EditSubmitted':
      return event.data.editId === editId ? `submitted: "${event.data.prompt}" -> "${event.data.target}"` : undefined;
    case 'EditRetracted':
      return event.data.editId === editId ? `retracted by ${event.data.by}: ${event.data.reason}` : undefined;
    case 'EditSuperseded':
      if (event.data.oldEditId === editId) return `superseded by ${event.data.newEditId}`;
      return event.data.newEditId === editId ? `superseded ${event.data.oldEditId}` : undefined;
    case 'EditReinstated':
      return event.data.editId === editId ? `reinstated by ${event.data.by}: ${event.data.reason}` : undefined;
    case 'EditApproved':
      return event.data.editId === editId ? `approved by ${event.data.by}: ${event.data.reason}` : undefined;
    case 'EditRejected':
      return event.data.editId === editId ? `rejected by ${event.data.by}: ${event.data.reason}` : undefined;
    case 'ModelVersionMaterialized':
      return event.data.editIds.includes(editId) ? `trained into model version ${event.data.versionId}` : undefined;
    default:
      return undefined;
  }
}

function step(draft: Draft, { event, position }: PositionedEvent, editId: string): void {
  const summary = touches(event, editId);
  if (summary === undefined) return;
  draft.history.push({
    position,
    type: event.type,
    at: event.metadata.recordedAt,
    actor: event.metadata.actor,
    summary,
  });
  switch (event.type) {
    case 'EditSubmitted':
      draft.submitted = event.data;
      draft.submittedAt = position;
      return;
    case 'EditRetracted':
      draft.status = 'retracted';
      draft.endedAt = position;
      draft.retraction = { reason: event.data.reason, by: event.data.by, position };
      return;
    case 'EditSuperseded':
      if (event.data.oldEditId === editId) {
        draft.status = 'superseded';
        draft.supersededBy = event.data.newEditId;
        draft.endedAt = position + 1; // where its successor begins (the next event of the same batch)
      } else {
        draft.supersedes.push(event.data.oldEditId);
      }
      return;
    case 'EditReinstated':
      draft.status = 'active';
      draft.endedAt = undefined;
      draft.supersededBy = undefined;
      draft.reinstatements.push({ reason: event.data.reason, by: event.data.by, position });
      return;
    case 'EditApproved':
    case 'EditRejected':
      draft.review = {
        decision: event.type === 'EditApproved' ? 'approved' : 'rejected',
        by: event.data.by,
        reason: event.data.reason,
        position,
      };
      return;
    case 'ModelVersionMaterialized':
      draft.modelVersions.push(event.data.versionId);
      return;
    default:
      return;
  }
}

/** Fold `events` (position order) into the details of `editId`; undefined when it was never submitted. */
export function foldEditHistory(events: Iterable<PositionedEvent>, editId: string): EditDetails | undefined {
  const draft: Draft = {
    submitted: undefined,
    submittedAt: 0,
    status: 'active',
    endedAt: undefined,
    supersedes: [],
    supersededBy: undefined,
    retraction: undefined,
    reinstatements: [],
    modelVersions: [],
    history: [],
  };
  for (const event of events) step(draft, event, editId);
  const { submitted, ...rest } = draft;
  if (submitted === undefined) return undefined;
  return { ...rest, editId, factKey: submitted.factKey, submitted };
}
