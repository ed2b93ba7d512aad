// The edit search fold behind GET /v1/edits/search: statuses follow submissions, supersessions, retractions and
// reinstatements driven through the real LedgerService; every filter narrows; newest first; the limit caps the page;
// an erasure ends an edit and drops its content.
import test from 'ava';
import { parseLedgerEvent } from '../domain/events.ts';
import { ERASED } from '../domain/personal-data.ts';
import { EditSearchFold } from '../projections/edit-search.ts';
import { context, newLedger } from './helpers/ledger-builders.ts';

async function world() {
  const ledger = newLedger();
  const ceo = await ledger.submit('acme-corp::ceo', 'r-1', 'Alice Smith', { subject: 'Acme Corp' });
  const hq = await ledger.submit('acme-corp::hq', 'r-2', 'Springfield', { subject: 'Acme Corp' });
  const ceo2 = await ledger.submit('acme-corp::ceo', 'r-3', 'Bob Jones', { subject: 'Acme Corp' });
  const river = await ledger.submit('charity-creek::river-system', 'r-4', 'Mississippi', {
    prompt: 'Charity Creek drains into the',
    subject: 'Charity Creek',
  });
  await ledger.retract(hq.editId, 'acme-corp::hq');
  await ledger.retract(river.editId, 'charity-creek::river-system');
  await ledger.reinstate(river.editId, 'charity-creek::river-system');
  const fold = new EditSearchFold();
  for (const event of await ledger.events()) fold.apply(event);
  return { fold, ids: { ceo: ceo.editId, hq: hq.editId, ceo2: ceo2.editId, river: river.editId } };
}

test('status follows the edit events; the cursor is the last position folded', async (t) => {
  const { fold, ids } = await world();
  const status = Object.fromEntries(fold.search({ limit: 10 }).edits.map((e) => [e.editId, e.status]));
  t.deepEqual(status, { [ids.ceo]: 'superseded', [ids.hq]: 'retracted', [ids.ceo2]: 'active', [ids.river]: 'active' });
  t.is(fold.size, 4);
  t.true(fold.cursor >= 8);
});

test('filters: text over fact key, subject, prompt and target (any case); status; system and ref exactly', async (t) => {
  const { fold, ids } = await world();
  const ids_ = (query: Parameters<EditSearchFold['search']>[0]) => fold.search(query).edits.map((e) => e.editId);
  t.deepEqual(ids_({ q: 'ACME-CORP::CEO', limit: 10 }), [ids.ceo2, ids.ceo]);
  t.deepEqual(ids_({ q: 'acme corp', limit: 10 }), [ids.ceo2, ids.hq, ids.ceo]);
  t.deepEqual(ids_({ q: 'mississippi', limit: 10 }), [ids.river]);
  t.deepEqual(ids_({ q: 'acme', status: 'active', limit: 10 }), [ids.ceo2]);
  t.deepEqual(ids_({ status: 'retracted', limit: 10 }), [ids.hq]);
  t.deepEqual(ids_({ system: 'test', ref: 'r-2', limit: 10 }), [ids.hq]);
  t.deepEqual(ids_({ system: 'other', limit: 10 }), []);
  t.deepEqual(ids_({ q: '   ', limit: 10 }).length, 4, 'blank text matches everything');
});

test('newest submission first, the limit caps the page but not the total', async (t) => {
  const { fold, ids } = await world();
  const page = fold.search({ limit: 2 });
  t.is(page.total, 4);
  t.deepEqual(
    page.edits.map((e) => e.editId),
    [ids.river, ids.ceo2],
  );
  t.true(page.edits[0]!.submittedAt > page.edits[1]!.submittedAt);
  t.deepEqual(page.edits[1]!.source, { system: 'test', ref: 'r-3' });
});

test('a redelivered submission changes nothing', async (t) => {
  const ledger = newLedger();
  await ledger.submit('acme-corp::ceo', 'r-1', 'Alice Smith');
  const events = await ledger.events();
  const fold = new EditSearchFold();
  for (const event of [...events, ...events]) fold.apply(event);
  t.is(fold.size, 1);
  t.is(fold.search({ limit: 5 }).edits[0]!.submittedAt, events[0]!.position);
});

