// Metric arithmetic on already-computed model outputs (no model here, so every formula is unit-testable).
import { exactMatch } from './normalize.ts';

/** A rate in [0,1] over n items; value is null when there was nothing to measure (n = 0). */
export interface Rate {
  readonly value: number | null;
  readonly n: number;
}

export function rate(flags: readonly boolean[]): Rate {
  if (flags.length === 0) return { value: null, n: 0 };
  let hits = 0;
  for (const f of flags) if (f) hits++;
  return { value: hits / flags.length, n: flags.length };
}

export function meanRate(values: readonly number[]): Rate {
  if (values.length === 0) return { value: null, n: 0 };
  let sum = 0;
  for (const v of values) sum += v;
  return { value: sum / values.length, n: values.length };
}

/** Authors' Reliability/Generalization: normalised exact match of each greedy answer against its target. */
export function exactMatchRate(generated: readonly string[], expected: readonly string[]): Rate {
  if (generated.length !== expected.length) {
    throw new Error(`exactMatchRate: ${generated.length} generated answers for ${expected.length} expected`);
  }
  return rate(generated.map((g, i) => exactMatch(g, expected[i] ?? '')));
}

/**
 * EasyEdit's teacher-forced accuracy for one prompt: the share of target tokens that are the argmax prediction
 * when the true previous tokens are fed in.
 */
export function teacherForcedTokenAccuracy(argmax: readonly number[], target: readonly number[]): number {
  if (argmax.length !== target.length) {
    throw new Error(`teacherForcedTokenAccuracy: ${argmax.length} predictions for ${target.length} target tokens`);
  }
  if (target.length === 0) throw new Error('teacherForcedTokenAccuracy: empty target');
  let hits = 0;
  for (let i = 0; i < target.length; i++) if (argmax[i] === target[i]) hits++;
  return hits / target.length;
}

/** Locality as "unchanged from the base model": the edited model's greedy answer equals the base's. */
export function unchangedRate(baseAnswers: readonly string[], editedAnswers: readonly string[]): Rate {
  if (baseAnswers.length !== editedAnswers.length) {
    throw new Error(`unchangedRate: ${baseAnswers.length} base answers for ${editedAnswers.length} edited answers`);
  }
  return rate(baseAnswers.map((b, i) => b.trim() === (editedAnswers[i] ?? '').trim()));
}

/** Perplexity from a summed token negative log-likelihood (natural log). */
export function perplexity(totalNll: number, tokenCount: number): number | null {
  if (tokenCount === 0) return null;
  return Math.exp(totalNll / tokenCount);
}
