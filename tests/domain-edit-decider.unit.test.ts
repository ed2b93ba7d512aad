// Given past events / when a command / then new events or a typed error.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { editDecider } from '../domain/edit-decider.ts';
import {
  EditAlreadyActiveError,
  EditAlreadyRetractedError,
  EditAlreadySupersededError,
  EditNotFoundError,
  InvalidFieldError,
  SourceConflictError,
} from '../domain/errors.ts';
import type { LedgerEvent } from '../domain/events.ts';
import { editIdForSource, eventIdFor } from '../domain/ids.ts';
import { deciderSpec } from './helpers/decider-spec.ts';
import { reinstateEdit, retractEdit, submitEdit } from './helpers/edit-fixtures.ts';

const { given, when } = deciderSpec(editDecider);

function thenTypes(t: ExecutionContext, events: LedgerEvent[], types: string[]): void {
  t.deepEqual(
    events.map((e) => e.type),
    types,
  );
}

const first = { system: 'crm', ref: 'T-1' };
const second = { system: 'crm', ref: 'T-2' };
const firstId = editIdForSource(first.system, first.ref);
const secondId = editIdForSource(second.system, second.ref);

test('given no history, when SubmitEdit, then EditSubmitted with an edit id derived from the source', (t) => {
  const events = when([], submitEdit({ source: first }));
  thenTypes(t, events, ['EditSubmitted']);
  const [submitted] = events;
  if (submitted?.type !== 'EditSubmitted') return t.fail();
  t.is(submitted.data.editId, firstId);
  t.is(submitted.id, eventIdFor('EditSubmitted', firstId));
  t.is(submitted.data.target, 'Jane Roe');
  t.is(submitted.metadata.actor, 'alice');
  t.is(submitted.metadata.recordedAt, '2025-01-31T12:00:00.000Z');
});

test('given an active edit, when a new source submits the same fact, then EditSuperseded(old, new) + EditSubmitted, in that order', (t) => {
  const events = when(given(submitEdit({ source: first })), submitEdit({ source: second, target: 'John Doe' }));
  thenTypes(t, events, ['EditSuperseded', 'EditSubmitted']);
  const superseded = events[0];
  if (superseded?.type !== 'EditSuperseded') return t.fail();
  t.deepEqual(
    { old: superseded.data.oldEditId, new: superseded.data.newEditId, factKey: superseded.data.factKey },
    { old: firstId, new: secondId, factKey: 'acme-corp::ceo' },
  );
});

test('given a submitted source, when the same source is redelivered, then no events (whoever resends it)', (t) => {
  const history = given(submitEdit({ source: first }));
  t.deepEqual(when(history, submitEdit({ source: first })), []);
  t.deepEqual(when(history, submitEdit({ source: first, submittedBy: 'mallory', reason: 'resent' })), []);
});

test('given a submitted source, when the same source comes with other content, then a SourceConflictError naming the edit and the fields', (t) => {
  const history = given(submitEdit({ source: first }));
  const error = t.throws(() => when(history, submitEdit({ source: first, target: 'Someone Else', rephrase: ['x?'] })), {
    instanceOf: SourceConflictError,
  });
  t.is(error?.field, 'source.ref');
  t.regex(error?.message ?? '', new RegExp(`crm/T-1 is edit ${firstId}, recorded with a different target, rephrase`));
});

test('given a retracted edit, when ReinstateEdit, then EditReinstated and it is the active edit again', (t) => {
  const history = given(submitEdit({ source: first }), retractEdit(firstId));
  const events = when(history, reinstateEdit(firstId));
  thenTypes(t, events, ['EditReinstated']);
  const state = [...history, ...events].reduce(editDecider.evolve, editDecider.initialState());
  t.is(state.activeEditId, firstId);
  // a second life ends with an event id of its own, and can be reinstated again
  const again = when([...history, ...events], retractEdit(firstId));
  thenTypes(t, again, ['EditRetracted']);
  t.not(again[0]?.id, history[1]?.id);
  const third = when([...history, ...events, ...again], reinstateEdit(firstId));
  t.not(third[0]?.id, events[0]?.id);
});

test('given a superseded edit, when ReinstateEdit, then it supersedes the active one: [EditSuperseded(active, it), EditReinstated]', (t) => {
  const history = given(submitEdit({ source: first }), submitEdit({ source: second, target: 'John Doe' }));
  const events = when(history, reinstateEdit(firstId));
  thenTypes(t, events, ['EditSuperseded', 'EditReinstated']);
  if (events[0]?.type !== 'EditSuperseded') return t.fail();
  t.like(events[0].data, { oldEditId: secondId, newEditId: firstId });
  t.not(events[0].id, history[0]?.id);
  const state = [...history, ...events].reduce(editDecider.evolve, editDecider.initialState());
  t.is(state.activeEditId, firstId);
  // and reinstating the second back again gets a supersession id distinct from the first one
  const back = when([...history, ...events], reinstateEdit(secondId));
  t.not(back[0]?.id, history[0]?.id);
});

test('given an active or unknown edit, when ReinstateEdit, then a typed error', (t) => {
  const history = given(submitEdit({ source: first }));
  t.throws(() => when(history, reinstateEdit(firstId)), { instanceOf: EditAlreadyActiveError });
  t.throws(() => when(history, reinstateEdit(secondId)), { instanceOf: EditNotFoundError });
});

