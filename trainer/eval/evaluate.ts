// One evaluation run: the same probes through the base and the edited model, every metric side by side.
//
// - Reliability / Generalization (authors): greedy answer from the edit / rephrase prompts, normalised exact match.
// - Reliability / Generalization (EasyEdit): teacher-forced top-1 accuracy over the target tokens.
// - Locality: share of locality prompts whose greedy answer is unchanged from the base model; and accuracy
//   against the expected answer where the data gives one.
// - Portability (when probes exist): greedy-answer exact match and teacher-forced accuracy on multi-hop probes.
// - Capability: perplexity on held-out text and exact-match accuracy on unedited facts, before and after.
import type { EvalPhase } from '../../domain/ports/model-editor.ts';
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
  /** Called before each phase of each model's measurement. */
  readonly onPhase?: (phase: EvalPhase) => void;
}

function row(base: Rate | null, edited: Rate | null): MetricRow {
  return { n: edited?.n ?? base?.n ?? 0, base: base?.value ?? null, edited: edited?.value ?? null };
}

/** Everything measured on one model for one probe set; compare two of these with compareMeasurements. */
export interface ModelMeasurement {
  readonly answers: {
    readonly rel: string[];
    readonly gen: string[];
    readonly loc: string[];
    readonly port: string[];
    readonly fact: string[];
  };
  readonly teacherForced: { readonly rel: Rate; readonly gen: Rate; readonly port: Rate };
  readonly perplexity: Rate | null;
  readonly durationMs: number;
}

interface ProbeSet {
  readonly rephrase: Array<{ prompt: string; target: string }>;
  readonly locality: Array<{ prompt: string; answer?: string }>;
  readonly portability: Array<{ prompt: string; target: string }>;
  readonly facts: readonly { readonly prompt: string; readonly answer: string }[];
  readonly heldout: readonly string[];
}

function probeSet(edits: readonly EvalEdit[], capability: CapabilityProbes | undefined): ProbeSet {
  return {
    rephrase: edits.flatMap((e) => e.rephrase.map((prompt) => ({ prompt, target: e.target }))),
    locality: edits.flatMap((e) => e.locality.map((l) => ({ ...l }))),
    portability: edits.flatMap((e) => e.portability ?? []).map((p) => ({ prompt: p.prompt, target: p.answer })),
    facts: capability?.facts ?? [],
    heldout: capability?.heldoutText ?? [],
  };
}

const MEASURE_PHASES = 9;

export async function measureModel(
  model: LlamaModel,
  tokenizer: HfTokenizer,
  edits: readonly EvalEdit[],
  capability?: CapabilityProbes,
  opts: ProbeOptions = {},
  onPhase?: (phase: Omit<EvalPhase, 'model'>) => void,
): Promise<ModelMeasurement> {
  const started = performance.now();
  const s = probeSet(edits, capability);
  let index = 0;
  const phase = (name: string, items: number): void => {
    index += 1;
    onPhase?.({ phase: name, index, total: MEASURE_PHASES, items, elapsedMs: performance.now() - started });
  };
  const greedy = async (name: string, prompts: readonly string[]): Promise<string[]> => {
    phase(`greedy answers: ${name}`, prompts.length);
    return greedyAnswers(model, tokenizer, prompts, opts);
  };
  const forced = async (name: string, items: readonly { prompt: string; target: string }[]): Promise<Rate> => {
    phase(`teacher-forced: ${name}`, items.length);
    return meanRate(await teacherForcedAccuracy(model, tokenizer, items, opts));
  };
  const answers = {
    rel: await greedy('edit prompts', promptsOf(edits)),
    gen: await greedy('rephrasings', promptsOf(s.rephrase)),
    loc: await greedy('locality prompts', promptsOf(s.locality)),
    port: await greedy('portability probes', promptsOf(s.portability)),
    fact: await greedy('unedited facts', promptsOf(s.facts)),
  };
  const teacherForced = {
    rel: await forced('edit prompts', edits),
    gen: await forced('rephrasings', s.rephrase),
    port: await forced('portability probes', s.portability),
  };
  let ppl: Rate | null = null;
  phase('held-out perplexity', s.heldout.length);
  if (s.heldout.length > 0) {
    const { nll, tokens } = await textNll(model, tokenizer, s.heldout, opts);
    ppl = { value: perplexity(nll, tokens), n: s.heldout.length };
  }
  return { answers, teacherForced, perplexity: ppl, durationMs: performance.now() - started };
}

/** The report for two measurements of the same probe set (base first). */
export function compareMeasurements(
  base: ModelMeasurement,
  edited: ModelMeasurement,
  edits: readonly EvalEdit[],
  capability?: CapabilityProbes,
): EvalReport {
  const s = probeSet(edits, capability);
  const targets = edits.map((e) => e.target);
  const withAnswer = s.locality
    .map((l, i) => ({ i, answer: l.answer }))
    .filter((x): x is { i: number; answer: string } => x.answer !== undefined);
  const locAcc = (answers: readonly string[]) =>
    exactMatchRate(
      withAnswer.map((x) => answers[x.i]!),
      withAnswer.map((x) => x.answer),
    );
  const a = { base: base.answers, edited: edited.answers };
  /** Exact-match rate of one probe set's greedy answers, base next to edited. */
  const matched = (probes: keyof ModelMeasurement['answers'], expected: readonly string[]) =>
    row(exactMatchRate(a.base[probes], expected), exactMatchRate(a.edited[probes], expected));
  const rephraseTargets = s.rephrase.map((r) => r.target);
  const portabilityTargets = s.portability.map((q) => q.target);
  const factAnswers = s.facts.map((f) => f.answer);
  const metrics: Record<MetricName, MetricRow> = {
    reliability: matched('rel', targets),
    generalization: matched('gen', rephraseTargets),
    reliabilityTf: row(base.teacherForced.rel, edited.teacherForced.rel),
    generalizationTf: row(base.teacherForced.gen, edited.teacherForced.gen),
    localityUnchanged: row(null, unchangedRate(a.base.loc, a.edited.loc)),
    localityAccuracy: row(locAcc(a.base.loc), locAcc(a.edited.loc)),
    portability: matched('port', portabilityTargets),
    portabilityTf: row(base.teacherForced.port, edited.teacherForced.port),
    perplexity: row(base.perplexity, edited.perplexity),
    uneditedFactAccuracy: matched('fact', factAnswers),
  };
  return { edits: edits.length, metrics, durationMs: base.durationMs + edited.durationMs };
}

/** Measures the base (and the edited model, when given and different) and compares them. */
export async function evaluateEdits(input: EvaluateInput): Promise<EvalReport> {
  const report =
    (model: EvalPhase['model']) =>
    (p: Omit<EvalPhase, 'model'>): void =>
      input.onPhase?.({ ...p, model });
  const base = await measureModel(
    input.base,
    input.tokenizer,
    input.edits,
    input.capability,
    input.probe,
    report('base'),
  );
  const edited =
    input.edited === undefined || input.edited === input.base
      ? base
      : await measureModel(input.edited, input.tokenizer, input.edits, input.capability, input.probe, report('edited'));
  return compareMeasurements(base, edited, input.edits, input.capability);
}

function promptsOf(probes: readonly { readonly prompt: string }[]): string[] {
  return probes.map((probe) => probe.prompt);
}
