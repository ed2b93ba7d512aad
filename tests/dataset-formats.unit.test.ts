import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDataset, parseDatasetBytes } from '../domain/dataset-formats.ts';
import { DatasetFormatError } from '../domain/errors.ts';
import { deriveFactKey, factKeyOf, factKeyProblem } from '../domain/fact-key.ts';

const ZSRE_3K = fileURLToPath(new URL('../../shared/datasets/zsre_3k.json', import.meta.url));

const zsreRecord = {
  subject: 'Charity Creek',
  src: 'Which river system contains Charity Creek?',
  pred: 'Parramatta River',
  rephrase: 'What river system is Charity Creek in?',
  alt: 'Chichester River',
  answers: ['Parramatta River'],
  loc: 'nq question: how many series of diary of a wimpy kid are there',
  loc_ans: '12',
  cond: 'ignored',
};

const counterfactRecord = {
  prompt: 'The mother tongue of Danielle Darrieux is',
  target_new: 'English',
  subject: 'Danielle Darrieux',
  ground_truth: ['French'],
  rephrase_prompt: ['Danielle Darrieux spoke the language', 'The native language of Danielle Darrieux is'],
  locality_prompt: ['The mother tongue of Léon Blum is', 'Montesquieu spoke the language'],
  locality_ground_truth: ['French', ['French']],
};

test('ZsRE JSON array -> normalized requests', (t) => {
  const { format, requests } = parseDataset(JSON.stringify([zsreRecord]));
  t.is(format, 'zsre');
  t.deepEqual(requests, [
    {
      // No relation id in ZsRE: the subject and the true answer being corrected name the fact.
      factKey: factKeyOf({ prompt: zsreRecord.src, subject: 'Charity Creek', answer: 'Parramatta River' }).factKey,
      prompt: zsreRecord.src,
      target: 'Chichester River',
      subject: 'Charity Creek',
      rephrase: ['What river system is Charity Creek in?'],
      locality: [{ prompt: zsreRecord.loc, answer: '12' }],
    },
  ]);
  t.regex(requests[0]!.factKey, /^charity-creek::answer-parramatta-river-[0-9a-f]{10}$/);
});

test('CounterFact JSONL with array values -> normalized requests; blank lines are skipped', (t) => {
  const text = `${JSON.stringify(counterfactRecord)}\n\n${JSON.stringify({ ...counterfactRecord, target_new: ['German'], locality_ground_truth: undefined })}\n`;
  const { format, requests } = parseDataset(text);
  t.is(format, 'counterfact');
  t.is(requests.length, 2);
  t.deepEqual(requests[0]?.rephrase, counterfactRecord.rephrase_prompt);
  t.is(requests[1]?.target, 'German');
  t.deepEqual(requests[1]?.locality, [
    { prompt: 'The mother tongue of Léon Blum is' },
    { prompt: 'Montesquieu spoke the language' },
  ]);
});

test('list items may be one-element arrays; longer nested lists are rejected rather than guessed', (t) => {
  const [request] = parseDataset(JSON.stringify([counterfactRecord])).requests;
  t.deepEqual(
    request?.locality.map((l) => l.answer),
    ['French', 'French'],
  );
  const ambiguous = { ...counterfactRecord, locality_ground_truth: ['French', ['French', 'Occitan']] };
  const error = t.throws(() => parseDataset(JSON.stringify([ambiguous])), { instanceOf: DatasetFormatError });
  t.is(error?.field, 'locality_ground_truth[1]');
  t.is(error?.recordIndex, 0);
});

test('derived fact keys are valid, readable, and case/whitespace-insensitive in the prompt', (t) => {
  const key = deriveFactKey({ prompt: 'Who is the CEO of Acme?', subject: 'Acme Corp' });
  t.regex(key, /^acme-corp::who-is-the-ceo-of-acme-[0-9a-f]{10}$/);
  t.is(factKeyProblem(key), undefined);
  t.is(deriveFactKey({ prompt: '  who is the  CEO of acme?', subject: 'Acme Corp' }), key);
  t.not(deriveFactKey({ prompt: 'Who is the CEO of Acme!', subject: 'Acme Corp' }), key);
  const cjk = deriveFactKey({ prompt: '李白的出生地是哪里？', subject: '李白' });
  t.regex(cjk, /^s-[0-9a-f]{10}::p-[0-9a-f]{10}$/);
  t.regex(deriveFactKey({ prompt: 'Where was Björk born?', subject: 'Björk' }), /^bjork::where-was-bjork-born-/);
  t.is(factKeyProblem(deriveFactKey({ prompt: 'x'.repeat(3000) })), undefined);
});

const badRecords: Array<[string, unknown, number, string | undefined, RegExp]> = [
  ['missing target (alt)', [zsreRecord, { ...zsreRecord, alt: undefined }], 1, 'alt', /missing/],
  ['empty prompt (src)', [{ ...zsreRecord, src: '' }], 0, 'src', /empty/],
  ['prompt of the wrong type', [{ ...zsreRecord, src: 17 }], 0, 'src', /string/],
  ['rephrase item of the wrong type', [{ ...zsreRecord, rephrase: ['ok?', 3] }], 0, 'rephrase[1]', /string/],
  ['huge target', [{ ...zsreRecord, alt: 'y'.repeat(5000) }], 0, 'alt', /at most 2000/],
  ['lone surrogate in the prompt', [{ ...zsreRecord, src: 'Who\uDC00?' }], 0, 'src', /surrogate/],
  ['a record that is not an object', [zsreRecord, zsreRecord, 'oops'], 2, undefined, /object/],
  ['a record of the other format', [zsreRecord, counterfactRecord], 1, 'src', /missing/],
  [
    'mismatched locality answers',
    [{ ...counterfactRecord, locality_ground_truth: ['a', 'b', 'c'] }],
    0,
    'locality_ground_truth',
    /3 answers for 2/,
  ],
  ['unknown record shape', [{ question: 'q', answer: 'a' }], 0, undefined, /unknown record shape/],
];

