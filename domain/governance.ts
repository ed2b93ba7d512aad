// Governance: the change envelope an operator declares in advance (the predetermined-change idea of the EU AI
// Act, Recital 128 and Art. 43(4)), the verdict of a version against it, and when the trainer may move the serving
// pointer on its own. Pure: the model decider (model-version.ts) applies these rules; nothing here does I/O.
//
// The governance is declared with the training policy (TrainingPolicyRegistered.governance) but is NOT part of the
// policy hash: a version is a function of (base, edit set, policy); what the operator accepts does not change the
// weights, so declaring or tightening an envelope never renames a version.
import { z } from 'zod';
import { canonicalJson, sha256Hex } from './canonical-json.ts';

const fraction = z.number().min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]');

export const ChangeEnvelopeSchema = z.strictObject({
  /** Share of the edits the version answers (exact match on their prompts). */
  minReliability: fraction.optional(),
  /** Share of the edits' paraphrases it answers. */
  minGeneralization: fraction.optional(),
  /** Share of the locality probes whose answers did not change. */
  minLocality: fraction.optional(),
  /** Relative held-out perplexity increase over the base, e.g. 0.05 = at most 5% worse. */
  maxPerplexityIncrease: z.number().min(0, 'must be >= 0').optional(),
  /** Absolute drop of the unedited-fact recall against the base, e.g. 0.05 = at most 5 points. */
  maxUneditedFactDrop: fraction.optional(),
  /** Edits a version may carry. */
  maxEditsPerVersion: z.number().int().min(1, 'must be an integer >= 1').optional(),
});
export type ChangeEnvelope = z.infer<typeof ChangeEnvelopeSchema>;

export const AutoPromoteSchema = z.enum(['never', 'within-envelope', 'always']);
export type AutoPromote = z.infer<typeof AutoPromoteSchema>;

export const GovernanceSchema = z.strictObject({
  envelope: ChangeEnvelopeSchema,
  /** Which versions the trainer consumer may serve on its own. */
  autoPromote: AutoPromoteSchema,
  /** Four-eyes review: a submitted edit is trained only once an approver approved it. */
  requireApproval: z.boolean(),
});
export type Governance = z.infer<typeof GovernanceSchema>;

/** Without a declaration: every version may be served automatically, no review (the behaviour before issue 13). */
export const DEFAULT_GOVERNANCE: Governance = { envelope: {}, autoPromote: 'always', requireApproval: false };

export const EnvelopeCheckSchema = z.strictObject({
  metric: z.string(),
  /** null: the version has no such metric (e.g. no paraphrase probes to measure generalization on). */
  value: z.number().nullable(),
  bound: z.number(),
  rule: z.enum(['min', 'max']),
});
export type EnvelopeCheck = z.infer<typeof EnvelopeCheckSchema>;

