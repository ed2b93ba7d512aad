// The envelope verdict (domain/governance.ts): each bound checked, a metric the version lacks fails as null (JSON has
// no NaN), a version without edits is not judged on edit metrics, and the trainer's promotion rules.
import test from 'ava';
import { assessVersion, automaticPromotionBlock, DEFAULT_GOVERNANCE, VerdictSchema } from '../domain/governance.ts';

const metrics = {
  reliability: 0.95,
  generalization: 0.6,
  locality: 0.8,
  perplexity: 3.3,
  perplexityBase: 3.0,
  uneditedFactAccuracy: 0.8,
  uneditedFactAccuracyBase: 0.9,
};

test('each bound of the envelope is checked; the failing ones carry value, bound and rule', (t) => {
  const within = assessVersion({ minReliability: 0.9, minGeneralization: 0.5, maxEditsPerVersion: 10 }, metrics, 5);
  t.true(within.within);
  const outside = assessVersion(
    { minLocality: 0.85, maxPerplexityIncrease: 0.05, maxUneditedFactDrop: 0.2, maxEditsPerVersion: 4 },
    metrics,
    5,
  );
  t.false(outside.within);
  t.deepEqual(
    outside.failing.map((f) => [f.metric, f.rule, f.bound]),
    [
      ['locality', 'min', 0.85],
      ['perplexityIncrease', 'max', 0.05],
      ['edits', 'max', 4],
    ],
  );
  t.is(Math.round(outside.failing[1]!.value! * 1000), 100);
});

test('a metric the version lacks fails its check as null and the verdict stays valid JSON', (t) => {
  const verdict = assessVersion({ minGeneralization: 0.5 }, { reliability: 1 }, 1);
  t.false(verdict.within);
  t.is(verdict.failing[0]!.value, null);
  t.true(VerdictSchema.safeParse(JSON.parse(JSON.stringify(verdict))).success);
  t.true(assessVersion({ minGeneralization: 0.5 }, {}, 0).within, 'no edits: no edit metrics to judge');
});

test('automatic promotion: a pin blocks it, never blocks it, within-envelope blocks a version outside', (t) => {
  const outside = assessVersion({ minLocality: 0.9 }, metrics, 3);
  t.is(automaticPromotionBlock(DEFAULT_GOVERNANCE, outside, false), undefined, 'always: no envelope gating');
  t.regex(automaticPromotionBlock(DEFAULT_GOVERNANCE, undefined, true) ?? '', /pinned/);
  t.regex(automaticPromotionBlock({ ...DEFAULT_GOVERNANCE, autoPromote: 'never' }, undefined, false) ?? '', /never/);
  const gated = { envelope: { minLocality: 0.9 }, autoPromote: 'within-envelope' as const, requireApproval: false };
  t.regex(automaticPromotionBlock(gated, outside, false) ?? '', /locality 0.8000 < 0.9/);
});
