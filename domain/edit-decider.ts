// The rules for edits, as an Emmett-style decider over ONE fact stream (`fact-<factKey>`):
//   decide(command, state) -> events   (throws a typed DomainError when the command breaks a rule)
//   evolve(state, event)   -> state
// Keeping every edit of a fact in one stream means "supersede the active edit" is decided against the stream's
// exact revision: two concurrent submissions for one fact cannot both think they are the first.
//
// Rules:
// - SubmitEdit appends EditSubmitted; if the fact already has an active edit, the batch is
//   [EditSuperseded(old, new), EditSubmitted(new)], atomically. The projections end the old edit where the
//   new one begins (the next position of the same atomic batch), so a position inside the batch still shows the
//   old edit and a position after it the new one: never two, never none (issue 18 point 4). The edit id is a v5 UUID of the upstream (system, ref): submitting the same source
//   again is a no-op (no events) and the caller reports the first submission.
// - RetractEdit ends an active edit. Unknown, already-retracted and superseded edits are typed errors.
//   Retracting the newest edit does not revive the one it superseded: supersession is final.
import type { z } from 'zod';
import {
  EditAlreadyRetractedError,
  EditAlreadySupersededError,
  EditNotFoundError,
  InvalidFieldError,
} from './errors.ts';
import type { EditCommand, RetractEdit, SubmitEdit } from './edit-commands.ts';
import { CommandMetadataSchema, RetractEditDataSchema, SubmitEditDataSchema } from './edit-commands.ts';
import type { EditEvent, EditRetracted, EditSubmitted, EditSuperseded, EventMetadata, LedgerEvent } from './events.ts';
import { toInvalidFieldError } from './events.ts';
import { editIdForSource, eventIdFor } from './ids.ts';

export interface Decider<State, Command, Event> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

export type EditStatus = 'active' | 'retracted' | 'superseded';

export interface FactEditState {
  readonly status: EditStatus;
  readonly supersededBy?: string;
}

export interface FactState {
  /** Undefined until the stream's first event. */
  readonly factKey: string | undefined;
  readonly edits: ReadonlyMap<string, FactEditState>;
  readonly activeEditId: string | undefined;
}

export const initialFactState = (): FactState => ({ factKey: undefined, edits: new Map(), activeEditId: undefined });

function validated<T>(schema: z.ZodType<T>, value: unknown, prefix: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw toInvalidFieldError(result.error, prefix === '' ? [] : [prefix]);
  return result.data;
}

function eventMetadata(command: EditCommand): EventMetadata {
  const m = validated(CommandMetadataSchema, command.metadata, 'metadata');
  return {
    actor: m.actor,
    source: m.source,
    correlationId: m.correlationId,
    causationId: m.commandId,
    recordedAt: m.now,
  };
}

function assertSameFact(state: FactState, factKey: string): void {
  if (state.factKey !== undefined && state.factKey !== factKey) {
    throw new InvalidFieldError('factKey', `"${factKey}" does not belong to the stream of "${state.factKey}"`);
  }
}

function decideSubmit(command: SubmitEdit, state: FactState): EditEvent[] {
  const data = validated(SubmitEditDataSchema, command.data, '');
  const metadata = eventMetadata(command);
  assertSameFact(state, data.factKey);
  const editId = editIdForSource(data.source.system, data.source.ref);
  if (state.edits.has(editId)) return []; // redelivery of the same upstream correction

  const submitted: EditSubmitted = {
    id: eventIdFor('EditSubmitted', editId),
    type: 'EditSubmitted',
    data: { schemaVersion: 1, editId, ...data },
    metadata,
  };
  if (state.activeEditId === undefined) return [submitted];
  const superseded: EditSuperseded = {
    // Keyed by the pair: two writers racing to supersede one edit must not produce the same event id.
    id: eventIdFor('EditSuperseded', `${state.activeEditId}>${editId}`),
    type: 'EditSuperseded',
    data: { schemaVersion: 1, oldEditId: state.activeEditId, newEditId: editId, factKey: data.factKey },
    metadata,
  };
  return [superseded, submitted];
}

function decideRetract(command: RetractEdit, state: FactState): EditEvent[] {
  const data = validated(RetractEditDataSchema, command.data, '');
  const metadata = eventMetadata(command);
  const edit = state.edits.get(data.editId);
  if (edit === undefined || state.factKey !== data.factKey) throw new EditNotFoundError(data.editId);
  if (edit.status === 'retracted') throw new EditAlreadyRetractedError(data.editId);
  if (edit.status === 'superseded')
    throw new EditAlreadySupersededError(data.editId, edit.supersededBy ?? 'a newer edit');
  const retracted: EditRetracted = {
    id: eventIdFor('EditRetracted', data.editId),
    type: 'EditRetracted',
    data: { schemaVersion: 1, ...data },
    metadata,
  };
  return [retracted];
}

export function decideEdit(command: EditCommand, state: FactState): EditEvent[] {
  switch (command.type) {
    case 'SubmitEdit':
      return decideSubmit(command, state);
    case 'RetractEdit':
      return decideRetract(command, state);
  }
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
        edits: withEdit(state, event.data.editId, { status: 'active' }),
        activeEditId: event.data.editId,
      };
    case 'EditSuperseded': {
      const edits = withEdit(state, event.data.oldEditId, { status: 'superseded', supersededBy: event.data.newEditId });
      // The new edit's EditSubmitted follows in the same batch and makes it the active one.
      const activeEditId = state.activeEditId === event.data.oldEditId ? undefined : state.activeEditId;
      return { factKey: event.data.factKey, edits, activeEditId };
    }
    case 'EditRetracted': {
      const edits = withEdit(state, event.data.editId, { status: 'retracted' });
      const activeEditId = state.activeEditId === event.data.editId ? undefined : state.activeEditId;
      return { factKey: event.data.factKey, edits, activeEditId };
    }
    default:
      return state;
  }
}

export const editDecider: Decider<FactState, EditCommand, LedgerEvent> = {
  decide: decideEdit,
  evolve: evolveFact,
  initialState: initialFactState,
};
