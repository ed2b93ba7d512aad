// One evaluation run: the same probes through the base and the edited model, every metric side by side.
//
// - Reliability / Generalization (authors): greedy answer from the edit / rephrase prompts, normalised exact match.
// - Reliability / Generalization (EasyEdit): teacher-forced top-1 accuracy over the target tokens.
// - Locality: share of locality prompts whose greedy answer is unchanged from the base model; and accuracy
//   against the expected answer where the data gives one.
// - Portability (when probes exist): greedy-answer exact match and teacher-forced accuracy on multi-hop probes.
// - Capability: perplexity on held-out text and exact-match accuracy on unedited facts, before and after.
import type { LlamaModel } from '../model/llama.ts';
import type { HfTokenizer } from '../tokenizer/hf-tokenizer.ts';
import type { CapabilityProbes, EvalEdit } from './eval-set.ts';
import type { EvalReport, MetricName, MetricRow } from './metric-table.ts';
import { exactMatchRate, meanRate, perplexity, unchangedRate } from './metrics.ts';
import type { Rate } from './metrics.ts';
import { greedyAnswers, teacherForcedAccuracy, textNll } from './model-probes.ts';
import type { ProbeOptions } from './model-probes.ts';

export interface EvaluateInput {
  readonly base: LlamaModel;
  /** The edited model; omit to evaluate the base alone (edited column = base). */
  readonly edited?: LlamaModel;
  readonly tokenizer: HfTokenizer;
  readonly edits: readonly EvalEdit[];
  readonly capability?: CapabilityProbes;
  readonly probe?: ProbeOptions;
}

function row(base: Rate | null, edited: Rate | null): MetricRow {
  return { n: edited?.n ?? base?.n ?? 0, base: base?.value ?? null, edited: edited?.value ?? null };
}

export async function evaluateEdits(input: EvaluateInput): Promise<EvalReport> {
  const started = performance.now();
  const { tokenizer, edits } = input;
  const models = { base: input.base, edited: input.edited ?? input.base };
  const opts = input.probe ?? {};
  const rephrase = edits.flatMap((e) => e.rephrase.map((prompt) => ({ prompt, target: e.target })));
  const locality = edits.flatMap((e) => e.locality);
  const withAnswer = locality.filter((l): l is { prompt: string; answer: string } => l.answer !== undefined);
  const portability = edits.flatMap((e) => e.portability ?? []).map((p) => ({ prompt: p.prompt, target: p.answer }));
  const facts = input.capability?.facts ?? [];
  const heldout = input.capability?.heldoutText ?? [];

  const answersOf = async (m: LlamaModel) => {
    const [rel, gen, loc, port, fact] = [
      await greedyAnswers(m, tokenizer, edits.map((e) => e.prompt), opts),
      await greedyAnswers(m, tokenizer, rephrase.map((r) => r.prompt), opts),
      await greedyAnswers(m, tokenizer, locality.map((l) => l.prompt), opts),
      await greedyAnswers(m, tokenizer, portability.map((p) => p.prompt), opts),
      await greedyAnswers(m, tokenizer, facts.map((f) => f.prompt), opts),
    ];
    return { rel, gen, loc, port, fact };
  };
  const tfOf = async (m: LlamaModel) => ({
    rel: meanRate(await teacherForcedAccuracy(m, tokenizer, edits, opts)),
    gen: meanRate(await teacherForcedAccuracy(m, tokenizer, rephrase, opts)),
    port: meanRate(await teacherForcedAccuracy(m, tokenizer, portability, opts)),
  });
  const pplOf = async (m: LlamaModel) => {
    if (heldout.length === 0) return null;
    const { nll, tokens } = await textNll(m, tokenizer, heldout, opts);
    return { value: perplexity(nll, tokens), n: heldout.length };
  };

  const sameModel = models.edited === models.base;
  const a = { base: await answersOf(models.base), edited: sameModel ? undefined : await answersOf(models.edited) };
  const t = { base: await tfOf(models.base), edited: sameModel ? undefined : await tfOf(models.edited) };
  const p = { base: await pplOf(models.base), edited: sameModel ? undefined : await pplOf(models.edited) };
  const ea = a.edited ?? a.base;
  const et = t.edited ?? t.base;
  const locAnswerIndex = locality.map((l, i) => (l.answer !== undefined ? i : -1)).filter((i) => i >= 0);
  const locAcc = (answers: readonly string[]) => exactMatchRate(locAnswerIndex.map((i) => answers[i]!), withAnswer.map((l) => l.answer));

  const metrics: Record<MetricName, MetricRow> = {
    reliability: row(exactMatchRate(a.base.rel, edits.map((e) => e.target)), exactMatchRate(ea.rel, edits.map((e) => e.target))),
    generalization: row(exactMatchRate(a.base.gen, rephrase.map((r) => r.target)), exactMatchRate(ea.gen, rephrase.map((r) => r.target))),
    reliabilityTf: row(t.base.rel, et.rel),
    generalizationTf: row(t.base.gen, et.gen),
    localityUnchanged: row(null, unchangedRate(a.base.loc, ea.loc)),
    localityAccuracy: row(locAcc(a.base.loc), locAcc(ea.loc)),
    portability: row(exactMatchRate(a.base.port, portability.map((q) => q.target)), exactMatchRate(ea.port, portability.map((q) => q.target))),
    portabilityTf: row(t.base.port, et.port),
    perplexity: row(p.base, p.edited ?? p.base),
    uneditedFactAccuracy: row(exactMatchRate(a.base.fact, facts.map((f) => f.answer)), exactMatchRate(ea.fact, facts.map((f) => f.answer))),
  };
  return { edits: edits.length, metrics, durationMs: performance.now() - started };
}
