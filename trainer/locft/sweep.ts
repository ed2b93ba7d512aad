// The location analysis (the paper's Figure 5): train the same edits at every layer x module, evaluate each result
// against the base, and write a CSV plus a plot of Reliability / Generalization / Locality / Capability per layer,
// one line per module. The base is measured once; each point trains from the base weights (the model is restored
// after every run) with the same seed.
import { LlamaModel } from '../model/llama.ts';
import { tf } from '../runtime/backend.ts';
import type { HfTokenizer } from '../tokenizer/hf-tokenizer.ts';
import { compareMeasurements, measureModel } from '../eval/evaluate.ts';
import type { CapabilityProbes, EvalEdit } from '../eval/eval-set.ts';
import type { EvalReport } from '../eval/metric-table.ts';
import { METRIC_NAMES } from '../eval/metric-table.ts';
import type { ProbeOptions } from '../eval/model-probes.ts';
import type { LocftHyperParamsInput, LocftRunOptionsInput } from './config.ts';
import { renderPanelChart } from './plot/line-chart.ts';
import { trainLocft } from './trainer.ts';
import type { LocftProgress } from './trainer.ts';

/** Module names of the sweep and the parameter patterns they tune. */
export const SWEEP_MODULES = {
  down: 'model.layers.{}.mlp.down_proj.weight',
  up: 'model.layers.{}.mlp.up_proj.weight',
  gate: 'model.layers.{}.mlp.gate_proj.weight',
  mlp: 'model.layers.{}.mlp',
  attn: 'model.layers.{}.self_attn',
  o: 'model.layers.{}.self_attn.o_proj.weight',
  layer: 'model.layers.{}',
} as const;
export type SweepModule = keyof typeof SWEEP_MODULES;

export function parseSweepModules(spec: string): SweepModule[] {
  const names = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) throw new Error('modules: give at least one of ' + Object.keys(SWEEP_MODULES).join(', '));
  for (const n of names) {
    if (!(n in SWEEP_MODULES))
      throw new Error(`modules: unknown module "${n}"; expected one of ${Object.keys(SWEEP_MODULES).join(', ')}`);
  }
  return [...new Set(names)] as SweepModule[];
}

export interface SweepPoint {
  readonly layer: number;
  readonly module: SweepModule;
  readonly report: EvalReport;
  /** Capability on one 0..1-ish scale (see capabilityScore). */
  readonly capability: number | null;
  readonly epochs: number;
  readonly finalLoss: number;
  readonly trainMs: number;
}

/**
 * One number for "capability kept": unedited-fact accuracy after / before when facts were measured (and the base
 * knew some), else base perplexity / edited perplexity (1 = unchanged, < 1 = worse).
 */
export function capabilityScore(report: EvalReport): number | null {
  const f = report.metrics.uneditedFactAccuracy;
  if (f.n > 0 && f.base !== null && f.base > 0 && f.edited !== null) return f.edited / f.base;
  const p = report.metrics.perplexity;
  if (p.n > 0 && p.base !== null && p.edited !== null && p.edited > 0) return p.base / p.edited;
  return null;
}

export interface SweepInput {
  readonly model: LlamaModel;
  readonly tokenizer: HfTokenizer;
  readonly baseHash: string;
  readonly edits: readonly EvalEdit[];
  readonly layers: readonly number[];
  readonly modules: readonly SweepModule[];
  /** Everything but layers/rewriteModules (the sweep sets those). */
  readonly hyperParams?: Omit<LocftHyperParamsInput, 'layers' | 'rewriteModules'>;
  readonly options?: LocftRunOptionsInput;
  readonly capability?: CapabilityProbes;
  readonly probe?: ProbeOptions;
  readonly onPoint?: (point: SweepPoint, index: number, total: number) => void;
  readonly onProgress?: (progress: LocftProgress, index: number, total: number) => void;
}

export async function runSweep(input: SweepInput): Promise<SweepPoint[]> {
  const { model, tokenizer, edits } = input;
  const base = await measureModel(model, tokenizer, edits, input.capability, input.probe);
  const points: SweepPoint[] = [];
  const total = input.layers.length * input.modules.length;
  for (const module of input.modules) {
    for (const layer of input.layers) {
      const index = points.length;
      const result = await trainLocft({
        model,
        tokenizer,
        baseHash: input.baseHash,
        edits,
        hyperParams: { ...input.hyperParams, layers: [layer], rewriteModules: [SWEEP_MODULES[module]] },
        ...(input.options !== undefined && { options: input.options }),
        ...(input.onProgress !== undefined && {
          onProgress: (p: LocftProgress) => input.onProgress?.(p, index, total),
        }),
      });
      // The edited model shares every frozen tensor with the base; only the tuned ones are new.
      const weights = new Map(model.weights);
      const tuned: tf.Tensor[] = [];
      for (const [name, t] of result.tensors) {
        const tensor = tf.tensor(t.data, [...t.shape], 'float32');
        tuned.push(tensor);
        weights.set(name, tensor);
      }
      const edited = new LlamaModel(model.config, weights);
      try {
        const report = compareMeasurements(
          base,
          await measureModel(edited, tokenizer, edits, input.capability, input.probe),
          edits,
          input.capability,
        );
        const point: SweepPoint = {
          layer,
          module,
          report,
          capability: capabilityScore(report),
          epochs: result.epochs,
          finalLoss: result.lossCurve.at(-1) ?? Number.NaN,
          trainMs: result.trainMs,
        };
        points.push(point);
        input.onPoint?.(point, index, total);
      } finally {
        tf.dispose(tuned);
      }
    }
  }
  return points;
}

function csvNumber(v: number | null): string {
  return v === null || !Number.isFinite(v) ? '' : String(v);
}

/** One row per point: layer, module, every metric's edited value (base_ columns next to them), training stats. */
export function sweepCsv(points: readonly SweepPoint[]): string {
  const header = [
    'layer',
    'module',
    ...METRIC_NAMES.flatMap((m) => [m, `base_${m}`]),
    'capability',
    'epochs',
    'final_loss',
    'train_ms',
  ];
  const rows = points.map((p) => [
    String(p.layer),
    p.module,
    ...METRIC_NAMES.flatMap((m) => [csvNumber(p.report.metrics[m].edited), csvNumber(p.report.metrics[m].base)]),
    csvNumber(p.capability),
    String(p.epochs),
    csvNumber(p.finalLoss),
    String(Math.round(p.trainMs)),
  ]);
  return [header, ...rows].map((r) => r.join(',')).join('\n') + '\n';
}

/** Four panels (Reliability, Generalization, Locality, Capability) vs layer, one line per module. */
export function sweepPlot(points: readonly SweepPoint[], title = 'LocFT location sweep'): Buffer {
  const modules = [...new Set(points.map((p) => p.module))];
  const panel = (name: string, value: (p: SweepPoint) => number | null) => ({
    title: name,
    series: modules.map((m) => ({
      name: m,
      points: points.filter((p) => p.module === m).map((p) => [p.layer, value(p)] as const),
    })),
  });
  return renderPanelChart({
    title,
    xLabel: 'layer',
    panels: [
      panel('Reliability', (p) => p.report.metrics.reliability.edited),
      panel('Generalization', (p) => p.report.metrics.generalization.edited),
      panel('Locality', (p) => p.report.metrics.localityUnchanged.edited),
      panel('Capability', (p) => p.capability),
    ],
  });
}
