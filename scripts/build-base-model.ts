// npm run build:base-model -- [--recipe base|tiny] [--out DIR] [--work DIR] [--epochs N] [--fresh] [--backend NAME]
//
// Builds the base model users start from, end to end and deterministically:
//   1. the synthetic world, its splits and its byte-level BPE tokenizer   (trainer/basemodel, written to WORK/world)
//   2. pretraining of a Llama-style model on the corpus                   (trainer/pretrain; state in WORK/state)
//   3. the Hugging Face folder OUT: config.json, model.safetensors, tokenizer.json, tokenizer_config.json
//   4. the quality gates on the written checkpoint (fact recall on seen / held-out templates, stopping with EOS,
//      held-out perplexity), written to OUT/quality.json and OUT/MODEL_CARD.md with the checkpoint's sha256
//   5. the world's files the demo and evaluation need, copied to OUT/world/
// Killed at any point, the same command resumes from the last snapshot in WORK/state (--fresh starts over).
// Exit code 0 when every gate passes, 2 when the model was written but a gate failed, 1 on errors.

import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { RecallProbeSchema } from '../trainer/basemodel/corpus-schemas.ts';
import { type WorldManifest, writeWorldFolder } from '../trainer/basemodel/world-folder.ts';
import { checkpointHash, readHfCheckpoint, writeHfCheckpoint } from '../trainer/checkpoint/hf-checkpoint.ts';
import type { HostTensor } from '../trainer/checkpoint/safetensors.ts';
import { loadLlamaModel } from '../trainer/model/llama.ts';
import { warmupSteps } from '../trainer/pretrain/config.ts';
import { pretrain, type PretrainResult } from '../trainer/pretrain/pretrain.ts';
import { formatDuration } from '../trainer/pretrain/progress.ts';
import { measureRecall, type RecallReport, sequencePerplexity } from '../trainer/pretrain/quality.ts';
import {
  type BaseModelRecipe,
  hfModelConfig,
  RECIPE_NAMES,
  RECIPES,
  type RecipeName,
} from '../trainer/pretrain/recipe.ts';
import { initBackend, parseBackendChoice } from '../trainer/runtime/backend.ts';
import { loadHfTokenizer } from '../trainer/tokenizer/hf-tokenizer.ts';
import type { HfTokenizer } from '../trainer/tokenizer/hf-tokenizer.ts';
import { writeModelCard } from '../trainer/pretrain/model-card.ts';

const USAGE =
  'usage: npm run build:base-model -- [--recipe base|tiny] [--out DIR] [--work DIR] [--epochs N] [--fresh] [--backend NAME] [--continue-from DIR] [--peak-lr X]';

/** The gates of the issue: recall >= 95% on pretraining templates, >= 80% on held-out ones, answers end with EOS. */
export const GATES = { pretrainRecall: 0.95, heldoutRecall: 0.8, stopsWithEos: 0.95 } as const;

/** Recall probes per split measured at each snapshot during pretraining. */
const MONITOR_PROBES = 64;

/** The whole world folder is copied next to the model, so readWorldFolder (which checks the manifest) accepts it. */
const WORLD_FILES = [
  'manifest.json',
  'world.json',
  'pretrain.txt',
  'heldout.txt',
  'recall.json',
  'edits.json',
  'unedited.json',
  'tokenizer.json',
  'tokenizer_config.json',
] as const;

export interface BuildOptions {
  readonly recipe: BaseModelRecipe;
  readonly out: string;
  readonly work: string;
  readonly epochs?: number;
  readonly fresh?: boolean;
  readonly log?: NodeJS.WritableStream;
  /** Progress bar stream (default: log); null = none. */
  readonly progress?: NodeJS.WritableStream | null;
  /**
   * Continue pretraining from this HF folder (same architecture and tokenizer) instead of a random init: a second
   * stage with its own schedule. The folder's checkpoint sha256 is part of the run's fingerprint and of the card.
   */
  readonly continueFrom?: string;
  /** Overrides the recipe's peak learning rate (e.g. a gentler second stage). */
  readonly peakLr?: number;
  /** Stop pretraining after this many steps (simulated kill, for tests); the folder is not written then. */
  readonly stopAtStep?: number;
}

