// The rules for edits, as an Emmett-style decider over ONE fact stream (`fact-<factKey>`):
//   decide(command, state) -> event data   (throws a typed EditledgerError when the command breaks a rule; the
//                                           command handler adds ids and metadata: domain/decided-event.ts)
//   evolve(state, event)   -> state
// Keeping every edit of a fact in one stream means "supersede the active edit" is decided against the stream's
// exact revision: two concurrent submissions for one fact cannot both think they are the first.
//
// Rules:
// - SubmitEdit appends EditSubmitted. The same upstream (system, ref) again with the same content is a redelivery
//   (no events); with different content it is a SourceConflictError naming the edit and the fields (issue 18.1).
//   Otherwise, if the fact already has an active edit, the batch is
//   [EditSuperseded(old, new), EditSubmitted(new)], atomically. The projections end the old edit where the
//   new one begins (the next position of the same atomic batch), so a position inside the batch still shows the
//   old edit and a position after it the new one: never two, never none (issue 18 point 4). The edit id is a
//   v5 UUID of the upstream (system, ref); the caller reports a redelivery as the first submission.
// - RetractEdit ends an active edit. Unknown, already-retracted and superseded edits are typed errors.
//   Retracting the newest edit does not revive the one it superseded; only ReinstateEdit (below) brings an
//   ended edit back, as its own event with an actor and a reason (issue 18.2).
import {
  EditAlreadyActiveError,
  EditAlreadyReviewedError,
  EditNotReviewableError,
  EditAlreadyRetractedError,
  EditAlreadySupersededError,
  EditNotFoundError,
  InvalidFieldError,
  SourceConflictError,
} from './errors.ts';
import type {
  ApproveEdit,
  EditCommand,
  RejectEdit,
  ReinstateEdit,
  RetractEdit,
  SubmitEdit,
  DecideSubmitData,
} from './edit-commands.ts';
import { canonicalJson } from './canonical-json.ts';
import {
  ReinstateEditDataSchema,
  RetractEditDataSchema,
  ReviewEditDataSchema,
  DecideSubmitDataSchema,
} from './edit-commands.ts';
import { EditErasedError } from './erasure-errors.ts';
import { isErasedContent } from './personal-data.ts';
import type { EditEvent, EditReinstated, EditRetracted, EditSubmitted, EditSuperseded, LedgerEvent } from './events.ts';
import type { Decided } from './decided-event.ts';
import { validated } from './events.ts';
import { editIdForSource } from './ids.ts';

import { decideByType } from './command-handler.ts';
import type { Decider } from './command-handler.ts';

export type EditStatus = 'active' | 'retracted' | 'superseded';

export interface FactEditState {
  readonly status: EditStatus;
  /** Four-eyes review, once: approved (trainable when governance requires approval) or rejected (never). */
  readonly review?: 'approved' | 'rejected';
  readonly supersededBy?: string;
  /** What the correction says, to tell a redelivery (same content) from a conflicting resend (issue 18.1). */
  readonly content: CorrectionContent;
  /** How many times it was reinstated: ending events of a later life get their own deterministic ids. */
  readonly lives: number;
}

/** The fields that say what a correction is; who sent it and why may differ between deliveries. */
const CONTENT_FIELDS = ['prompt', 'target', 'subject', 'rephrase', 'locality', 'evidenceUrl'] as const;
export type CorrectionContent = Pick<DecideSubmitData, (typeof CONTENT_FIELDS)[number]>;

function contentOf(data: DecideSubmitData): CorrectionContent {
  const { prompt, target, subject, rephrase, locality, evidenceUrl } = data;
  return { prompt, target, subject, rephrase, locality, evidenceUrl };
}

/** The content fields on which two submissions of one upstream id differ (empty: a redelivery). */
export function differingFields(a: CorrectionContent, b: CorrectionContent): string[] {
  return CONTENT_FIELDS.filter((field) => canonicalJson(a[field] ?? null) !== canonicalJson(b[field] ?? null));
}

export interface FactState {
  /** Undefined until the stream's first event. */
  readonly factKey: string | undefined;
  readonly edits: ReadonlyMap<string, FactEditState>;
  readonly activeEditId: string | undefined;
  /** The data subject's key of a fact about a person (its stream holds only that person's edits). */
  readonly subjectKeyId?: string;
}

