// The synthetic knowledge world the base model is pretrained on: entities with generated, pronounceable, unique
// names and typed functional relations (one object per subject and relation), plus the two-hop chains used as
// portability probes. A pure function of its config: same config (incl. seed) -> same world.
//
// Shape of the world (why): countries contain cities (located_in) and have one of them as capital; organisations
// are headquartered in a city and led by a CEO who works for them; people are born in, live in, work for and are
// citizens of something. Citizenship follows the birth country most of the time and lives_in the birthplace
// sometimes, so facts are correlated like real ones but each stays independently editable.

import { z } from 'zod';
import { Rng } from './rng.ts';

export const ENTITY_TYPES = ['country', 'city', 'organisation', 'person'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

/** Relations, in the fixed order facts are listed in. Each is functional: one object per subject. */
export const RELATIONS = {
  located_in: { subject: 'city', object: 'country' },
  capital: { subject: 'country', object: 'city' },
  headquartered_in: { subject: 'organisation', object: 'city' },
  ceo: { subject: 'organisation', object: 'person' },
  born_in: { subject: 'person', object: 'city' },
  lives_in: { subject: 'person', object: 'city' },
  works_for: { subject: 'person', object: 'organisation' },
  citizen_of: { subject: 'person', object: 'country' },
} as const satisfies Record<string, { subject: EntityType; object: EntityType }>;
export type RelationId = keyof typeof RELATIONS;
export const RELATION_IDS = Object.keys(RELATIONS) as RelationId[];

/**
 * Two-hop chains: subject --first--> middle --second--> answer. Used as portability probes: after editing a
 * first-hop fact the chain's answer must follow the new middle entity; after editing a second-hop fact it must
 * follow for every subject whose first hop leads to the edited entity.
 */
export const TWO_HOP_CHAINS = {
  birth_country: { first: 'born_in', second: 'located_in' },
  residence_country: { first: 'lives_in', second: 'located_in' },
  employer_city: { first: 'works_for', second: 'headquartered_in' },
  employer_ceo: { first: 'works_for', second: 'ceo' },
  citizenship_capital: { first: 'citizen_of', second: 'capital' },
  headquarters_country: { first: 'headquartered_in', second: 'located_in' },
  ceo_birthplace: { first: 'ceo', second: 'born_in' },
  country_capital_of_city: { first: 'located_in', second: 'capital' },
} as const satisfies Record<string, { first: RelationId; second: RelationId }>;
export type ChainId = keyof typeof TWO_HOP_CHAINS;
export const CHAIN_IDS = Object.keys(TWO_HOP_CHAINS) as ChainId[];

const count = (min: number) => z.int().min(min);

export const WorldConfigSchema = z
  .strictObject({
    seed: z.union([z.int().nonnegative(), z.string().min(1)]),
    countries: count(2),
    citiesPerCountry: count(1),
    organisations: count(1),
    people: count(2),
    /** Probability that a person's citizenship is their birth country. */
    citizenshipFollowsBirth: z.number().min(0).max(1).default(0.75),
    /** Probability that a person lives in their birth city. */
    livesInBirthCity: z.number().min(0).max(1).default(0.25),
  })
  .superRefine((c, ctx) => {
    if (c.countries * c.citiesPerCountry < 2) {
      ctx.addIssue({ code: 'custom', path: ['citiesPerCountry'], message: 'the world needs at least 2 cities' });
    }
    if (c.people < c.organisations) {
      ctx.addIssue({
        code: 'custom',
        path: ['people'],
        message: `people (${c.people}) must be >= organisations (${c.organisations}): every organisation needs a CEO`,
      });
    }
  });
export type WorldConfigInput = z.input<typeof WorldConfigSchema>;
export type WorldConfig = z.output<typeof WorldConfigSchema>;

/** Ready-made sizes: `tiny` for tests, `default` for the shipped base model (see the report / model card). */
export const WORLD_PRESETS = {
  tiny: { countries: 3, citiesPerCountry: 3, organisations: 6, people: 30 },
  small: { countries: 6, citiesPerCountry: 4, organisations: 30, people: 200 },
  default: { countries: 12, citiesPerCountry: 6, organisations: 100, people: 700 },
} as const satisfies Record<string, Omit<WorldConfigInput, 'seed'>>;
export type WorldPreset = keyof typeof WORLD_PRESETS;
export const WORLD_PRESET_NAMES = Object.keys(WORLD_PRESETS) as WorldPreset[];

/** Seed of the shipped base model's world. */
export const DEFAULT_WORLD_SEED = 1;

export interface Entity {
  readonly id: number;
  readonly type: EntityType;
  readonly name: string;
}

export interface Fact {
  readonly id: number;
  readonly subject: number;
  readonly relation: RelationId;
  readonly object: number;
}

export interface World {
  readonly config: WorldConfig;
  /** Ordered by id; ids are 0..n-1, grouped by type in ENTITY_TYPES order. */
  readonly entities: readonly Entity[];
  /** Ordered by id; grouped by relation in RELATION_IDS order, then by subject id. */
  readonly facts: readonly Fact[];
}

// ---------------------------------------------------------------------------------------------------------------
// Names

const ONSETS = [
  'b',
  'd',
  'f',
  'g',
  'h',
  'k',
  'l',
  'm',
  'n',
  'p',
  'r',
  's',
  't',
  'v',
  'z',
  'br',
  'dr',
  'kr',
  'tr',
  'st',
  'sh',
  'th',
  'j',
  'w',
];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'a', 'e', 'i', 'o', 'ai', 'ei', 'ou'];
const CODAS = ['n', 'r', 'l', 's', 'm', 'k', 'th', 'rn', 'nd'];
const SUFFIXES: Record<'country' | 'city' | 'org' | 'first' | 'last', readonly string[]> = {
  country: ['ia', 'land', 'or', 'an', 'esh', 'ova', 'ar', 'ene'],
  city: ['ton', 'by', 'vik', 'burg', 'mar', 'sa', 'ford', 'ent', 'holm', '', ''],
  org: ['ex', 'on', 'ix', 'ara', 'co', '', ''],
  first: ['a', 'o', 'in', 'el', 'is', 'y', '', ''],
  last: ['son', 'ek', 'ari', 'ov', 'ens', 'ley', 'man', '', ''],
};
const ORG_KINDS = [
  'Group',
  'Systems',
  'Industries',
  'Labs',
  'Holdings',
  'Works',
  'Trading',
  'Partners',
  'Foods',
  'Motors',
  'Logistics',
  'Media',
];

