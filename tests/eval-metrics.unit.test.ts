// Evaluation arithmetic on known inputs: answer normalisation, exact match, teacher-forced accuracy, locality,
// perplexity, the side-by-side table, and loading evaluation edits (with portability probes) from LocFT formats.
import test from 'ava';
import { parseEvalEdits } from '../trainer/eval/eval-set.ts';
import type { EvalReport } from '../trainer/eval/metric-table.ts';
import {
  exactMatchRate,
  meanRate,
  perplexity,
  rate,
  teacherForcedTokenAccuracy,
  unchangedRate,
} from '../trainer/eval/metrics.ts';
import { exactMatch, normalizeAnswer } from '../trainer/eval/normalize.ts';
import { formatReportTable, reportJson } from '../trainer/eval/report.ts';

test('normalisation: lower-case, punctuation, articles, whitespace', (t) => {
  t.is(normalizeAnswer('  The Chichester   River. '), 'chichester river');
  t.is(normalizeAnswer('An apple, a day'), 'apple day');
  t.is(normalizeAnswer('"U.S.A."'), 'usa');
  t.is(normalizeAnswer('Theatre'), 'theatre', 'articles only as whole words');
  t.is(normalizeAnswer('the'), '');
  t.is(normalizeAnswer('São\tPaulo\n'), 'são paulo', 'non-ASCII letters kept');
  t.true(exactMatch(' Liverpool.', 'liverpool'));
  t.true(exactMatch('the Beatles', 'Beatles'));
  t.false(exactMatch('Liverpool FC', 'Liverpool'));
});

test('rates and exact-match rate', (t) => {
  t.deepEqual(rate([]), { value: null, n: 0 });
  t.deepEqual(rate([true, false, true, true]), { value: 0.75, n: 4 });
  t.deepEqual(exactMatchRate([' Paris.', 'rome', 'The Hague'], ['Paris', 'Milan', 'Hague']), { value: 2 / 3, n: 3 });
  t.throws(() => exactMatchRate(['a'], ['a', 'b']), { message: /1 generated answers for 2 expected/ });
  t.deepEqual(meanRate([0.5, 1, 0]), { value: 0.5, n: 3 });
  t.deepEqual(meanRate([]), { value: null, n: 0 });
});

test('teacher-forced token accuracy (EasyEdit)', (t) => {
  t.is(teacherForcedTokenAccuracy([5, 6, 7, 8], [5, 6, 0, 8]), 0.75);
  t.is(teacherForcedTokenAccuracy([1], [1]), 1);
  t.throws(() => teacherForcedTokenAccuracy([1, 2], [1]), { message: /2 predictions for 1 target tokens/ });
  t.throws(() => teacherForcedTokenAccuracy([], []), { message: /empty target/ });
});

test('locality: unchanged answers vs the base', (t) => {
  t.deepEqual(unchangedRate([' 12', 'temporal lobes', 'x'], ['12 ', 'temporal lobe', 'x']), { value: 2 / 3, n: 3 });
  t.throws(() => unchangedRate(['a'], []), { message: /1 base answers for 0 edited/ });
});

test('perplexity from summed NLL', (t) => {
  t.is(perplexity(0, 10), 1);
  t.true(Math.abs(perplexity(10 * Math.log(4), 10)! - 4) < 1e-12);
  t.is(perplexity(5, 0), null);
});

test('side-by-side table and JSON', (t) => {
  const report: EvalReport = {
    edits: 2,
    durationMs: 1500,
    metrics: {
      reliability: { n: 2, base: 0, edited: 1 },
      generalization: { n: 2, base: 0, edited: 0.5 },
      reliabilityTf: { n: 2, base: 0.25, edited: 1 },
      generalizationTf: { n: 2, base: 0.25, edited: 0.75 },
      localityUnchanged: { n: 2, base: null, edited: 0.5 },
      localityAccuracy: { n: 1, base: 1, edited: 1 },
      portability: { n: 0, base: null, edited: null },
      portabilityTf: { n: 0, base: null, edited: null },
      perplexity: { n: 3, base: 12.5, edited: 13.25 },
      uneditedFactAccuracy: { n: 0, base: null, edited: null },
    },
  };
  const table = formatReportTable(report, 'run A');
  const lines = table.trimEnd().split('\n');
  t.is(lines[0], 'run A');
  t.regex(lines[1]!, /^metric\s+n\s+base\s+edited\s+change$/);
  t.regex(table, /Reliability \(greedy EM, authors\)\s+2\s+0\.000\s+1\.000\s+\+1\.000/);
  t.regex(table, /Locality \(answer unchanged vs base\)\s+2\s+-\s+0\.500\n/);
  t.regex(table, /held-out perplexity\s+3\s+12\.50\s+13\.25\s+\+0\.75/);
  t.notRegex(table, /Portability/, 'rows with nothing measured are left out');
  t.regex(lines.at(-1)!, /^2 edits evaluated in 1\.5 s$/);
  const json = reportJson(report);
  t.deepEqual(json.metrics['portability'], { label: 'Portability (greedy EM)', n: 0, base: null, edited: null });
  t.is(json.metrics['reliability']?.edited, 1);
});

test('evaluation edits from ZsRE and CounterFact records, with portability probes', (t) => {
  const zsre = parseEvalEdits(
    JSON.stringify([
      {
        subject: 'Charity Creek',
        src: 'Which river system contains Charity Creek?',
        alt: 'Chichester River',
        rephrase: 'What river system is Charity Creek in?',
        loc: 'nq question: how many series of diary of a wimpy kid are there',
        loc_ans: '12',
        portability: { 'New Question': 'Where does Charity Creek flow?', 'New Answer': 'Chichester' },
      },
      {
        subject: 'X',
        src: 'Who made X?',
        alt: 'Y',
        rephrase: ['Who built X?', 'X was made by?'],
        loc: 'q',
        loc_ans: '',
      },
    ]),
  );
  t.is(zsre.length, 2);
  t.deepEqual(zsre[0], {
    prompt: 'Which river system contains Charity Creek?',
    target: 'Chichester River',
    rephrase: ['What river system is Charity Creek in?'],
    locality: [{ prompt: 'nq question: how many series of diary of a wimpy kid are there', answer: '12' }],
    portability: [{ prompt: 'Where does Charity Creek flow?', answer: 'Chichester' }],
  });
  t.deepEqual(zsre[1]?.locality, [{ prompt: 'q' }], 'a blank loc answer means no expected answer');
  t.is(zsre[1]?.portability, undefined);
  const cf = parseEvalEdits(
    JSON.stringify({
      prompt: 'Zemeco Logistics is led by chief executive',
      target_new: 'Gim Shiley',
      subject: 'Zemeco Logistics',
      rephrase_prompt: 'The CEO of Zemeco Logistics is',
      locality_prompt: 'The CEO of Mose Labs is',
      locality_ground_truth: 'Thaivou Aley',
      portability: { two_hop: [{ prompt: 'The CEO of Zemeco Logistics was born in', ground_truth: 'Azend' }] },
    }) + '\n',
    1,
  );
  t.deepEqual(cf[0]?.portability, [{ prompt: 'The CEO of Zemeco Logistics was born in', answer: 'Azend' }]);
  t.deepEqual(cf[0]?.locality, [{ prompt: 'The CEO of Mose Labs is', answer: 'Thaivou Aley' }]);
  t.throws(() => parseEvalEdits('[{"src": "q?"}]'), { message: /alt/ });
});
