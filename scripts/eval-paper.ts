// npm run eval:paper -- [--model DIR] [--edits N] [--sweep-edits N] [--layers SPEC] [--layer L] [--methods LIST]
//                       [--lr X] [--epochs N] [--batch-size N] [--out DIR] [--json] [--write-editing-card]
//
// The paper's comparison ("Fine-tuning Done Right in Model Editing", Tables 1 and 3) on the project's base model:
//   1. location sweep: LocFT-BF on mlp.down_proj of each layer with the first --sweep-edits edits; the chosen layer is
//      the one with the best Generalization among those with Reliability >= 99% (else the best mean of Reliability,
//      Generalization and Locality; see chooseLayer);
//   2. the first --edits (default 1,000) counterfactual edits of the model's world applied with
//        LocFT-BF      breadth-first, one matrix (the chosen layer's down_proj)
//        DF            depth-first, same matrix (each edit trained to convergence before the next)
//        BF-layer      breadth-first, the whole chosen layer (every tensor of model.layers.L)
//      each from the same base with Adam lr 1e-2, batch 100, <= 100 epochs, seed 0 (the authors' lr 5e-4 and 25
//      epochs barely move this 1.8M-parameter model; pass --lr 5e-4 --epochs 25 to run them);
//   3. for each: Reliability, Generalization (greedy exact match on edit / rephrase prompts, 32 tokens, stop at "." or
//      newline or EOS), Locality (locality prompts whose greedy answer is unchanged from the base), Portability
//      (two-hop probes answered with the edited world's answer), Capability (recall of facts no edit touches, and
//      held-out perplexity, before -> after) and training time.
// Prints the tables and writes them as Markdown and JSON to --out (default .editledger/eval-paper). It changes no
// tracked file: only --write-editing-card records the chosen layer in <model>/editing.json (keeping its other keys).

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type CounterfactEdit,
  CounterfactEditSchema,
  type UneditedFact,
  UneditedFactSchema,
} from '../trainer/basemodel/corpus-schemas.ts';
import { type HfCheckpoint, readHfCheckpoint } from '../trainer/checkpoint/hf-checkpoint.ts';
import type { HostTensor } from '../trainer/checkpoint/safetensors.ts';
import { exactMatch } from '../trainer/eval/normalize.ts';
import { generate } from '../trainer/generate.ts';
import { parseLayerList } from '../trainer/model/params.ts';
import { LlamaModel } from '../trainer/model/llama.ts';
import { sequencePerplexity } from '../trainer/pretrain/quality.ts';
import { formatDuration } from '../trainer/pretrain/progress.ts';
import { initBackend } from '../trainer/runtime/backend.ts';
import { loadHfTokenizer, type HfTokenizer } from '../trainer/tokenizer/hf-tokenizer.ts';
import {
  runEditMethod,
  type EditMethod,
  EDIT_METHODS,
  methodHyperParams,
  type SharedHyperParams,
} from './eval-paper-methods.ts';

const USAGE =
  'usage: npm run eval:paper -- [--model DIR] [--edits N] [--sweep-edits N] [--layers SPEC] [--layer L] [--methods locft-bf,df,bf-layer] [--lr X (1e-2)] [--epochs N (100)] [--batch-size N (100)] [--out DIR] [--json] [--write-editing-card]';

/** Defaults that reproduce models/base/EVAL_PAPER.md's first table (and the README's figures). */
export const EVAL_PAPER_DEFAULTS = { lr: '1e-2', epochs: '100', sweepEdits: '100' } as const;

/** Greedy answers as the LocFT authors generate them. */
const ANSWER = { maxNewTokens: 32, stop: ['.', '\n'] } as const;
const GEN_BATCH = 64;

export interface Metrics {
  readonly reliability: number;
  readonly generalization: number;
  readonly locality: number;
  readonly portability: number;
  /** Recall of facts no edit touches (greedy exact match), after editing. */
  readonly uneditedRecall: number;
  readonly heldoutPerplexity: number;
  readonly counts: { edits: number; rephrase: number; locality: number; portability: number; unedited: number };
}

export interface MethodResult {
  readonly method: EditMethod;
  readonly layer: number;
  readonly tensors: readonly string[];
  readonly trainSeconds: number;
  readonly epochs: number | null;
  readonly metrics: Metrics;
}

interface World {
  readonly edits: readonly CounterfactEdit[];
  readonly unedited: readonly UneditedFact[];
  readonly heldout: readonly string[];
}