export const initialFactState = (): FactState => ({ factKey: undefined, edits: new Map(), activeEditId: undefined });

function assertSameFact(state: FactState, factKey: string): void {
  if (state.factKey !== undefined && state.factKey !== factKey) {
    throw new InvalidFieldError('factKey', `"${factKey}" does not belong to the stream of "${state.factKey}"`);
  }
}

/** The fact's data-subject key, for events whose reason is sealed with the edit's content. */
function subjectOf(state: FactState): { subjectKeyId?: string } {
  return state.subjectKeyId === undefined ? {} : { subjectKeyId: state.subjectKeyId };
}

function decideSubmit(command: SubmitEdit, state: FactState): Decided<EditEvent>[] {
  const data = validated(DecideSubmitDataSchema, command.data);
  assertSameFact(state, data.factKey);
  const editId = editIdForSource(data.source.system, data.source.ref);
  const known = state.edits.get(editId);
  if (known !== undefined) {
    const differing = differingFields(known.content, contentOf(data));
    if (differing.length === 0) return []; // redelivery of the same upstream correction
    throw new SourceConflictError(
      data.source.system,
      data.source.ref,
      `is edit ${editId}, recorded with a different ${differing.join(', ')}; a changed correction needs a new source ref`,
    );
  }

  const submitted: Decided<EditSubmitted> = {
    type: 'EditSubmitted',
    data: { schemaVersion: 1, editId, ...data },
    identity: { oncePer: editId },
  };
  const superseded = supersessionOf(state, editId, data.factKey);
  return superseded === undefined ? [submitted] : [superseded, submitted];
}

/** `editId` with the life it is in: the first life keeps the plain id, so ledgers from before reinstatement keep
 * their event ids; each reinstatement starts a new life whose ending events need ids of their own. */
function inLife(editId: string, lives: number): string {
  return lives === 0 ? editId : `${editId}#${lives}`;
}

/** The EditSuperseded that ends the fact's active edit in favour of `newEditId`, if the fact has one. */
function supersessionOf(state: FactState, newEditId: string, factKey: string): Decided<EditSuperseded> | undefined {
  const oldEditId = state.activeEditId;
  if (oldEditId === undefined) return undefined;
  const lives = state.edits.get(oldEditId)?.lives ?? 0;
  return {
    type: 'EditSuperseded',
    data: { schemaVersion: 1, oldEditId, newEditId, factKey },
    // Keyed by the pair: two writers racing to supersede one edit must not produce the same event id.
    identity: { oncePer: `${inLife(oldEditId, lives)}>${newEditId}` },
  };
}

/**
 * ReinstateEdit makes a retracted or superseded edit active again (an explicit decision, unlike a redelivery,
 * which never changes anything). If the fact has another active edit, the reinstated one supersedes it, in the
 * same order as a submission: [EditSuperseded(active, reinstated), EditReinstated].
 */
function decideReinstate(command: ReinstateEdit, state: FactState): Decided<EditEvent>[] {
  const data = validated(ReinstateEditDataSchema, command.data);
  const edit = activeOrEnded(state, data);
  if (edit.status === 'active') throw new EditAlreadyActiveError(data.editId);
  if (isErasedContent(edit.content)) throw new EditErasedError(data.editId);
  const reinstated: Decided<EditReinstated> = {
    type: 'EditReinstated',
    data: { schemaVersion: 1, ...data, ...subjectOf(state) },
    identity: { oncePer: inLife(data.editId, edit.lives + 1) },
  };
  const superseded = supersessionOf(state, data.editId, data.factKey);
  return superseded === undefined ? [reinstated] : [superseded, reinstated];
}

function decideRetract(command: RetractEdit, state: FactState): Decided<EditEvent>[] {
  const data = validated(RetractEditDataSchema, command.data);
  const edit = activeOrEnded(state, data);
  if (edit.status === 'retracted') throw new EditAlreadyRetractedError(data.editId);
  if (edit.status === 'superseded')
    throw new EditAlreadySupersededError(data.editId, edit.supersededBy ?? 'a newer edit');
  const retracted: Decided<EditRetracted> = {
    type: 'EditRetracted',
    data: { schemaVersion: 1, ...data, ...subjectOf(state) },
    identity: { oncePer: inLife(data.editId, edit.lives) },
  };
  return [retracted];
}

