// The corpus built from the synthetic world: what is held out of pretraining, and the edits with their probes.
import test from 'ava';
import { type Corpus } from '../trainer/basemodel/corpus.ts';
import { CounterfactEditSchema, RecallProbeSchema, UneditedFactSchema } from '../trainer/basemodel/corpus-schemas.ts';
import { CHAIN_TEMPLATES, RELATION_TEMPLATES, renderPrompt, renderSequence } from '../trainer/basemodel/templates.ts';
import { RELATION_IDS, RELATIONS, TWO_HOP_CHAINS } from '../trainer/basemodel/world.ts';
import { nameOf, smallCorpus, smallPretrain } from './helpers/world-fixtures.ts';

// ---------------------------------------------------------------------------------------------------------------
// corpus: hold-out

test('corpus: each fact is in pretraining under all its pretraining templates, several of them', (t) => {
  const { world, templates } = smallCorpus;
  for (const f of world.facts) {
    const assigned = templates[f.id];
    if (assigned === undefined) return t.fail(`fact ${f.id} has no template assignment`);
    t.true(assigned.pretrain.length >= 4);
    for (const i of assigned.pretrain) {
      const line = renderSequence(
        RELATION_TEMPLATES[f.relation][i] as string,
        nameOf(world, f.subject),
        nameOf(world, f.object),
      );
      t.true(smallPretrain.has(line), line);
    }
  }
  t.is(
    smallCorpus.pretrain.length,
    world.facts.reduce((n, f) => n + (templates[f.id]?.pretrain.length ?? 0), 0) +
      smallCorpus.twoHopPretrained.reduce((n, s) => n + CHAIN_TEMPLATES[s.chain].length, 0),
    'no other lines in the corpus',
  );
});

test('corpus: held-out templates never appear with their fact in pretraining, but each template appears with other subjects', (t) => {
  const { world } = smallCorpus;
  const lines = smallCorpus.pretrain;
  let checked = 0;
  for (const f of world.facts) {
    const subject = nameOf(world, f.subject);
    const object = nameOf(world, f.object);
    const list = RELATION_TEMPLATES[f.relation];
    const pretrained = new Set(
      list.map((_, i) => i).filter((i) => smallPretrain.has(renderSequence(list[i] as string, subject, object))),
    );
    const heldOut = list.map((_, i) => i).filter((i) => !pretrained.has(i));
    t.is(heldOut.length, 2, `fact ${f.id} holds out two templates`);
    for (const i of heldOut) {
      const sequence = renderSequence(list[i] as string, subject, object);
      // Not as a line, and not inside any line (e.g. a longer sentence or a two-hop statement).
      t.false(
        lines.some((l) => l.includes(sequence)),
        sequence,
      );
      checked++;
    }
  }
  t.true(checked > 1000);
  // The text itself shows every template with at least one fact of its relation (stripping subject and object).
  for (const relation of RELATION_IDS) {
    RELATION_TEMPLATES[relation].forEach((tpl, i) => {
      const withSomeFact = world.facts.some(
        (f) =>
          f.relation === relation &&
          smallPretrain.has(renderSequence(tpl, nameOf(world, f.subject), nameOf(world, f.object))),
      );
      t.true(withSomeFact, `${relation} template ${i} is seen in pretraining`);
    });
  }
});

test('corpus: the held-out perplexity text is one unseen line per fact in a pretraining style', (t) => {
  const { world, heldout, templates } = smallCorpus;
  t.is(heldout.length, world.facts.length);
  for (const line of heldout) t.false(smallPretrain.has(line), line);
  for (const f of world.facts) {
    const i = templates[f.id]?.perplexity as number;
    const line = renderSequence(
      RELATION_TEMPLATES[f.relation][i] as string,
      nameOf(world, f.subject),
      nameOf(world, f.object),
    );
    t.true(heldout.includes(line));
  }
});

test('corpus: recall probes cover every fact on its pretraining templates and on its held-out probe template', (t) => {
  const { world, recall } = smallCorpus;
  for (const r of recall) RecallProbeSchema.parse(r);
  for (const f of world.facts) {
    const mine = recall.filter((r) => r.fact_id === f.id);
    const seen = mine.filter((r) => r.split === 'pretrain');
    const unseen = mine.filter((r) => r.split === 'heldout');
    t.is(unseen.length, 1);
    t.true(seen.length >= 4);
    for (const r of seen) t.true(smallPretrain.has(`${r.prompt} ${r.ground_truth}`));
    for (const r of unseen) t.false(smallPretrain.has(`${r.prompt} ${r.ground_truth}`));
  }
});

// ---------------------------------------------------------------------------------------------------------------
// corpus: edits

function entityByName(corpus: Corpus): Map<string, { id: number; type: string }> {
  return new Map(corpus.world.entities.map((e) => [e.name, { id: e.id, type: e.type }]));
}