for (const [name, records, index, field, reason] of badRecords) {
  test(`bad record: ${name} -> error naming record ${index}${field ? ` field ${field}` : ''}`, (t) => {
    const error = t.throws(() => parseDataset(JSON.stringify(records)), { instanceOf: DatasetFormatError });
    t.is(error?.recordIndex, index);
    t.is(error?.field, field);
    t.regex(error?.message ?? '', reason);
    t.regex(error?.message ?? '', new RegExp(`^record ${index}`));
  });
}

test('bad files: invalid JSON, invalid JSONL line, empty dataset, not an array, invalid UTF-8', (t) => {
  t.throws(() => parseDataset('[{"src": '), { instanceOf: DatasetFormatError, message: /not valid JSON/ });
  const jsonl = `${JSON.stringify(zsreRecord)}\n{broken\n`;
  const error = t.throws(() => parseDataset(jsonl), { instanceOf: DatasetFormatError, message: /line 2/ });
  t.is(error?.recordIndex, 1);
  t.throws(() => parseDataset('[]'), { instanceOf: DatasetFormatError, message: /no records/ });
  t.throws(() => parseDataset('  \n '), { instanceOf: DatasetFormatError, message: /no records/ });
  t.throws(() => parseDataset('"just a string"'), { instanceOf: DatasetFormatError });
  const bytes = Buffer.concat([Buffer.from('[{"src":"caf'), Buffer.from([0xc3, 0x28]), Buffer.from('","alt":"x"}]')]);
  t.throws(() => parseDatasetBytes(bytes), { instanceOf: DatasetFormatError, message: /UTF-8/ });
});

test('a UTF-8 BOM is tolerated', (t) => {
  t.is(parseDatasetBytes(Buffer.from(`\uFEFF${JSON.stringify([zsreRecord])}`)).requests.length, 1);
});

test('the real zsre_3k.json parses into 3,000 requests, one fact key per (subject, true answer)', (t) => {
  if (!existsSync(ZSRE_3K)) {
    t.log(`SKIPPED: ${ZSRE_3K} is absent (it lives in ../shared/datasets, outside the repo)`);
    t.pass();
    return;
  }
  const { format, requests, factKeyBasis } = parseDatasetBytes(readFileSync(ZSRE_3K));
  t.is(format, 'zsre');
  t.is(requests.length, 3000);
  t.deepEqual(factKeyBasis, { explicit: 0, relation: 0, answer: 3000, prompt: 0 });
  // Issue 18 point 3: the three ways of asking who discovered 14 Irene are one fact; and records share a key
  // exactly when they share (subject, true answer).
  const raw = JSON.parse(readFileSync(ZSRE_3K, 'utf8')) as Array<{ subject: string; answers: string[] }>;
  const irene = requests.filter((r) => r.subject === '14 Irene');
  t.is(irene.length, 3);
  t.is(new Set(irene.map((r) => r.factKey)).size, 1);
  const pairs = new Set(raw.map((r) => `${r.subject.trim().toLowerCase()}\u0000${r.answers[0]?.trim().toLowerCase()}`));
  t.is(new Set(requests.map((r) => r.factKey)).size, pairs.size);
  t.true(pairs.size < 3000);
  t.true(requests.every((r) => r.rephrase.length === 1 && r.locality.length === 1 && r.subject !== undefined));
  t.is(requests[0]?.target, 'Chichester River');
});

test('fact keys: explicit, then (subject, relation), then (subject, true answer), then the prompt; counted', (t) => {
  const records = [
    { ...counterfactRecord, fact_key: 'danielle-darrieux::mother-tongue' },
    { ...counterfactRecord, relation_id: 'P103' },
    { ...counterfactRecord, prompt: 'Danielle Darrieux grew up speaking', relation: 'P103' },
    { ...counterfactRecord, ground_truth: undefined },
    counterfactRecord,
  ];
  const { requests, factKeyBasis } = parseDataset(JSON.stringify(records));
  t.deepEqual(
    requests.map((r) => r.factKey),
    [
      'danielle-darrieux::mother-tongue',
      'danielle-darrieux::p103',
      'danielle-darrieux::p103', // asked differently, same (subject, relation): one fact
      deriveFactKey({ prompt: counterfactRecord.prompt, subject: counterfactRecord.subject }),
      factKeyOf({ prompt: '', subject: 'Danielle Darrieux', answer: 'French' }).factKey,
    ],
  );
  t.regex(requests[4]!.factKey, /^danielle-darrieux::answer-french-[0-9a-f]{10}$/);
  t.deepEqual(factKeyBasis, { explicit: 1, relation: 2, answer: 1, prompt: 1 });
  const bad = t.throws(() => parseDataset(JSON.stringify([{ ...counterfactRecord, fact_key: 'Not A Key' }])), {
    instanceOf: DatasetFormatError,
  });
  t.is(bad?.field, 'fact_key');
});

test("the world's edits (relation field) get the demo's fact keys, e.g. uzei-robri::citizen-of", (t) => {
  const text = readFileSync(fileURLToPath(new URL('../models/base/world/edits.json', import.meta.url)), 'utf8');
  const { requests, factKeyBasis } = parseDataset(text);
  t.is(requests[0]?.factKey, 'uzei-robri::citizen-of');
  t.is(factKeyBasis.relation, requests.length);
});