function decideReview(command: ApproveEdit | RejectEdit, state: FactState): Decided<EditEvent>[] {
  const data = validated(ReviewEditDataSchema, command.data);
  const edit = activeOrEnded(state, data);
  if (edit.review !== undefined) throw new EditAlreadyReviewedError(data.editId, edit.review);
  if (edit.status !== 'active') throw new EditNotReviewableError(data.editId, edit.status);
  const type = command.type === 'ApproveEdit' ? 'EditApproved' : 'EditRejected';
  // Reviewed once per edit: the event id follows from the edit, so a retried command appends nothing.
  return [{ type, data: { schemaVersion: 1, ...data, ...subjectOf(state) }, identity: { oncePer: data.editId } }];
}

/** The edit a retract, reinstate or review names, which must be in this fact's stream. */
function activeOrEnded(state: FactState, target: { editId: string; factKey: string }): FactEditState {
  const edit = state.edits.get(target.editId);
  if (edit === undefined || state.factKey !== target.factKey) throw new EditNotFoundError(target.editId);
  return edit;
}

export const decideEdit = decideByType<FactState, EditCommand, EditEvent>({
  SubmitEdit: decideSubmit,
  RetractEdit: decideRetract,
  ReinstateEdit: decideReinstate,
  ApproveEdit: decideReview,
  RejectEdit: decideReview,
});

/** An edit the stream already holds (its EditSubmitted comes first in the stream). */
function recorded(state: FactState, editId: string): FactEditState {
  const edit = state.edits.get(editId);
  if (edit === undefined) throw new Error(`fact stream event refers to ${editId} before its EditSubmitted`);
  return {
    status: edit.status,
    content: edit.content,
    lives: edit.lives,
    ...(edit.review !== undefined && { review: edit.review }),
  };
}

function withEdit(state: FactState, editId: string, edit: FactEditState): Map<string, FactEditState> {
  const edits = new Map(state.edits);
  edits.set(editId, edit);
  return edits;
}

export function evolveFact(state: FactState, event: LedgerEvent): FactState {
  switch (event.type) {
    case 'EditSubmitted':
      return {
        factKey: event.data.factKey,
        edits: withEdit(state, event.data.editId, { status: 'active', content: contentOf(event.data), lives: 0 }),
        activeEditId: event.data.editId,
        ...(event.data.subjectKeyId !== undefined && { subjectKeyId: event.data.subjectKeyId }),
      };
    case 'EditSuperseded': {
      const edits = withEdit(state, event.data.oldEditId, {
        ...recorded(state, event.data.oldEditId),
        status: 'superseded',
        supersededBy: event.data.newEditId,
      });
      // The new edit's EditSubmitted follows in the same batch and makes it the active one.
      const activeEditId = state.activeEditId === event.data.oldEditId ? undefined : state.activeEditId;
      return { ...state, factKey: event.data.factKey, edits, activeEditId };
    }
    case 'EditRetracted': {
      const edits = withEdit(state, event.data.editId, { ...recorded(state, event.data.editId), status: 'retracted' });
      const activeEditId = state.activeEditId === event.data.editId ? undefined : state.activeEditId;
      return { ...state, factKey: event.data.factKey, edits, activeEditId };
    }
    case 'EditReinstated': {
      const before = recorded(state, event.data.editId);
      const edits = withEdit(state, event.data.editId, { ...before, status: 'active', lives: before.lives + 1 });
      return { ...state, factKey: event.data.factKey, edits, activeEditId: event.data.editId };
    }
    case 'EditApproved':
    case 'EditRejected': {
      const review = event.type === 'EditApproved' ? 'approved' : 'rejected';
      const edits = withEdit(state, event.data.editId, { ...recorded(state, event.data.editId), review });
      return { ...state, edits };
    }
    default:
      return state;
  }
}

export const editDecider: Decider<FactState, EditCommand, EditEvent> = {
  decide: decideEdit,
  evolve: evolveFact,
  initialState: initialFactState,
};