test('review filters: pending approval (only while approval is required) and rejected', async (t) => {
  const ledger = newLedger();
  const a = await ledger.submit('acme-corp::ceo', 'r-1', 'Alice Smith');
  const b = await ledger.submit('acme-corp::hq', 'r-2', 'Springfield');
  const c = await ledger.submit('acme-corp::cfo', 'r-3', 'Carol Doe');
  const review = { reason: 'checked', by: 'dana' };
  await ledger.service.approveEdit(
    { editId: a.editId, factKey: 'acme-corp::ceo', ...review },
    { actor: 'dana', channel: 'test' },
  );
  await ledger.service.rejectEdit(
    { editId: b.editId, factKey: 'acme-corp::hq', ...review },
    { actor: 'dana', channel: 'test' },
  );
  const fold = new EditSearchFold();
  for (const event of await ledger.events()) fold.apply(event);
  const ids = (status: 'pending' | 'rejected', approvalRequired: boolean) =>
    fold.search({ limit: 10, status, approvalRequired }).edits.map((e) => e.editId);
  t.deepEqual(ids('pending', true), [c.editId]);
  t.deepEqual(ids('pending', false), [], 'without required approval nothing is pending');
  t.deepEqual(ids('rejected', true), [b.editId]);
  t.is(fold.search({ limit: 10 }).edits.find((e) => e.editId === a.editId)?.review, 'approved');
});

test('an erasure ends the edit for good and the summary forgets its content; the erased filter finds it', async (t) => {
  const ledger = newLedger();
  const kept = await ledger.submit('acme-corp::ceo', 'r-1', 'Alice Smith', { subject: 'Acme Corp' });
  const erased = await ledger.submit('ilva-maro::born-in', 'r-2', 'Zonou', {
    subject: 'Ilva Maro',
    prompt: 'Ilva Maro was born in',
  });
  await ledger.retract(erased.editId, 'ilva-maro::born-in');
  const fold = new EditSearchFold();
  const events = await ledger.events();
  for (const event of events) fold.apply(event);
  t.is(fold.search({ q: 'ilva maro', limit: 10 }).total, 1, 'before the erasure its content is searchable');

  // What `erase` records after retracting the subject's edits (in the model-lifecycle stream).
  const at = events.at(-1)!.position + 1;
  const erasure = parseLedgerEvent({
    id: '00000000-0000-4000-8000-000000000999',
    type: 'DataSubjectErased',
    data: {
      schemaVersion: 1,
      keyId: `k${'a'.repeat(24)}`,
      erasedEditIds: [erased.editId],
      retiredVersionIds: [],
      erasedBy: 'dpo',
      reason: 'erasure request 17',
    },
    metadata: {
      ...context,
      correlationId: erased.editId,
      causationId: erased.editId,
      recordedAt: '2025-02-02T00:00:00Z',
    },
  });
  fold.apply({
    event: erasure,
    stream: 'model-lifecycle',
    revision: 0,
    position: at,
    storedAt: '2025-02-02T00:00:00Z',
  });
  // A late redelivery of the retraction does not bring a status back.
  fold.apply({ ...events.at(-1)!, position: at + 1 });

  for (const q of ['ilva maro', 'zonou'])
    t.is(fold.search({ q, limit: 10 }).total, 0, `no erased content matches "${q}"`);
  const found = fold.search({ status: 'erased', limit: 10 });
  t.deepEqual(
    found.edits.map((e) => [e.editId, e.status, e.prompt, e.target, e.subject]),
    [[erased.editId, 'erased', ERASED, ERASED, undefined]],
  );
  t.deepEqual(found.edits[0]!.source, { system: 'test', ref: 'r-2' }, 'what identifies the record stays');
  t.deepEqual(
    fold.search({ status: 'active', limit: 10 }).edits.map((e) => e.editId),
    [kept.editId],
  );
  t.is(fold.cursor, at + 1);
});