test('given a superseded or retracted edit, when its source is redelivered, then still no events', (t) => {
  const superseded = given(submitEdit({ source: first }), submitEdit({ source: second }));
  t.deepEqual(when(superseded, submitEdit({ source: first })), []);
  const retracted = given(submitEdit({ source: first }), retractEdit(firstId));
  t.deepEqual(when(retracted, submitEdit({ source: first })), []);
});

test('given an active edit, when RetractEdit, then EditRetracted; afterwards the fact has no active edit', (t) => {
  const history = given(submitEdit({ source: first }));
  const events = when(history, retractEdit(firstId));
  thenTypes(t, events, ['EditRetracted']);
  const state = [...history, ...events].reduce(editDecider.evolve, editDecider.initialState());
  t.is(state.activeEditId, undefined);
  // and a later submission is a plain submission, with nothing to supersede
  thenTypes(t, when([...history, ...events], submitEdit({ source: second })), ['EditSubmitted']);
});

test('given a retracted edit, when RetractEdit again, then EditAlreadyRetractedError', (t) => {
  const history = given(submitEdit({ source: first }), retractEdit(firstId));
  const error = t.throws(() => when(history, retractEdit(firstId)), { instanceOf: EditAlreadyRetractedError });
  t.is(error?.field, 'editId');
});

test('given a superseded edit, when RetractEdit, then EditAlreadySupersededError naming the successor', (t) => {
  const history = given(submitEdit({ source: first }), submitEdit({ source: second }));
  t.throws(() => when(history, retractEdit(firstId)), {
    instanceOf: EditAlreadySupersededError,
    message: new RegExp(secondId),
  });
});

test('given a retraction of the newest edit, the superseded one stays superseded (supersession is final)', (t) => {
  const history = given(submitEdit({ source: first }), submitEdit({ source: second }), retractEdit(secondId));
  const state = history.reduce(editDecider.evolve, editDecider.initialState());
  t.is(state.activeEditId, undefined);
  t.is(state.edits.get(firstId)?.status, 'superseded');
});

test('given no history, when RetractEdit of an unknown edit, then EditNotFoundError', (t) => {
  const error = t.throws(() => when([], retractEdit(firstId)), { instanceOf: EditNotFoundError });
  t.is(error?.field, 'editId');
});

test('given another fact, when RetractEdit names a different fact key, then EditNotFoundError', (t) => {
  const history = given(submitEdit({ source: first }));
  t.throws(() => when(history, retractEdit(firstId, 'other-corp::ceo')), { instanceOf: EditNotFoundError });
});

const invalidSubmissions: Array<[string, Parameters<typeof submitEdit>[0], string]> = [
  ['empty prompt', { prompt: '' }, 'prompt'],
  ['blank target', { target: '  \n ' }, 'target'],
  ['malformed factKey (upper case, spaces)', { factKey: 'Acme Corp::CEO' }, 'factKey'],
  ['factKey with one segment', { factKey: 'acme-corp' }, 'factKey'],
  ['factKey with a trailing separator', { factKey: 'acme-corp::' }, 'factKey'],
  ['factKey too long', { factKey: `a::${'b'.repeat(250)}` }, 'factKey'],
  ['locality probe with empty prompt', { locality: [{ prompt: '' }] }, 'locality.0.prompt'],
  ['source with empty ref', { source: { system: 'crm', ref: '' } }, 'source.ref'],
  ['evidence link that is not a URL', { evidenceUrl: 'see email' }, 'evidenceUrl'],
];

for (const [name, overrides, field] of invalidSubmissions) {
  test(`when SubmitEdit with ${name}, then InvalidFieldError naming ${field}`, (t) => {
    const error = t.throws(() => when([], submitEdit(overrides)), { instanceOf: InvalidFieldError });
    t.is(error?.field, field);
  });
}

test('when SubmitEdit has bad command metadata, then InvalidFieldError naming the metadata field', (t) => {
  const error = t.throws(() => when([], submitEdit({}, { now: 'now' })), { instanceOf: InvalidFieldError });
  t.is(error?.field, 'metadata.now');
});

test('given a fact stream, when a command for another fact key arrives, then InvalidFieldError on factKey', (t) => {
  const history = given(submitEdit({ source: first }));
  const error = t.throws(() => when(history, submitEdit({ source: second, factKey: 'other-corp::ceo' })), {
    instanceOf: InvalidFieldError,
  });
  t.is(error?.field, 'factKey');
});

test('decide is pure: the same command and history always give identical events', (t) => {
  const history = given(submitEdit({ source: first }));
  const command = submitEdit({ source: second });
  t.deepEqual(when(history, command), when(history, command));
});

test('when a command of an unknown type arrives, then InvalidFieldError on type naming it', (t) => {
  const bogus = { ...submitEdit(), type: 'DeleteEverything' } as unknown as Parameters<typeof when>[1];
  const error = t.throws(() => when([], bogus), { instanceOf: InvalidFieldError });
  t.is(error?.field, 'type');
  t.regex(error?.message ?? '', /unknown command type "DeleteEverything"/);
});