export interface QualityReport {
  readonly checkpointSha256: string;
  readonly recall: RecallReport;
  readonly heldoutPerplexity: number;
  readonly heldoutTokens: number;
  readonly trainPerplexity: number;
  readonly gates: {
    readonly name: string;
    readonly threshold: number;
    readonly measured: number;
    readonly pass: boolean;
  }[];
  readonly pass: boolean;
}

export interface BuildResult {
  readonly manifest: WorldManifest;
  readonly training: PretrainResult;
  readonly quality?: QualityReport;
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.length > 0);
}

/** [BOS, tokens..., EOS] for each corpus line, as the pretrainer and the perplexity measurement frame them. */
export function frameLines(tokenizer: HfTokenizer, texts: readonly string[]): number[][] {
  const bos = tokenizer.bosTokenId;
  const eos = tokenizer.eosTokenId;
  if (bos === null || eos === null) throw new Error('tokenizer: needs bos_token and eos_token');
  return texts.map((t) => [bos, ...tokenizer.encode(t, { addSpecialTokens: false }), eos]);
}

export async function buildBaseModel(opts: BuildOptions): Promise<BuildResult> {
  const log = opts.log ?? process.stderr;
  const say = (msg: string) => log.write(`[build:base-model] ${msg}\n`);
  const { recipe } = opts;
  const worldDir = join(opts.work, 'world');
  const stateDir = join(opts.work, 'state');
  if (opts.fresh) await rm(stateDir, { recursive: true, force: true });

  const backend = await initBackend();
  say(`recipe ${recipe.name}; backend ${backend.name} (${backend.detail})`);

  // 1. World, splits, tokenizer (cheap, deterministic: rebuilt every time, so the fingerprint check below catches drift).
  const manifest = await writeWorldFolder(worldDir, {
    world: recipe.world,
    corpus: recipe.corpus,
    tokenizer: recipe.tokenizer,
  });
  const s = manifest.sizes;
  say(
    `world: ${s.entities} entities, ${s.facts} facts, ${s.pretrainSequences} sequences, ${s.pretrainTokensWithBosEos} tokens/epoch, vocab ${s.vocabSize}`,
  );
  const tokenizer = await loadHfTokenizer(worldDir);
  const sequences = frameLines(tokenizer, lines(await readFile(join(worldDir, 'pretrain.txt'), 'utf8')));
  const allProbes = RecallProbeSchema.array().parse(JSON.parse(await readFile(join(worldDir, 'recall.json'), 'utf8')));
  const monitorProbes = [
    ...allProbes
      .filter((p) => p.split === 'pretrain')
      .filter((_, i) => i % 29 === 0)
      .slice(0, MONITOR_PROBES),
    ...allProbes
      .filter((p) => p.split === 'heldout')
      .filter((_, i) => i % 5 === 0)
      .slice(0, MONITOR_PROBES),
  ];

  // 2. Pretraining.
  const initializerRange = recipe.pretrain.initializerRange ?? 0.02;
  const modelConfig = hfModelConfig(
    recipe.model,
    {
      vocabSize: tokenizer.vocabSize,
      bosId: tokenizer.bosTokenId!,
      eosId: tokenizer.eosTokenId!,
      padId: tokenizer.padTokenId ?? tokenizer.eosTokenId!,
    },
    initializerRange,
  );
  const epochs = opts.epochs ?? recipe.epochs;
  const batchSize = recipe.pretrain.batchSize ?? 64;
  const steps = Math.max(1, Math.round((epochs * sequences.length) / batchSize));
  let startFrom: { id: string; weights: ReadonlyMap<string, HostTensor> } | undefined;
  if (opts.continueFrom !== undefined) {
    const prior = await readHfCheckpoint(opts.continueFrom);
    for (const key of [
      'vocab_size',
      'hidden_size',
      'intermediate_size',
      'num_hidden_layers',
      'num_attention_heads',
      'num_key_value_heads',
    ]) {
      if (prior.rawConfig[key] !== modelConfig[key]) {
        throw new Error(
          `--continue-from ${opts.continueFrom}: config.json ${key} is ${JSON.stringify(prior.rawConfig[key])}, the recipe's model has ${JSON.stringify(modelConfig[key])}`,
        );
      }
    }
    startFrom = { id: await checkpointHash(opts.continueFrom), weights: prior.tensors };
    say(`continuing from ${opts.continueFrom} (checkpoint sha256 ${startFrom.id})`);
  }
  const pretrainConfig = { ...recipe.pretrain, steps, ...(opts.peakLr === undefined ? {} : { peakLr: opts.peakLr }) };
  say(
    `pretraining ${steps} steps (${epochs} epochs of ${Math.floor(sequences.length / batchSize)} batches of ${batchSize}); state in ${stateDir}`,
  );
  const training = await pretrain({
    config: pretrainConfig,
    ...(startFrom === undefined ? {} : { startFrom }),
    modelConfig,
    sequences,
    padId: tokenizer.padTokenId ?? tokenizer.eosTokenId!,
    stateDir,
    progress: opts.progress === undefined ? log : opts.progress,
    ...(opts.stopAtStep === undefined ? {} : { stopAtStep: opts.stopAtStep }),
    onCheckpoint: async (step, model) => {
      // A fixed sample of recall probes, so the log shows knowledge arriving (not only the loss falling).
      const r = await measureRecall(model, tokenizer, monitorProbes);
      say(
        `step ${step}: recall on a sample of ${r.pretrain.probes} + ${r.heldout.probes} probes: pretraining templates ${(r.pretrain.accuracy * 100).toFixed(1)}%, held-out ${(r.heldout.accuracy * 100).toFixed(1)}%`,
      );
    },
  });
  if (training.resumedFrom > 0) say(`resumed from step ${training.resumedFrom}`);
  if (training.step < steps) {
    say(`stopped at step ${training.step}/${steps} as asked; run again to resume`);
    return { manifest, training };
  }
  say(
    `pretrained: ${training.tokensSeen} tokens in ${formatDuration(training.trainSeconds)}, final loss ${training.lossHistory.at(-1)?.loss.toFixed(4)}`,
  );

  // 3. The Hugging Face folder.
  await rm(opts.out, { recursive: true, force: true });
  const sha = await writeHfCheckpoint(opts.out, {
    rawConfig: modelConfig,
    tensors: training.weights,
    tokenizerFrom: worldDir,
  });
  await mkdir(join(opts.out, 'world'), { recursive: true });
  for (const f of WORLD_FILES) await copyFile(join(worldDir, f), join(opts.out, 'world', f));
  say(`wrote ${opts.out} (checkpoint sha256 ${sha})`);

  // 4. Quality gates, measured on the folder as written (what users load).
  const quality = await measureQuality(opts.out, say);
  await writeFile(join(opts.out, 'quality.json'), `${JSON.stringify(quality, null, 2)}\n`);
  await writeModelCard(opts.out, {
    recipe,
    manifest,
    modelConfig,
    pretrainConfig: training.config,
    warmupSteps: warmupSteps(training.config),
    training,
    quality,
    backend: `${backend.name} (${backend.detail})`,
    command:
      `npm run build:base-model -- --recipe ${recipe.name}${opts.epochs === undefined ? '' : ` --epochs ${opts.epochs}`}` +
      `${opts.peakLr === undefined ? '' : ` --peak-lr ${opts.peakLr}`}${opts.continueFrom === undefined ? '' : ` --continue-from <stage-1 folder>`}`,
    ...(startFrom === undefined ? {} : { continuedFrom: startFrom.id }),
    example: quality.recall.firstHit ?? { prompt: allProbes[0]!.prompt, answer: allProbes[0]!.ground_truth },
  });
  for (const g of quality.gates)
    say(
      `gate ${g.name}: ${(g.measured * 100).toFixed(2)}% (>= ${(g.threshold * 100).toFixed(0)}%) ${g.pass ? 'PASS' : 'FAIL'}`,
    );
  say(`held-out perplexity ${quality.heldoutPerplexity.toFixed(3)} (train text ${quality.trainPerplexity.toFixed(3)})`);
  return { manifest, training, quality };
}

