// Splits of the synthetic world: pretraining corpus, held-out perplexity text, recall probes, counterfactual edit
// set, unedited facts. Pure and deterministic: same world + config -> same arrays (writing them is world-folder.ts).
//
// Template hold-out (per fact). Every relation has T = 8 templates. For each fact two are HELD OUT:
//   - the probe template:      rephrase_prompt of edits and the "heldout" recall probes (generalization);
//   - the perplexity template: the fact's line in the held-out perplexity text.
// The other T-2 templates are the fact's PRETRAINING templates: the corpus holds one line per (fact, pretraining
// template). Held-out pairs are assigned round-robin over a seeded permutation of the templates (with a shifting
// offset), so each template is held out for ~2/T of a relation's facts and seen with all the others; buildCorpus
// checks that every template is seen with at least one fact of its relation and throws otherwise.
//
// Held-out perplexity text = one line per fact, the fact rendered with its perplexity template: the template's
// style is seen in pretraining (with other subjects) but this sentence never is. Same line format as the corpus.
//
// Two-hop statements: for a seeded fraction of (subject, chain) pairs, the chain's 3 templates are pretraining
// lines too ("Ilva Maro was born in a city located in Norvia"), so the probe format is known to the model.

import { z } from 'zod';
import type { CounterfactEdit, PortabilityProbe, Probe, RecallProbe, UneditedFact } from './corpus-schemas.ts';
import { Rng } from './rng.ts';
import { CHAIN_TEMPLATES, RELATION_TEMPLATES, renderPrompt, renderSequence } from './templates.ts';
import {
  CHAIN_IDS,
  type ChainId,
  entitiesByType,
  type Fact,
  FactTable,
  RELATION_IDS,
  RELATIONS,
  TWO_HOP_CHAINS,
  type World,
} from './world.ts';

export const CorpusConfigSchema = z.strictObject({
  /** Fraction of (subject, chain) pairs whose two-hop statements are pretraining lines. */
  twoHopPretrainFraction: z.number().min(0).max(1).default(0.5),
  /** Number of counterfactual edits (distinct facts, random order; any prefix is a valid smaller edit set). */
  edits: z.int().nonnegative().default(1000),
  /** Locality probes about other subjects per edit (the first has the edit's relation). */
  localityOtherSubjects: z.int().min(1).default(2),
  /** Upper bound of two-hop portability probes per edit. */
  maxPortabilityProbes: z.int().nonnegative().default(3),
});
export type CorpusConfigInput = z.input<typeof CorpusConfigSchema>;
export type CorpusConfig = z.output<typeof CorpusConfigSchema>;

/** Which templates (indices into RELATION_TEMPLATES[relation]) a fact uses where. */
export interface FactTemplates {
  readonly factId: number;
  /** Seen in pretraining with this fact, ascending. */
  readonly pretrain: readonly number[];
  /** Held out: generalization probe / rephrase_prompt. */
  readonly probe: number;
  /** Held out: the fact's line in the held-out perplexity text. */
  readonly perplexity: number;
  /** One of `pretrain`: the fact's canonical prompt (edit prompt, locality probes, unedited list). */
  readonly primary: number;
}

export interface TwoHopStatement {
  readonly subject: number;
  readonly chain: ChainId;
}

export interface Corpus {
  readonly world: World;
  readonly config: CorpusConfig;
  /** Indexed by fact id. */
  readonly templates: readonly FactTemplates[];
  /** (subject, chain) pairs whose two-hop statements are in `pretrain`, sorted by chain then subject. */
  readonly twoHopPretrained: readonly TwoHopStatement[];
  /** Pretraining lines (prompt + " " + object), shuffled. */
  readonly pretrain: readonly string[];
  /** Held-out perplexity lines, shuffled. */
  readonly heldout: readonly string[];
  /** Per fact: every pretraining template, then the probe template; in fact order. */
  readonly recall: readonly RecallProbe[];
  readonly edits: readonly CounterfactEdit[];
  /** Facts no edit touches, in fact order. */
  readonly unedited: readonly UneditedFact[];
}

