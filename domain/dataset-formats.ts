// LocFT's dataset formats -> normalized edit requests (used by `edit import` and by the trainer).
//
// Two record shapes, in a JSON array or in JSONL (one object per non-blank line):
// - ZsRE:                   src (prompt), alt (new target), subject, rephrase, loc, loc_ans
// - CounterFact/WikiBigEdit: prompt, target_new, subject, ground_truth, rephrase_prompt, locality_prompt,
//                            locality_ground_truth
// The shape is detected from the first record; every record must then have it. Other keys (pred, cond, ...) are
// ignored; answers, ground_truth and relation_id only feed the fact key. prompt/target/subject may be a string or a one-element array; rephrase and
// locality may be a string or an array whose items are strings or one-element arrays of one. A blank loc answer means "no expected answer".
// Errors are DatasetFormatError naming the 0-based record index and the dataset's own field name.
// Fact keys (domain/fact-key.ts `factKeyOf`): an explicit `fact_key`/`factKey`, else (subject, relation) from
// `relation_id`/`relation`, else (subject, true answer) from ZsRE's `answers` or CounterFact's `ground_truth`,
// else the prompt; `ParsedDataset.factKeyBasis` counts which, so `edit import` can report prompt fallbacks.
import { z } from 'zod';
import { DatasetFormatError } from './errors.ts';
import { factKeyOf, factKeyProblem } from './fact-key.ts';
import type { FactKeyBasis } from './fact-key.ts';
import { LIMITS, requiredText } from './events/fields.ts';

export const LocalityRequestSchema = z.strictObject({
  prompt: requiredText(LIMITS.prompt),
  answer: requiredText(LIMITS.target).optional(),
});

/** One edit to make, independent of how it arrived. Limits match the EditSubmitted event's. */
export const EditRequestSchema = z.strictObject({
  factKey: z.string(),
  prompt: requiredText(LIMITS.prompt),
  target: requiredText(LIMITS.target),
  subject: requiredText(LIMITS.prompt).optional(),
  rephrase: z.array(requiredText(LIMITS.prompt)).max(LIMITS.probes),
  locality: z.array(LocalityRequestSchema).max(LIMITS.probes),
  /** The person the edit is about (`data_subject` / `dataSubject` in a record): recorded sealed, erasable. */
  dataSubject: requiredText(LIMITS.name).optional(),
});
export type EditRequest = z.infer<typeof EditRequestSchema>;
export type LocalityRequest = z.infer<typeof LocalityRequestSchema>;

export type DatasetFormat = 'zsre' | 'counterfact';

export interface ParsedDataset {
  readonly format: DatasetFormat;
  readonly requests: EditRequest[];
  /** How many records got their fact key from each basis (`prompt` is the fallback worth reporting). */
  readonly factKeyBasis: Record<FactKeyBasis, number>;
}

interface FieldNames {
  readonly prompt: string;
  readonly target: string;
  readonly subject: string;
  readonly rephrase: string;
  readonly localityPrompt: string;
  readonly localityAnswer: string;
  /** The fact's true answer before the edit, when the format carries it. */
  readonly answer: string;
}

/** Keys an upstream record may use to name its fact or relation explicitly, in either format. */
const EXPLICIT_FACT_KEYS = ['fact_key', 'factKey'] as const;
const RELATION_KEYS = ['relation_id', 'relation'] as const;

const FIELDS: Record<DatasetFormat, FieldNames> = {
  zsre: {
    prompt: 'src',
    target: 'alt',
    subject: 'subject',
    rephrase: 'rephrase',
    localityPrompt: 'loc',
    localityAnswer: 'loc_ans',
    answer: 'answers',
  },
  counterfact: {
    prompt: 'prompt',
    target: 'target_new',
    subject: 'subject',
    rephrase: 'rephrase_prompt',
    localityPrompt: 'locality_prompt',
    localityAnswer: 'locality_ground_truth',
    answer: 'ground_truth',
  },
};

type RawRecord = Record<string, unknown>;

function detectFormat(record: RawRecord, index: number): DatasetFormat {
  if ('src' in record || 'alt' in record) return 'zsre';
  if ('prompt' in record || 'target_new' in record) return 'counterfact';
  throw new DatasetFormatError(
    index,
    undefined,
    'unknown record shape: expected ZsRE keys (src, alt, ...) or CounterFact keys (prompt, target_new, ...)',
  );
}

/** A string, or a one-element array of one; undefined when absent and optional. */
function single(record: RawRecord, field: string, index: number, required: boolean): string | undefined {
  const value = record[field];
  if (value === undefined || value === null) {
    if (required) throw new DatasetFormatError(index, field, 'missing');
    return undefined;
  }
  const item: unknown = Array.isArray(value) && value.length === 1 ? (value[0] as unknown) : value;
  if (typeof item !== 'string')
    throw new DatasetFormatError(index, field, 'must be a string (or a one-element array of one)');
  return item;
}

/** A string or an array of strings (each possibly a one-element array), as a list; absent means empty. */
function list(record: RawRecord, field: string, index: number): string[] {
  const value = record[field];
  if (value === undefined || value === null) return [];
  const items: unknown[] = Array.isArray(value) ? value : [value];
  return items.map((raw, i) => {
    const item: unknown = Array.isArray(raw) && raw.length === 1 ? (raw[0] as unknown) : raw;
    if (typeof item !== 'string') {
      throw new DatasetFormatError(index, `${field}[${i}]`, 'must be a string (or a one-element array of one)');
    }
    return item;
  });
}