test('edits: CounterFact shape; counterfactual targets are never the truth and have the right type', (t) => {
  const byName = entityByName(smallCorpus);
  const { world, edits } = smallCorpus;
  t.is(edits.length, 300);
  t.is(new Set(edits.map((e) => e.fact_id)).size, edits.length, 'one edit per fact');
  let moved = 0;
  edits.forEach((e, i) => {
    CounterfactEditSchema.parse(e);
    t.is(e.case_id, i);
    const fact = world.facts[e.fact_id];
    if (fact === undefined) return t.fail(`edit ${i}: unknown fact`);
    t.is(e.relation, fact.relation);
    t.is(e.subject, nameOf(world, fact.subject));
    t.is(e.ground_truth, nameOf(world, fact.object));
    t.not(e.target_new, e.ground_truth);
    t.is(byName.get(e.target_new)?.type, RELATIONS[fact.relation].object, `edit ${i} target type`);
    t.false(e.target_new.startsWith(' '));
    // prompt is a pretraining-seen phrasing of the fact, rephrase_prompt a held-out one.
    t.true(smallPretrain.has(`${e.prompt} ${e.ground_truth}`), e.prompt);
    t.false(smallPretrain.has(`${e.rephrase_prompt} ${e.ground_truth}`), e.rephrase_prompt);
    t.true(e.prompt.includes(e.subject) && e.rephrase_prompt.includes(e.subject));
    if (byName.get(e.target_new)?.id !== fact.object) moved++;
  });
  t.is(moved, edits.length);
  // Targets vary (drawn at random from the type, not a constant).
  t.true(new Set(edits.map((e) => e.target_new)).size > 50);
});

test('edits: locality probes are unedited known facts of other subjects / of the same subject', (t) => {
  const { world, edits } = smallCorpus;
  const edited = new Set(edits.map((e) => `${e.subject}|${e.relation}`));
  let sameRelation = 0;
  for (const e of edits) {
    const [first, ...rest] = e.locality.other_subjects;
    if (first === undefined) return t.fail('no locality probe');
    t.is(e.locality_prompt, first.prompt);
    t.is(e.locality_ground_truth, first.ground_truth);
    if (first.relation === e.relation) sameRelation++;
    for (const p of [first, ...rest]) {
      t.not(p.subject, e.subject);
      t.false(edited.has(`${p.subject}|${p.relation}`), 'locality fact is not edited by the set');
      t.true(smallPretrain.has(`${p.prompt} ${p.ground_truth}`), p.prompt);
    }
    t.is(e.locality.other_subjects.length, 2);
    const subjectFacts = world.facts.filter((f) => nameOf(world, f.subject) === e.subject && f.relation !== e.relation);
    const expectedSame = subjectFacts.filter((f) => !edited.has(`${e.subject}|${f.relation}`));
    t.is(e.locality.same_subject.length, expectedSame.length);
    for (const p of e.locality.same_subject) {
      t.is(p.subject, e.subject);
      t.not(p.relation, e.relation);
      t.true(smallPretrain.has(`${p.prompt} ${p.ground_truth}`), p.prompt);
    }
  }
  t.is(sameRelation, edits.length, 'the primary locality probe shares the edit relation');
});

test('edits: two-hop portability probes follow the edited world and differ from the unedited answer', (t) => {
  const { world, edits } = smallCorpus;
  // Recompute both worlds by entity NAME, independently of the generator's FactTable.
  const before = new Map(
    world.facts.map((f) => [`${nameOf(world, f.subject)}|${f.relation}`, nameOf(world, f.object)]),
  );
  const after = new Map(before);
  for (const e of edits) after.set(`${e.subject}|${e.relation}`, e.target_new);
  const chainAnswer = (table: Map<string, string>, subject: string, chain: keyof typeof TWO_HOP_CHAINS) => {
    const { first, second } = TWO_HOP_CHAINS[chain];
    const middle = table.get(`${subject}|${first}`);
    return middle === undefined ? undefined : table.get(`${middle}|${second}`);
  };
  let probes = 0;
  let hop2 = 0;
  for (const e of edits) {
    t.true(e.portability.two_hop.length <= 3);
    for (const p of e.portability.two_hop) {
      probes++;
      t.is<string | undefined, string | undefined>(
        p.ground_truth,
        chainAnswer(after, p.subject, p.chain),
        `${p.prompt}`,
      );
      t.not(p.ground_truth, chainAnswer(before, p.subject, p.chain));
      t.true(CHAIN_TEMPLATES[p.chain].some((tpl) => renderPrompt(tpl, p.subject) === p.prompt));
      const { first, second } = TWO_HOP_CHAINS[p.chain];
      if (p.edited_hop === 1) {
        t.is(p.subject, e.subject);
        t.is<string, string>(first, e.relation);
      } else {
        hop2++;
        t.is<string, string>(second, e.relation);
        t.is(after.get(`${p.subject}|${first}`), e.subject);
      }
      const oldLine = `${p.prompt} ${chainAnswer(before, p.subject, p.chain)}`;
      const oldStatements = CHAIN_TEMPLATES[p.chain].map(
        (tpl) => `${renderPrompt(tpl, p.subject)} ${chainAnswer(before, p.subject, p.chain)}`,
      );
      t.is(
        p.in_pretraining,
        oldStatements.some((l) => smallPretrain.has(l)),
        oldLine,
      );
    }
  }
  t.true(probes > edits.length / 2, `${probes} portability probes`);
  t.true(hop2 > 0);
});

test('edits: unedited facts are exactly the facts no edit touches', (t) => {
  const { world, edits, unedited } = smallCorpus;
  const editedIds = new Set(edits.map((e) => e.fact_id));
  t.is(unedited.length + edits.length, world.facts.length);
  for (const u of unedited) {
    UneditedFactSchema.parse(u);
    t.false(editedIds.has(u.fact_id));
    t.true(smallPretrain.has(`${u.prompt} ${u.ground_truth}`));
    t.false(smallPretrain.has(`${u.rephrase_prompt} ${u.ground_truth}`));
  }
});