export function buildCorpus(world: World, input: CorpusConfigInput = {}): Corpus {
  const parsed = CorpusConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RangeError(`corpus config ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  const config = parsed.data;
  const rng = new Rng(world.config.seed).fork('corpus');
  const name = (id: number): string => {
    const e = world.entities[id];
    if (e === undefined) throw new Error(`unknown entity id ${id}`);
    return e.name;
  };

  const templates = assignTemplates(world, rng.fork('holdout'));
  checkEveryTemplateSeen(world, templates);
  const table = new FactTable(world.facts);

  // Pretraining lines.
  const pretrain: string[] = [];
  for (const fact of world.facts) {
    const t = templates[fact.id] as FactTemplates;
    const list = RELATION_TEMPLATES[fact.relation];
    for (const i of t.pretrain) pretrain.push(renderSequence(list[i] as string, name(fact.subject), name(fact.object)));
  }
  const twoHopPretrained = chooseTwoHopStatements(world, table, config.twoHopPretrainFraction, rng.fork('two-hop'));
  for (const { subject, chain } of twoHopPretrained) {
    const answer = table.chain(subject, chain) as number;
    for (const tpl of CHAIN_TEMPLATES[chain]) pretrain.push(renderSequence(tpl, name(subject), name(answer)));
  }
  rng.fork('pretrain-order').shuffle(pretrain);

  const heldout = world.facts.map((fact) => {
    const t = templates[fact.id] as FactTemplates;
    return renderSequence(
      RELATION_TEMPLATES[fact.relation][t.perplexity] as string,
      name(fact.subject),
      name(fact.object),
    );
  });
  rng.fork('heldout-order').shuffle(heldout);

  const recall: RecallProbe[] = [];
  for (const fact of world.facts) {
    const t = templates[fact.id] as FactTemplates;
    const probe = (template: number, split: RecallProbe['split']): RecallProbe => ({
      fact_id: fact.id,
      subject: name(fact.subject),
      relation: fact.relation,
      template,
      split,
      prompt: renderPrompt(RELATION_TEMPLATES[fact.relation][template] as string, name(fact.subject)),
      ground_truth: name(fact.object),
    });
    for (const i of t.pretrain) recall.push(probe(i, 'pretrain'));
    recall.push(probe(t.probe, 'heldout'));
  }

  const edits = buildEdits(world, table, templates, twoHopPretrained, config, rng.fork('edits'));
  const editedIds = new Set(edits.map((e) => e.fact_id));
  const unedited = world.facts
    .filter((f) => !editedIds.has(f.id))
    .map((f): UneditedFact => {
      const t = templates[f.id] as FactTemplates;
      const list = RELATION_TEMPLATES[f.relation];
      return {
        fact_id: f.id,
        subject: name(f.subject),
        relation: f.relation,
        prompt: renderPrompt(list[t.primary] as string, name(f.subject)),
        rephrase_prompt: renderPrompt(list[t.probe] as string, name(f.subject)),
        ground_truth: name(f.object),
      };
    });

  return { world, config, templates, twoHopPretrained, pretrain, heldout, recall, edits, unedited };
}

// ---------------------------------------------------------------------------------------------------------------

function assignTemplates(world: World, rng: Rng): FactTemplates[] {
  const out = new Array<FactTemplates>(world.facts.length);
  for (const relation of RELATION_IDS) {
    const count = RELATION_TEMPLATES[relation].length;
    const perm = rng.fork(`perm:${relation}`).shuffled(Array.from({ length: count }, (_, i) => i));
    const order = rng.fork(`order:${relation}`).shuffled(world.facts.filter((f) => f.relation === relation));
    const pick = rng.fork(`primary:${relation}`);
    order.forEach((fact, i) => {
      // probe = perm[i]; perplexity = perm[i + offset] with offset cycling through 1..count-1 every `count` facts,
      // so held-out pairs vary while each template stays held out for ~2/count of the facts.
      const offset = 1 + (Math.floor(i / count) % (count - 1));
      const probe = perm[i % count] as number;
      const perplexity = perm[(i + offset) % count] as number;
      const pretrain = Array.from({ length: count }, (_, k) => k).filter((k) => k !== probe && k !== perplexity);
      out[fact.id] = { factId: fact.id, pretrain, probe, perplexity, primary: pick.pick(pretrain) };
    });
  }
  return out;
}

function checkEveryTemplateSeen(world: World, templates: readonly FactTemplates[]): void {
  for (const relation of RELATION_IDS) {
    const seen = new Set<number>();
    for (const f of world.facts)
      if (f.relation === relation) for (const i of (templates[f.id] as FactTemplates).pretrain) seen.add(i);
    const missing = RELATION_TEMPLATES[relation].map((_, i) => i).filter((i) => !seen.has(i));
    if (missing.length > 0) {
      throw new RangeError(
        `world too small: relation ${relation} has too few facts for every template to be seen in pretraining ` +
          `(templates ${missing.join(', ')} never are); use at least 3 subjects per relation`,
      );
    }
  }
}

function chooseTwoHopStatements(world: World, table: FactTable, fraction: number, rng: Rng): TwoHopStatement[] {
  const out: TwoHopStatement[] = [];
  const byType = entitiesByType(world);
  for (const chain of CHAIN_IDS) {
    const subjectType = RELATIONS[TWO_HOP_CHAINS[chain].first].subject;
    const stream = rng.fork(chain);
    for (const subject of byType[subjectType]) {
      if (table.chain(subject, chain) !== undefined && stream.bool(fraction)) out.push({ subject, chain });
    }
  }
  return out;
}

function buildEdits(
  world: World,
  table: FactTable,
  templates: readonly FactTemplates[],
  twoHopPretrained: readonly TwoHopStatement[],
  config: CorpusConfig,
  rng: Rng,
): CounterfactEdit[] {
  const name = (id: number): string => (world.entities[id] as { name: string }).name;
  const byType = entitiesByType(world);
  // A fact can be edited only if its object type has another entity to move to.
  const editable = world.facts.filter((f) => byType[RELATIONS[f.relation].object].length >= 2);
  if (config.edits > editable.length - 1) {
    throw new RangeError(
      `corpus config edits: ${config.edits} edits need at least ${config.edits + 1} editable facts (locality needs one unedited), ` +
        `the world has ${editable.length}`,
    );
  }
  const chosen = rng.fork('facts').sample(editable, config.edits);
  const targetRng = rng.fork('targets');
  const changes = chosen.map((fact) => {
    const candidates = byType[RELATIONS[fact.relation].object].filter((id) => id !== fact.object);
    return { fact, subject: fact.subject, relation: fact.relation, object: targetRng.pick(candidates) };
  });
  const edited = table.withChanges(changes);
  const editedIds = new Set(chosen.map((f) => f.id));
  const unedited = world.facts.filter((f) => !editedIds.has(f.id));
  const uneditedBySubject = new Map<number, Fact[]>();
  for (const f of unedited) uneditedBySubject.set(f.subject, [...(uneditedBySubject.get(f.subject) ?? []), f]);
  const pretrainedTwoHop = new Set(twoHopPretrained.map((s) => `${s.subject}:${s.chain}`));
  // Second-hop probes need the subjects x whose first hop (in the edited world) is a given entity.
  const firstHopSources = (relation: Fact['relation'], target: number): number[] =>
    world.facts
      .filter((f) => f.relation === relation && edited.object(f.subject, relation) === target)
      .map((f) => f.subject);

  const probeOf = (f: Fact): Probe => ({
    prompt: renderPrompt(
      RELATION_TEMPLATES[f.relation][(templates[f.id] as FactTemplates).primary] as string,
      name(f.subject),
    ),
    ground_truth: name(f.object),
    subject: name(f.subject),
    relation: f.relation,
  });
  const localityRng = rng.fork('locality');
  const portabilityRng = rng.fork('portability');

  return changes.map(({ fact, object }, caseId): CounterfactEdit => {
    const t = templates[fact.id] as FactTemplates;
    const list = RELATION_TEMPLATES[fact.relation];
    const others = unedited.filter((f) => f.subject !== fact.subject);
    const sameRelation = others.filter((f) => f.relation === fact.relation);
    const first = localityRng.pick(sameRelation.length > 0 ? sameRelation : others);
    const rest = localityRng.sample(
      others.filter((f) => f.relation !== fact.relation && f.id !== first.id),
      Math.min(
        config.localityOtherSubjects - 1,
        others.filter((f) => f.relation !== fact.relation && f.id !== first.id).length,
      ),
    );
    const otherSubjects = [first, ...rest].map(probeOf);
    const sameSubject = (uneditedBySubject.get(fact.subject) ?? [])
      .filter((f) => f.relation !== fact.relation)
      .map(probeOf);

    const portability: PortabilityProbe[] = [];
    const tryProbe = (subject: number, chain: ChainId, hop: 1 | 2): void => {
      const after = edited.chain(subject, chain);
      if (after === undefined || after === table.chain(subject, chain)) return;
      portability.push({
        prompt: renderPrompt(portabilityRng.pick(CHAIN_TEMPLATES[chain]), name(subject)),
        ground_truth: name(after),
        subject: name(subject),
        chain,
        edited_hop: hop,
        in_pretraining: pretrainedTwoHop.has(`${subject}:${chain}`),
      });
    };
    for (const chain of CHAIN_IDS) if (TWO_HOP_CHAINS[chain].first === fact.relation) tryProbe(fact.subject, chain, 1);
    for (const chain of CHAIN_IDS) {
      if (TWO_HOP_CHAINS[chain].second !== fact.relation) continue;
      const sources = firstHopSources(TWO_HOP_CHAINS[chain].first, fact.subject);
      if (sources.length > 0) tryProbe(portabilityRng.pick(sources), chain, 2);
    }

    return {
      case_id: caseId,
      prompt: renderPrompt(list[t.primary] as string, name(fact.subject)),
      target_new: name(object),
      subject: name(fact.subject),
      ground_truth: name(fact.object),
      rephrase_prompt: renderPrompt(list[t.probe] as string, name(fact.subject)),
      locality_prompt: (otherSubjects[0] as Probe).prompt,
      locality_ground_truth: (otherSubjects[0] as Probe).ground_truth,
      relation: fact.relation,
      fact_id: fact.id,
      locality: { other_subjects: otherSubjects, same_subject: sameSubject },
      portability: { two_hop: portability.slice(0, config.maxPortabilityProbes) },
    };
  });
}