function localityProbes(record: RawRecord, names: FieldNames, index: number): LocalityRequest[] {
  const prompts = list(record, names.localityPrompt, index);
  const answers = list(record, names.localityAnswer, index);
  if (answers.length > 0 && answers.length !== prompts.length) {
    // A single answer for a single prompt is the common case; anything else must pair up one-to-one.
    throw new DatasetFormatError(
      index,
      names.localityAnswer,
      `has ${answers.length} answers for ${prompts.length} locality prompts`,
    );
  }
  return prompts.map((prompt, i) => {
    const answer = answers[i];
    return answer === undefined || answer.trim() === '' ? { prompt } : { prompt, answer };
  });
}

/** Dataset field name for a path inside EditRequest, so errors speak the file's language. */
function datasetField(path: readonly PropertyKey[], names: FieldNames): string {
  const [head, i, leaf] = path;
  switch (head) {
    case 'prompt':
    case 'target':
    case 'subject':
      return names[head];
    case 'rephrase':
      return i === undefined ? names.rephrase : `${names.rephrase}[${String(i)}]`;
    case 'locality': {
      const field = leaf === 'answer' ? names.localityAnswer : names.localityPrompt;
      return i === undefined ? field : `${field}[${String(i)}]`;
    }
    default:
      return path.map(String).join('.');
  }
}

/** Where a record names the data subject it is about. */
const DATA_SUBJECT_KEYS = ['data_subject', 'dataSubject'] as const;

/** The first of `keys` present in the record, as one string (or undefined). */
function firstOf(record: RawRecord, keys: readonly string[], index: number): string | undefined {
  for (const key of keys) {
    const value = single(record, key, index, false);
    if (value !== undefined && value.trim() !== '') return value;
  }
  return undefined;
}

/** The true answer: the first of a list (ZsRE's `answers`) or a single value (CounterFact's `ground_truth`). */
function trueAnswer(record: RawRecord, field: string): string | undefined {
  const value = record[field];
  const first: unknown = Array.isArray(value) ? (value[0] as unknown) : value;
  return typeof first === 'string' && first.trim() !== '' ? first : undefined;
}

/** Normalize one raw record of a known format into an EditRequest, or throw naming the record and field. */
export function toEditRequest(raw: unknown, format: DatasetFormat, index: number): EditRequest {
  return toKeyedEditRequest(raw, format, index).request;
}

function toKeyedEditRequest(
  raw: unknown,
  format: DatasetFormat,
  index: number,
): { request: EditRequest; basis: FactKeyBasis } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new DatasetFormatError(index, undefined, 'must be a JSON object');
  }
  const record = raw as RawRecord;
  const names = FIELDS[format];
  const prompt = single(record, names.prompt, index, true) ?? '';
  const subject = single(record, names.subject, index, false);
  const dataSubject = firstOf(record, DATA_SUBJECT_KEYS, index);
  const explicit = firstOf(record, EXPLICIT_FACT_KEYS, index);
  const derived =
    explicit === undefined
      ? factKeyOf({
          prompt,
          subject,
          relation: firstOf(record, RELATION_KEYS, index),
          answer: trueAnswer(record, names.answer),
        })
      : { factKey: explicit, basis: 'explicit' as const };
  const candidate = {
    factKey: derived.factKey,
    prompt,
    target: single(record, names.target, index, true) ?? '',
    ...(subject === undefined || subject.trim() === '' ? {} : { subject }),
    rephrase: list(record, names.rephrase, index),
    locality: localityProbes(record, names, index),
    ...(dataSubject !== undefined && { dataSubject }),
  };
  const result = EditRequestSchema.safeParse(candidate);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new DatasetFormatError(index, datasetField(issue?.path ?? [], names), issue?.message ?? 'invalid');
  }
  const problem = factKeyProblem(result.data.factKey);
  if (problem !== undefined) {
    if (explicit !== undefined) throw new DatasetFormatError(index, 'fact_key', problem);
    throw new DatasetFormatError(index, names.prompt, `cannot derive a fact key: ${problem}`);
  }
  return { request: result.data, basis: derived.basis };
}

function parseJsonArray(text: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new DatasetFormatError(undefined, undefined, `not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed))
    throw new DatasetFormatError(undefined, undefined, 'a JSON dataset must be an array of records');
  return parsed;
}

function parseJsonLines(text: string): unknown[] {
  const records: unknown[] = [];
  text.split(/\r?\n/).forEach((line, lineIndex) => {
    if (line.trim() === '') return;
    try {
      records.push(JSON.parse(line));
    } catch (error) {
      throw new DatasetFormatError(
        records.length,
        undefined,
        `line ${lineIndex + 1} is not valid JSON: ${(error as Error).message}`,
      );
    }
  });
  return records;
}

/** Parse a whole dataset file's text: a JSON array (first non-blank character `[`) or JSONL. */
export function parseDataset(text: string): ParsedDataset {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // tolerate a UTF-8 BOM
  const records = body.trimStart().startsWith('[') ? parseJsonArray(body) : parseJsonLines(body);
  if (records.length === 0) throw new DatasetFormatError(undefined, undefined, 'the dataset has no records');
  const first = records[0];
  if (typeof first !== 'object' || first === null || Array.isArray(first)) {
    throw new DatasetFormatError(0, undefined, 'must be a JSON object');
  }
  const format = detectFormat(first as RawRecord, 0);
  const factKeyBasis: Record<FactKeyBasis, number> = { explicit: 0, relation: 0, answer: 0, prompt: 0 };
  const requests = records.map((record, index) => {
    const { request, basis } = toKeyedEditRequest(record, format, index);
    factKeyBasis[basis] += 1;
    return request;
  });
  return { format, requests, factKeyBasis };
}

/** Decode file bytes strictly: invalid UTF-8 is an error, never replacement characters in the ledger. */
export function parseDatasetBytes(bytes: Uint8Array): ParsedDataset {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DatasetFormatError(undefined, undefined, 'the file is not valid UTF-8');
  }
  return parseDataset(text);
}