async function readWorld(modelDir: string): Promise<World> {
  const dir = join(modelDir, 'world');
  const json = async (f: string) => JSON.parse(await readFile(join(dir, f), 'utf8')) as unknown;
  return {
    edits: CounterfactEditSchema.array().parse(await json('edits.json')),
    unedited: UneditedFactSchema.array().parse(await json('unedited.json')),
    heldout: (await readFile(join(dir, 'heldout.txt'), 'utf8')).split('\n').filter((l) => l.length > 0),
  };
}

async function answers(model: LlamaModel, tokenizer: HfTokenizer, prompts: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < prompts.length; i += GEN_BATCH) {
    const g = await generate(model, tokenizer, prompts.slice(i, i + GEN_BATCH), ANSWER);
    out.push(...g.map((x) => x.text));
  }
  return out;
}

const share = (flags: readonly boolean[]) => (flags.length === 0 ? NaN : flags.filter(Boolean).length / flags.length);

/** The probe sets of an edit set, flattened once. */
function probes(edits: readonly CounterfactEdit[]) {
  return {
    locality: edits.flatMap((e) => [...e.locality.other_subjects, ...e.locality.same_subject].map((p) => p.prompt)),
    portability: edits.flatMap((e) => e.portability.two_hop),
  };
}

/** Base-model answers that edited models are compared with (computed once per edit set). */
export interface Baseline {
  readonly locality: readonly string[];
  readonly metrics: Metrics;
}

export async function evaluate(
  model: LlamaModel,
  tokenizer: HfTokenizer,
  world: World,
  edits: readonly CounterfactEdit[],
  baseline: Pick<Baseline, 'locality'> | undefined,
  full: boolean,
): Promise<{ metrics: Metrics; locality: string[] }> {
  const p = probes(edits);
  const rel = await answers(
    model,
    tokenizer,
    edits.map((e) => e.prompt),
  );
  const gen = await answers(
    model,
    tokenizer,
    edits.map((e) => e.rephrase_prompt),
  );
  const loc = await answers(model, tokenizer, p.locality);
  const port = full
    ? await answers(
        model,
        tokenizer,
        p.portability.map((x) => x.prompt),
      )
    : [];
  const editedFacts = new Set(edits.map((e) => e.fact_id));
  const unedited = world.unedited.filter((f) => !editedFacts.has(f.fact_id));
  const une = full
    ? await answers(
        model,
        tokenizer,
        unedited.map((f) => f.prompt),
      )
    : [];
  const pad = tokenizer.padTokenId ?? tokenizer.eosTokenId!;
  const framed = world.heldout.map((l) => [
    tokenizer.bosTokenId!,
    ...tokenizer.encode(l, { addSpecialTokens: false }),
    tokenizer.eosTokenId!,
  ]);
  const ppl = full ? (await sequencePerplexity(model, framed, pad)).perplexity : NaN;
  return {
    locality: loc,
    metrics: {
      reliability: share(rel.map((a, i) => exactMatch(a, edits[i]!.target_new))),
      generalization: share(gen.map((a, i) => exactMatch(a, edits[i]!.target_new))),
      locality: baseline ? share(loc.map((a, i) => a.trim() === baseline.locality[i]!.trim())) : 1,
      portability: full ? share(port.map((a, i) => exactMatch(a, p.portability[i]!.ground_truth))) : NaN,
      uneditedRecall: full ? share(une.map((a, i) => exactMatch(a, unedited[i]!.ground_truth))) : NaN,
      heldoutPerplexity: ppl,
      counts: {
        edits: edits.length,
        rephrase: edits.length,
        locality: p.locality.length,
        portability: p.portability.length,
        unedited: unedited.length,
      },
    },
  };
}

/** A model whose weights are the base's with some tensors replaced (the base's tensors are shared, not copied). */
function editedModel(base: HfCheckpoint, tuned: ReadonlyMap<string, HostTensor>): LlamaModel {
  const tensors = new Map(base.tensors);
  for (const [name, t] of tuned) tensors.set(name, t);
  return LlamaModel.fromHostTensors(base.config, tensors);
}

