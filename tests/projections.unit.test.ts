import test from 'ava';
import { createHash } from 'node:crypto';
import {
  EditIntervalIndex,
  canonicalEditJson,
  foldEditSetAt,
  hashCanonicalEdits,
  makeEditSet,
} from '../projections/edit-set.ts';
import type { ActiveEdit } from '../domain/active-edits.ts';
import { foldEditHistory } from '../projections/edit-history.ts';
import { summarizeLedger } from '../projections/ledger-summary.ts';
import { newLedger } from './helpers/ledger-builders.ts';

const ids = (edits: readonly ActiveEdit[]) => edits.map((e) => e.editId);

test('edit set as of each position: submit, supersede, retract', async (t) => {
  const ledger = newLedger();
  const a = await ledger.submit('acme::ceo', 'a', 'Jane'); // position 1
  const b = await ledger.submit('beta::ceo', 'b', 'Bob'); // position 2
  const c = await ledger.submit('acme::ceo', 'c', 'John'); // positions 3 (A superseded), 4 (C submitted)
  const r = await ledger.retract(b.editId, 'beta::ceo'); // position 5
  t.deepEqual([a.position, b.position, c.position, r.position], [1, 2, 4, 5]);
  t.is(c.supersededEditId, a.editId);

  const events = await ledger.events();
  const at = (p: number) => ids(foldEditSetAt(events, p).edits);
  t.deepEqual(at(0), []);
  t.deepEqual(at(1), [a.editId]);
  t.deepEqual(at(2), [a.editId, b.editId]);
  // Inside the supersession batch the old edit is still active until its successor begins: never two, never none.
  t.deepEqual(at(3), [a.editId, b.editId]);
  t.deepEqual(at(4), [c.editId, b.editId]);
  t.deepEqual(at(5), [c.editId]);
  t.deepEqual(at(99), [c.editId]);
});

test('issue 18.4: every position of a ledger with supersessions shows exactly one active edit per submitted fact', async (t) => {
  const ledger = newLedger();
  const facts = ['acme::ceo', 'beta::ceo', 'acme::ceo', 'acme::ceo', 'beta::ceo', 'gamma::ceo'];
  for (const [i, fact] of facts.entries()) await ledger.submit(fact, String(i));
  const events = await ledger.events();
  const last = events.at(-1)!.position;
  const index = new EditIntervalIndex();
  for (const e of events) index.apply(e);
  for (let p = 1; p <= last; p++) {
    const submittedFacts = new Set(
      events
        .filter((e) => e.position <= p && e.event.type === 'EditSubmitted')
        .map((e) => (e.event.type === 'EditSubmitted' ? e.event.data.factKey : '')),
    );
    for (const set of [foldEditSetAt(events, p), index.editSetAt(p)]) {
      const keys = set.edits.map((e) => e.factKey);
      t.deepEqual(keys, [...new Set(keys)].sort(), `position ${p}: one edit per fact`);
      t.deepEqual(new Set(keys), submittedFacts, `position ${p}: no fact without its edit`);
    }
  }
});

test('edit set is sorted by factKey then editId, whatever the submission order', async (t) => {
  const ledger = newLedger();
  for (const [fact, ref] of [
    ['zulu::x', '1'],
    ['alpha::x', '2'],
    ['mike::x', '3'],
    ['alpha::y', '4'],
  ] as const) {
    await ledger.submit(fact, ref);
  }
  const set = foldEditSetAt(await ledger.events(), 4);
  t.deepEqual(
    set.edits.map((e) => e.factKey),
    ['alpha::x', 'alpha::y', 'mike::x', 'zulu::x'],
  );
});

test('editSetHash is sha256 of the canonical JSON array (sorted keys, no whitespace), independent of input order', (t) => {
  const one: ActiveEdit = {
    editId: '00000000-0000-4000-8000-000000000001',
    factKey: 'b::x',
    prompt: 'P?',
    target: 'T',
    rephrase: [],
    locality: [{ prompt: 'L?' }],
  };
  const two: ActiveEdit = {
    editId: '00000000-0000-4000-8000-000000000002',
    factKey: 'a::x',
    prompt: 'Q?',
    target: 'U',
    subject: 'S',
    rephrase: ['R?'],
    locality: [],
  };
  const literal =
    '[{"editId":"00000000-0000-4000-8000-000000000002","factKey":"a::x","locality":[],"prompt":"Q?","rephrase":["R?"],"subject":"S","target":"U"},' +
    '{"editId":"00000000-0000-4000-8000-000000000001","factKey":"b::x","locality":[{"prompt":"L?"}],"prompt":"P?","rephrase":[],"target":"T"}]';
  const expected = createHash('sha256').update(literal).digest('hex');
  t.is(makeEditSet(7, [one, two]).editSetHash, expected);
  t.is(makeEditSet(9, [two, one]).editSetHash, expected);
  t.is(hashCanonicalEdits([two, one].map(canonicalEditJson)), expected);
  t.not(makeEditSet(7, [one]).editSetHash, expected);
  t.is(makeEditSet(0, []).editSetHash, createHash('sha256').update('[]').digest('hex'));
});