export const VerdictSchema = z.strictObject({
  within: z.boolean(),
  /** The checks that failed (empty when within). A metric the version lacks fails its check. */
  failing: z.array(EnvelopeCheckSchema),
  /** sha256 of the canonical JSON of the envelope it was judged against. */
  envelopeHash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Verdict = z.infer<typeof VerdictSchema>;

export function envelopeHashOf(envelope: ChangeEnvelope): string {
  return sha256Hex(canonicalJson(envelope));
}

/** The envelope's checks, each as (metric, the version's value, bound, rule). */
function checksOf(
  envelope: ChangeEnvelope,
  metrics: Readonly<Record<string, number>>,
  edits: number,
): Array<EnvelopeCheck & { value: number }> {
  const checks: Array<EnvelopeCheck & { value: number }> = [];
  const value = (name: string) => metrics[name] ?? Number.NaN;
  if (envelope.minReliability !== undefined)
    checks.push({ metric: 'reliability', value: value('reliability'), bound: envelope.minReliability, rule: 'min' });
  if (envelope.minGeneralization !== undefined)
    checks.push({
      metric: 'generalization',
      value: value('generalization'),
      bound: envelope.minGeneralization,
      rule: 'min',
    });
  if (envelope.minLocality !== undefined)
    checks.push({ metric: 'locality', value: value('locality'), bound: envelope.minLocality, rule: 'min' });
  if (envelope.maxPerplexityIncrease !== undefined) {
    const increase = (value('perplexity') - value('perplexityBase')) / value('perplexityBase');
    checks.push({ metric: 'perplexityIncrease', value: increase, bound: envelope.maxPerplexityIncrease, rule: 'max' });
  }
  if (envelope.maxUneditedFactDrop !== undefined) {
    const drop = value('uneditedFactAccuracyBase') - value('uneditedFactAccuracy');
    checks.push({ metric: 'uneditedFactDrop', value: drop, bound: envelope.maxUneditedFactDrop, rule: 'max' });
  }
  if (envelope.maxEditsPerVersion !== undefined)
    checks.push({ metric: 'edits', value: edits, bound: envelope.maxEditsPerVersion, rule: 'max' });
  return checks;
}

/** A version's verdict against an envelope. A version with no edits has no edit metrics: those checks pass. */
export function assessVersion(
  envelope: ChangeEnvelope,
  metrics: Readonly<Record<string, number>>,
  edits: number,
): Verdict {
  const editMetrics = new Set(['reliability', 'generalization', 'locality']);
  const failing = checksOf(envelope, metrics, edits)
    .filter((check) => {
      if (edits === 0 && editMetrics.has(check.metric)) return false;
      if (!Number.isFinite(check.value)) return true;
      // Rounded so a metric printed as equal to its bound is not a failure of the 16th digit.
      const value = Math.round(check.value * 1e9) / 1e9;
      return check.rule === 'min' ? value < check.bound : value > check.bound;
    })
    // JSON has no NaN: a metric the version lacks is recorded as null.
    .map((check) => (Number.isFinite(check.value) ? check : { ...check, value: null }));
  return { within: failing.length === 0, failing, envelopeHash: envelopeHashOf(envelope) };
}

/** Why the trainer may not serve a version on its own, or undefined when it may. */
export function automaticPromotionBlock(
  governance: Governance,
  verdict: Verdict | undefined,
  pinned: boolean,
): string | undefined {
  if (pinned)
    return 'the serving version is pinned by a human decision (release the pin to resume automatic promotion)';
  if (governance.autoPromote === 'never') return 'the governance policy never promotes automatically';
  if (governance.autoPromote === 'within-envelope' && verdict !== undefined && !verdict.within)
    return `outside the change envelope: ${describeFailing(verdict)}`;
  return undefined;
}

export function describeFailing(verdict: Verdict): string {
  return verdict.failing
    .map(
      (f) => `${f.metric} ${f.value === null ? 'missing' : round(f.value)} ${f.rule === 'min' ? '<' : '>'} ${f.bound}`,
    )
    .join(', ');
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(4);
}

/** "promotes within-envelope; envelope: reliability >= 0.9, ...; four-eyes review" for humans. */
export function describeGovernance(governance: Governance): string {
  const e = governance.envelope;
  const bounds = [
    e.minReliability !== undefined && `reliability >= ${e.minReliability}`,
    e.minGeneralization !== undefined && `generalization >= ${e.minGeneralization}`,
    e.minLocality !== undefined && `locality >= ${e.minLocality}`,
    e.maxPerplexityIncrease !== undefined && `perplexity increase <= ${e.maxPerplexityIncrease}`,
    e.maxUneditedFactDrop !== undefined && `unedited-fact drop <= ${e.maxUneditedFactDrop}`,
    e.maxEditsPerVersion !== undefined && `edits <= ${e.maxEditsPerVersion}`,
  ].filter((b): b is string => typeof b === 'string');
  return `auto-promote ${governance.autoPromote}; envelope ${bounds.length === 0 ? 'none declared' : bounds.join(', ')}${governance.requireApproval ? '; edits need approval' : ''}`;
}