/** Lower-cased words a generated name must never be (they occur in templates or would read as English). */
const RESERVED_WORDS = new Set([
  'the',
  'a',
  'an',
  'in',
  'of',
  'is',
  'was',
  'by',
  'at',
  'to',
  'for',
  'who',
  'where',
  'which',
  'what',
  'from',
  'born',
  'city',
  'country',
  'capital',
  'ceo',
  'q',
  'and',
  'its',
  'his',
  'her',
  'lives',
  'works',
  'home',
  'led',
  'run',
  'on',
  'be',
  'as',
  'are',
  'has',
  'seat',
  'staff',
  'job',
  'sits',
  'so',
  'no',
  'do',
  'go',
  'me',
  'we',
  'he',
  ...ORG_KINDS.map((k) => k.toLowerCase()),
]);

// Consonant-vowel syllables; only a word's first syllable may lack an onset, so vowels never pile up.
function syllable(rng: Rng, first: boolean, withCoda: boolean): string {
  const onset = !first || rng.bool(0.85) ? rng.pick(ONSETS) : '';
  return onset + rng.pick(VOWELS) + (withCoda ? rng.pick(CODAS) : '');
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Draws words until one is unused (case-insensitively) and not reserved; records it as used. */
class NameMaker {
  private readonly used = new Set<string>();
  constructor(private readonly rng: Rng) {}

  word(kind: keyof typeof SUFFIXES, minSyllables: number, maxSyllables: number): string {
    for (let attempt = 0; attempt < 10_000; attempt++) {
      const n = this.rng.intBetween(minSyllables, maxSyllables);
      let w = '';
      for (let i = 0; i < n; i++) w += syllable(this.rng, i === 0, i === n - 1 && this.rng.bool(0.4));
      const suffix = this.rng.pick(SUFFIXES[kind]);
      // A vowel-initial suffix after a vowel would pile vowels up ("Aidai-ix"): leave it off then.
      if (!(/[aeiou]$/.test(w) && /^[aeiouy]/.test(suffix))) w += suffix;
      const key = w.toLowerCase();
      if (w.length < 3 || w.length > 10 || RESERVED_WORDS.has(key) || this.used.has(key)) continue;
      this.used.add(key);
      return capitalise(w);
    }
    throw new Error(`could not generate a new unique ${kind} name: the name space is exhausted (world too large)`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Generation

export function generateWorld(input: WorldConfigInput): World {
  const parsed = WorldConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RangeError(`world config ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  const config = parsed.data;
  const root = new Rng(config.seed);
  const names = new NameMaker(root.fork('names'));
  const entities: Entity[] = [];
  const add = (type: EntityType, name: string): number => {
    entities.push({ id: entities.length, type, name });
    return entities.length - 1;
  };

  const countries = Array.from({ length: config.countries }, () => add('country', names.word('country', 1, 2)));
  const citiesOf = new Map<number, number[]>();
  const cityCountry = new Map<number, number>();
  for (const country of countries) {
    const cities = Array.from({ length: config.citiesPerCountry }, () => add('city', names.word('city', 1, 2)));
    citiesOf.set(country, cities);
    for (const city of cities) cityCountry.set(city, country);
  }
  const cities = [...cityCountry.keys()];
  const orgKindRng = root.fork('org-kinds');
  const orgs = Array.from({ length: config.organisations }, () =>
    add('organisation', `${names.word('org', 2, 2)} ${orgKindRng.pick(ORG_KINDS)}`),
  );

  // People: first and last names from pools sized so full names are varied but parts recur (as real names do).
  const firstPool = Array.from({ length: Math.max(4, Math.ceil(config.people / 3)) }, () => names.word('first', 1, 2));
  const lastPool = Array.from({ length: Math.max(4, Math.ceil(config.people / 2)) }, () => names.word('last', 1, 2));
  const personRng = root.fork('people');
  const fullNames = new Set<string>();
  const people: number[] = [];
  while (people.length < config.people) {
    const name = `${personRng.pick(firstPool)} ${personRng.pick(lastPool)}`;
    if (fullNames.has(name.toLowerCase())) continue;
    fullNames.add(name.toLowerCase());
    people.push(add('person', name));
  }

  // Facts, drawn per relation from independent streams so resizing one type perturbs the others as little as possible.
  const objects: Record<RelationId, Map<number, number>> = {
    located_in: cityCountry,
    capital: new Map(),
    headquartered_in: new Map(),
    ceo: new Map(),
    born_in: new Map(),
    lives_in: new Map(),
    works_for: new Map(),
    citizen_of: new Map(),
  };
  const capitalRng = root.fork('capital');
  for (const country of countries) objects.capital.set(country, capitalRng.pick(citiesOf.get(country) ?? []));
  const hqRng = root.fork('headquarters');
  for (const org of orgs) objects.headquartered_in.set(org, hqRng.pick(cities));

  // Every organisation's CEO is a distinct person who works for it; everyone else works for a random organisation.
  const jobRng = root.fork('jobs');
  const ceos = jobRng.sample(people, orgs.length);
  orgs.forEach((org, i) => {
    const person = ceos[i] as number;
    objects.ceo.set(org, person);
    objects.works_for.set(person, org);
  });
  for (const person of people) if (!objects.works_for.has(person)) objects.works_for.set(person, jobRng.pick(orgs));

  const lifeRng = root.fork('lives');
  for (const person of people) {
    const birthCity = lifeRng.pick(cities);
    objects.born_in.set(person, birthCity);
    objects.lives_in.set(person, lifeRng.bool(config.livesInBirthCity) ? birthCity : lifeRng.pick(cities));
    const birthCountry = cityCountry.get(birthCity) as number;
    objects.citizen_of.set(
      person,
      lifeRng.bool(config.citizenshipFollowsBirth) ? birthCountry : lifeRng.pick(countries),
    );
  }

  const facts: Fact[] = [];
  for (const relation of RELATION_IDS) {
    const bySubject = [...objects[relation].entries()].sort((a, b) => a[0] - b[0]);
    for (const [subject, object] of bySubject) facts.push({ id: facts.length, subject, relation, object });
  }
  return { config, entities, facts };
}

// ---------------------------------------------------------------------------------------------------------------
// Lookups

/** Object of (subject, relation), editable copy-on-write for counterfactual worlds. */
export class FactTable {
  private readonly map: Map<string, number>;

  constructor(facts: Iterable<Pick<Fact, 'subject' | 'relation' | 'object'>>) {
    this.map = new Map();
    for (const f of facts) this.map.set(FactTable.key(f.subject, f.relation), f.object);
  }

  static key(subject: number, relation: RelationId): string {
    return `${subject}:${relation}`;
  }

  object(subject: number, relation: RelationId): number | undefined {
    return this.map.get(FactTable.key(subject, relation));
  }

  /** Answer of a two-hop chain, or undefined when a hop is missing. */
  chain(subject: number, chain: ChainId): number | undefined {
    const { first, second } = TWO_HOP_CHAINS[chain];
    const middle = this.object(subject, first);
    return middle === undefined ? undefined : this.object(middle, second);
  }

  /** A copy with some objects replaced. */
  withChanges(changes: Iterable<{ subject: number; relation: RelationId; object: number }>): FactTable {
    const copy = new FactTable([]);
    for (const [k, v] of this.map) copy.map.set(k, v);
    for (const c of changes) copy.map.set(FactTable.key(c.subject, c.relation), c.object);
    return copy;
  }
}

/** Entity ids of each type, in id order. */
export function entitiesByType(world: World): Record<EntityType, number[]> {
  const out: Record<EntityType, number[]> = { country: [], city: [], organisation: [], person: [] };
  for (const e of world.entities) out[e.type].push(e.id);
  return out;
}