test('the same edits give the same hash at different positions; a retraction changes it', async (t) => {
  const ledger = newLedger();
  const a = await ledger.submit('acme::ceo', 'a');
  await ledger.submit('beta::ceo', 'b');
  const c = await ledger.submit('gamma::ceo', 'c');
  await ledger.retract(c.editId, 'gamma::ceo');
  const events = await ledger.events();
  t.is(foldEditSetAt(events, 2).editSetHash, foldEditSetAt(events, 4).editSetHash);
  t.not(foldEditSetAt(events, 2).editSetHash, foldEditSetAt(events, 3).editSetHash);
  t.is(a.position, 1);
});

test('the interval index answers every position exactly like a full re-fold (seeded random ledger)', async (t) => {
  const ledger = newLedger();
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const active = new Map<string, string>(); // factKey -> editId
  for (let i = 0; i < 300; i++) {
    const fact = `f${Math.floor(random() * 40)}::k`;
    const current = active.get(fact);
    if (current !== undefined && random() < 0.25) {
      await ledger.retract(current, fact);
      active.delete(fact);
    } else {
      active.set(fact, (await ledger.submit(fact, `r${i}`)).editId);
    }
  }
  const events = await ledger.events();
  const index = new EditIntervalIndex();
  for (const event of events) index.apply(event);
  for (let p = 0; p <= index.position; p++) {
    const expected = foldEditSetAt(events, p);
    const actual = index.editSetAt(p);
    t.is(actual.editSetHash, expected.editSetHash, `position ${p}`);
  }
  t.deepEqual(ids(index.editSetAt(index.position).edits).sort(), [...active.values()].sort());
});

test('the interval index rejects out-of-order events and positions beyond what it has seen', async (t) => {
  const ledger = newLedger();
  await ledger.submit('acme::ceo', 'a');
  const [event] = await ledger.events();
  const index = new EditIntervalIndex();
  index.apply(event!);
  t.throws(() => index.apply(event!), { instanceOf: RangeError });
  t.throws(() => index.editSetAt(2), { instanceOf: RangeError });
});

test('edit history folds every event touching an edit', async (t) => {
  const ledger = newLedger();
  const a = await ledger.submit('acme::ceo', 'a');
  await ledger.submit('other::ceo', 'x');
  const b = await ledger.submit('acme::ceo', 'b');
  await ledger.retract(b.editId, 'acme::ceo');
  const events = await ledger.events();
  const historyA = foldEditHistory(events, a.editId);
  t.is(historyA?.status, 'superseded');
  t.is(historyA?.supersededBy, b.editId);
  t.is(historyA?.endedAt, 4); // where its successor begins (the supersession is recorded at 3)
  t.deepEqual(
    historyA?.history.map((h) => h.type),
    ['EditSubmitted', 'EditSuperseded'],
  );
  const historyB = foldEditHistory(events, b.editId);
  t.is(historyB?.status, 'retracted');
  t.deepEqual(historyB?.supersedes, [a.editId]);
  t.deepEqual(
    historyB?.history.map((h) => [h.position, h.type]),
    [
      [3, 'EditSuperseded'],
      [4, 'EditSubmitted'],
      [5, 'EditRetracted'],
    ],
  );
  t.is(historyB?.retraction?.by, 'bob');
  t.is(foldEditHistory(events, '00000000-0000-4000-8000-00000000ffff'), undefined);
});

test('ledger summary counts events, edits and fact keys', async (t) => {
  const ledger = newLedger();
  await ledger.submit('acme::ceo', 'a');
  const b = await ledger.submit('beta::ceo', 'b');
  await ledger.submit('acme::ceo', 'c');
  await ledger.retract(b.editId, 'beta::ceo');
  const summary = summarizeLedger(await ledger.events());
  t.like(summary, {
    headPosition: 5,
    events: 5,
    editsSubmitted: 3,
    editsSuperseded: 1,
    editsRetracted: 1,
    activeEdits: 1,
    factKeys: 2,
    modelVersions: 0,
    servingVersionId: null,
  });
  t.deepEqual(summary.eventsByType, { EditSubmitted: 3, EditSuperseded: 1, EditRetracted: 1 });
});