const pct = (x: number) => (Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(1)}`);

export function methodTable(base: Metrics, rows: readonly MethodResult[]): string {
  const head =
    '| Method | Tuned | Reliability | Generalization | Locality | Portability | Capability (unedited recall) | Held-out PPL | Time |';
  const sep = '|---|---|---:|---:|---:|---:|---:|---:|---:|';
  const baseRow = `| base model | - | ${pct(base.reliability)} | ${pct(base.generalization)} | 100.0 | ${pct(base.portability)} | ${pct(base.uneditedRecall)} | ${base.heldoutPerplexity.toFixed(3)} | - |`;
  const lines = rows.map((r) => {
    const m = r.metrics;
    const drop = (m.uneditedRecall - base.uneditedRecall) * 100;
    return `| ${r.method} | ${r.tensors.length === 1 ? r.tensors[0] : `layer ${r.layer} (${r.tensors.length} tensors)`} | ${pct(m.reliability)} | ${pct(m.generalization)} | ${pct(m.locality)} | ${pct(m.portability)} | ${pct(m.uneditedRecall)} (${drop >= 0 ? '+' : ''}${drop.toFixed(1)}) | ${m.heldoutPerplexity.toFixed(3)} | ${formatDuration(r.trainSeconds)} |`;
  });
  return [head, sep, baseRow, ...lines].join('\n');
}

export function sweepTable(
  rows: readonly { layer: number; metrics: Metrics; trainSeconds: number }[],
  chosen: number,
): string {
  const head = '| Layer (down_proj) | Reliability | Generalization | Locality | Time |';
  const sep = '|---:|---:|---:|---:|---:|';
  return [
    head,
    sep,
    ...rows.map(
      (r) =>
        `| ${r.layer}${r.layer === chosen ? ' (chosen)' : ''} | ${pct(r.metrics.reliability)} | ${pct(r.metrics.generalization)} | ${pct(r.metrics.locality)} | ${formatDuration(r.trainSeconds)} |`,
    ),
  ].join('\n');
}

/**
 * Best Generalization among layers with Reliability >= 99% (the paper's criterion; ties -> better Locality, then the
 * lower layer). When no layer reaches 99% (a small model with few steps), the layer with the best mean of
 * Reliability, Generalization and Locality: a layer that edits by breaking everything else must not win.
 */
export function chooseLayer(rows: readonly { layer: number; metrics: Metrics }[]): number {
  if (rows.length === 0) throw new Error('location sweep: no layers were swept');
  const ok = rows.filter((r) => r.metrics.reliability >= 0.99);
  const score = (m: Metrics) =>
    ok.length > 0 ? m.generalization : (m.reliability + m.generalization + m.locality) / 3;
  const best = [...(ok.length > 0 ? ok : rows)].sort(
    (a, b) => score(b.metrics) - score(a.metrics) || b.metrics.locality - a.metrics.locality || a.layer - b.layer,
  )[0]!;
  return best.layer;
}

async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      model: { type: 'string', default: 'models/base' },
      edits: { type: 'string', default: '1000' },
      'sweep-edits': { type: 'string', default: EVAL_PAPER_DEFAULTS.sweepEdits },
      layers: { type: 'string' },
      layer: { type: 'string' },
      methods: { type: 'string', default: EDIT_METHODS.join(',') },
      out: { type: 'string', default: '.editledger/eval-paper' },
      json: { type: 'boolean', default: false },
      lr: { type: 'string', default: EVAL_PAPER_DEFAULTS.lr },
      epochs: { type: 'string', default: EVAL_PAPER_DEFAULTS.epochs },
      'batch-size': { type: 'string' },
      'write-editing-card': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const int = (flag: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min)
      throw new RangeError(`--${flag}: expected an integer >= ${min}, got ${JSON.stringify(v)}`);
    return n;
  };
  const positive = (flag: string, v: string): number => {
    const n = Number(v);
    if (!(n > 0) || !Number.isFinite(n))
      throw new RangeError(`--${flag}: expected a positive number, got ${JSON.stringify(v)}`);
    return n;
  };
  const modelDir = resolve(values.model);
  const outDir = resolve(values.out);
  const nEdits = int('edits', values.edits, 1);
  const nSweep = int('sweep-edits', values['sweep-edits'], 1);
  const methods = values.methods.split(',').map((m) => m.trim());
  for (const m of methods)
    if (!(EDIT_METHODS as readonly string[]).includes(m))
      throw new RangeError(`--methods: unknown method "${m}"; expected ${EDIT_METHODS.join(', ')}`);
  const say = (msg: string) => process.stderr.write(`[eval:paper] ${msg}\n`);
  const shared: SharedHyperParams = {
    ...(values.lr === undefined ? {} : { lr: positive('lr', values.lr) }),
    ...(values.epochs === undefined ? {} : { epochs: int('epochs', values.epochs, 1) }),
    ...(values['batch-size'] === undefined ? {} : { batchSize: int('batch-size', values['batch-size'], 1) }),
  };

  const backend = await initBackend();
  const base = await readHfCheckpoint(modelDir);
  const tokenizer = await loadHfTokenizer(modelDir);
  const world = await readWorld(modelDir);
  if (world.edits.length < nEdits)
    throw new RangeError(`--edits: ${nEdits} requested but ${modelDir}/world/edits.json holds ${world.edits.length}`);
  const edits = world.edits.slice(0, nEdits);
  const sweepEdits = world.edits.slice(0, Math.min(nSweep, nEdits));
  const layers =
    values.layers === undefined
      ? Array.from({ length: base.config.numLayers }, (_, i) => i)
      : parseLayerList(values.layers, '--layers');
  say(`model ${modelDir} (${base.config.numLayers} layers), ${nEdits} edits, backend ${backend.name}`);

  const baseModel = LlamaModel.fromHostTensors(base.config, base.tensors);
  const baseSweep = await evaluate(baseModel, tokenizer, world, sweepEdits, undefined, false);
  const baseFull = await evaluate(baseModel, tokenizer, world, edits, undefined, true);
  baseModel.dispose();
  say(
    `base: reliability ${pct(baseFull.metrics.reliability)}, unedited recall ${pct(baseFull.metrics.uneditedRecall)}, held-out ppl ${baseFull.metrics.heldoutPerplexity.toFixed(3)}`,
  );

  // 1. Location sweep.
  const sweep: { layer: number; metrics: Metrics; trainSeconds: number }[] = [];
  let layer: number;
  if (values.layer !== undefined) {
    layer = int('layer', values.layer, 0);
  } else {
    for (const l of layers) {
      const run = await runEditMethod(
        'locft-bf',
        base,
        tokenizer,
        sweepEdits,
        l,
        (msg) => say(`sweep layer ${l}: ${msg}`),
        shared,
      );
      const model = editedModel(base, run.tuned);
      const { metrics } = await evaluate(model, tokenizer, world, sweepEdits, { locality: baseSweep.locality }, false);
      model.dispose();
      sweep.push({ layer: l, metrics, trainSeconds: run.seconds });
      say(
        `sweep layer ${l}: reliability ${pct(metrics.reliability)}, generalization ${pct(metrics.generalization)}, locality ${pct(metrics.locality)} (${formatDuration(run.seconds)})`,
      );
    }
    layer = chooseLayer(sweep);
    say(`chosen layer ${layer}`);
  }

  // 2-3. The methods on the full edit set.
  const results: MethodResult[] = [];
  for (const method of methods as EditMethod[]) {
    const run = await runEditMethod(method, base, tokenizer, edits, layer, (msg) => say(`${method}: ${msg}`), shared);
    const model = editedModel(base, run.tuned);
    const { metrics } = await evaluate(model, tokenizer, world, edits, { locality: baseFull.locality }, true);
    model.dispose();
    results.push({
      method,
      layer,
      tensors: [...run.tuned.keys()],
      trainSeconds: run.seconds,
      epochs: run.epochs,
      metrics,
    });
    say(
      `${method}: reliability ${pct(metrics.reliability)}, generalization ${pct(metrics.generalization)}, locality ${pct(metrics.locality)}, portability ${pct(metrics.portability)}, unedited recall ${pct(metrics.uneditedRecall)} (${formatDuration(run.seconds)})`,
    );
  }

  const tables =
    `### ${nEdits} counterfactual edits on ${values.model} (layer ${layer}, backend ${backend.name}; Adam lr ${shared.lr ?? '5e-4 (authors)'}, ` +
    `batch ${shared.batchSize ?? 100}, <= ${shared.epochs ?? 25} epochs)\n\n${methodTable(baseFull.metrics, results)}\n` +
    (sweep.length
      ? `\n### Location sweep (LocFT-BF, mlp.down_proj, first ${sweepEdits.length} edits)\n\n${sweepTable(sweep, layer)}\n`
      : '');
  process.stdout.write(`${tables}\n`);
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'tables.md'), tables);
  const hyperParams = Object.fromEntries(EDIT_METHODS.map((m) => [m, methodHyperParams(m, layer, shared)]));
  const report = {
    model: modelDir,
    backend: backend.name,
    edits: nEdits,
    layer,
    hyperParams,
    base: baseFull.metrics,
    sweep,
    results,
  };
  await writeFile(join(outDir, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
  if (values['write-editing-card']) {
    const { readEditingCard, EDITING_CARD } = await import('../trainer/locft/editing-card.ts');
    const card = { ...(await readEditingCard(modelDir)), layer, module: 'mlp.down_proj' };
    const chosenBy = sweep.length
      ? `npm run eval:paper location sweep (${sweepEdits.length} edits)`
      : `npm run eval:paper --layer ${layer}`;
    await writeFile(join(modelDir, EDITING_CARD), `${JSON.stringify({ ...card, chosenBy }, null, 2)}\n`);
    say(`recorded layer ${layer} in ${join(modelDir, EDITING_CARD)}`);
  } else {
    say(`results in ${outDir} (tables.md, results.json); ${join(modelDir, 'editing.json')} left unchanged`);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`eval:paper failed: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exitCode = 1;
  });
}