export async function measureQuality(dir: string, say: (msg: string) => void = () => {}): Promise<QualityReport> {
  const sha = await checkpointHash(dir);
  const model = await loadLlamaModel(dir);
  try {
    const tokenizer = await loadHfTokenizer(dir);
    const probes = RecallProbeSchema.array().parse(
      JSON.parse(await readFile(join(dir, 'world', 'recall.json'), 'utf8')),
    );
    let lastShown = 0;
    const recall = await measureRecall(model, tokenizer, probes, (done, total) => {
      if (done - lastShown >= 2000 || done === total) {
        say(`recall probes ${done}/${total}`);
        lastShown = done;
      }
    });
    const pad = tokenizer.padTokenId ?? tokenizer.eosTokenId!;
    const heldout = await sequencePerplexity(
      model,
      frameLines(tokenizer, lines(await readFile(join(dir, 'world', 'heldout.txt'), 'utf8'))),
      pad,
    );
    // The same number of training lines, for comparison (memorised text should be far below held-out text).
    const trainLines = lines(await readFile(join(dir, 'world', 'pretrain.txt'), 'utf8')).slice(
      0,
      heldout.tokens > 0 ? lines(await readFile(join(dir, 'world', 'heldout.txt'), 'utf8')).length : 0,
    );
    const train = await sequencePerplexity(model, frameLines(tokenizer, trainLines), pad);
    const gates = [
      { name: 'recall on pretraining templates', threshold: GATES.pretrainRecall, measured: recall.pretrain.accuracy },
      { name: 'recall on held-out templates', threshold: GATES.heldoutRecall, measured: recall.heldout.accuracy },
      {
        name: 'answers end with EOS (pretraining templates)',
        threshold: GATES.stopsWithEos,
        measured: recall.pretrain.stopsWithEos,
      },
    ].map((g) => ({ ...g, pass: g.measured >= g.threshold }));
    return {
      checkpointSha256: sha,
      recall,
      heldoutPerplexity: heldout.perplexity,
      heldoutTokens: heldout.tokens,
      trainPerplexity: train.perplexity,
      gates,
      pass: gates.every((g) => g.pass),
    };
  } finally {
    model.dispose();
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      recipe: { type: 'string', default: 'base' },
      out: { type: 'string' },
      work: { type: 'string' },
      epochs: { type: 'string' },
      fresh: { type: 'boolean', default: false },
      backend: { type: 'string' },
      'continue-from': { type: 'string' },
      'peak-lr': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const name = values.recipe;
  if (!RECIPE_NAMES.includes(name as RecipeName))
    throw new RangeError(`--recipe: expected one of ${RECIPE_NAMES.join(', ')}, got ${JSON.stringify(name)}`);
  const recipe = RECIPES[name as RecipeName];
  let epochs: number | undefined;
  if (values.epochs !== undefined) {
    epochs = Number(values.epochs);
    if (!(epochs > 0) || !Number.isFinite(epochs))
      throw new RangeError(`--epochs: expected a positive number, got ${JSON.stringify(values.epochs)}`);
  }
  if (values.backend !== undefined) await initBackend(parseBackendChoice(values.backend, '--backend'));
  const out = resolve(values.out ?? (name === 'base' ? 'models/base' : `.editledger/models/${name}`));
  const work = resolve(values.work ?? `.editledger/build-${name}`);
  let peakLr: number | undefined;
  if (values['peak-lr'] !== undefined) {
    peakLr = Number(values['peak-lr']);
    if (!(peakLr > 0 && peakLr < 1))
      throw new RangeError(`--peak-lr: expected a number in (0, 1), got ${JSON.stringify(values['peak-lr'])}`);
  }
  const continueFrom = values['continue-from'] === undefined ? undefined : resolve(values['continue-from']);
  if (continueFrom !== undefined && continueFrom === out)
    throw new RangeError('--continue-from: must not be the output folder (it is rewritten); copy it first');
  const result = await buildBaseModel({
    recipe,
    out,
    work,
    ...(epochs === undefined ? {} : { epochs }),
    ...(peakLr === undefined ? {} : { peakLr }),
    ...(continueFrom === undefined ? {} : { continueFrom }),
    fresh: values.fresh === true,
  });
  if (!result.quality) return 1;
  return result.quality.pass ? 0 : 2;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `build:base-model failed: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`,
      );
      process.exitCode = 1;
    },
  );
}
