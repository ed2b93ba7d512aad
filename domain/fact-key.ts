// The fact key: which fact an edit corrects. Two edits with the same fact key are about the same fact,
// so a newer one supersedes the older; every fact key has its own ledger stream (`fact-<factKey>`).
//
// Format: 2 to 4 segments joined by `::`, each a lower-case ASCII slug (`[a-z0-9]` runs joined by single
// `-`), at most 200 characters in all. Read it as `subject::relation[::qualifier...]`, e.g.
// `acme-corp::ceo` or `charity-creek::river-system`. A fact is (subject, relation): two prompts asking the same
// thing differently are the same fact, so `factKeyOf` prefers, in order (issue 18 point 3):
//   1. an explicit key;
//   2. (subject, relation) when the record names its relation (CounterFact's relation_id, the world's relation,
//      `edit submit --relation`): `slug(subject)::slug(relation)`;
//   3. (subject, the fact's true answer) when the record has one but no relation (ZsRE's `answers`, CounterFact's
//      `ground_truth`): the subject and the answer being corrected pin the fact down without a relation id, so
//      "The 14 Irene was discovered by whom?" and "The inventor of 14 Irene was whom?" share one key;
//   4. the prompt text, the fallback callers report: `slug(subject)::slug(prompt)-<hash>`.
import { createHash } from 'node:crypto';
import { InvalidFieldError } from './errors.ts';

export const FACT_KEY_MAX_LENGTH = 200;
const SEGMENT = '[a-z0-9]+(?:-[a-z0-9]+)*';
export const FACT_KEY_PATTERN = new RegExp(`^${SEGMENT}(?:::${SEGMENT}){1,3}$`);

export const FACT_STREAM_PREFIX = 'fact-';

/** Why `value` is not a fact key, or undefined when it is one. */
export function factKeyProblem(value: string): string | undefined {
  if (value.length === 0) return 'must not be empty';
  if (value.length > FACT_KEY_MAX_LENGTH)
    return `must be at most ${FACT_KEY_MAX_LENGTH} characters (got ${value.length})`;
  if (!FACT_KEY_PATTERN.test(value)) {
    return `"${value}" is not a fact key: use 2-4 lower-case slugs joined by "::", e.g. "acme-corp::ceo"`;
  }
  return undefined;
}

export function assertFactKey(value: string, field = 'factKey'): string {
  const problem = factKeyProblem(value);
  if (problem !== undefined) throw new InvalidFieldError(field, problem);
  return value;
}

export function factStreamName(factKey: string): string {
  return `${FACT_STREAM_PREFIX}${factKey}`;
}

const SEGMENT_SLUG_MAX = 60;
const HASH_CHARS = 10;

function shortHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, HASH_CHARS);
}

/** Case- and whitespace-insensitive form of free text, so trivially different spellings name one fact. */
function normalizeText(text: string): string {
  return text.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Lower-case ASCII slug: accents folded (é -> e), anything else non-alphanumeric becomes a single `-`. */
export function slugify(text: string, maxLength = SEGMENT_SLUG_MAX): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
  const slug = ascii.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return slug.slice(0, maxLength).replace(/-+$/, '');
}

export type FactKeyBasis = 'explicit' | 'relation' | 'answer' | 'prompt';

export interface FactKeyInput {
  readonly prompt: string;
  readonly subject?: string | undefined;
  readonly relation?: string | undefined;
  /** The fact's current true answer (the one the edit corrects), when the record carries it. */
  readonly answer?: string | undefined;
}

function subjectSegment(subject: string | undefined): string {
  const text = subject === undefined ? '' : normalizeText(subject);
  return text === '' ? 'no-subject' : slugify(text) || `s-${shortHash(text)}`;
}

/** The fact key of a record without an explicit one, and what it was derived from (see the header). */
export function factKeyOf(input: FactKeyInput): { factKey: string; basis: Exclude<FactKeyBasis, 'explicit'> } {
  const subject = input.subject === undefined ? '' : normalizeText(input.subject);
  const relation = input.relation === undefined ? '' : normalizeText(input.relation);
  if (subject !== '' && relation !== '') {
    const slug = slugify(relation);
    return { factKey: `${subjectSegment(subject)}::${slug || `r-${shortHash(relation)}`}`, basis: 'relation' };
  }
  const answer = input.answer === undefined ? '' : normalizeText(input.answer);
  if (subject !== '' && answer !== '') {
    const slug = slugify(answer);
    const segment = slug === '' ? `answer-${shortHash(answer)}` : `answer-${slug}-${shortHash(answer)}`;
    return { factKey: `${subjectSegment(subject)}::${segment}`, basis: 'answer' };
  }
  return { factKey: deriveFactKey(input), basis: 'prompt' };
}

/**
 * Fact key from the prompt text (the last resort of `factKeyOf`): `slug(subject)::slug(prompt)-<sha256(prompt)[:10]>`.
 * The hash keeps prompts that only differ in punctuation or non-Latin characters apart; the slug keeps the key
 * readable. A subject that slugs to nothing (e.g. only CJK characters) becomes `s-<hash>`.
 */
export function deriveFactKey(request: { readonly prompt: string; readonly subject?: string | undefined }): string {
  const subjectSlug = subjectSegment(request.subject);
  const prompt = normalizeText(request.prompt);
  const promptSlug = slugify(prompt);
  const relation = promptSlug === '' ? `p-${shortHash(prompt)}` : `${promptSlug}-${shortHash(prompt)}`;
  return `${subjectSlug}::${relation}`;
}
