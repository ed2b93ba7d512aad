// The causal-LM pretraining loop: every tensor of the model (embeddings, attention, MLP, norms, lm_head) trained
// from seeded random weights with AdamW, warmup + cosine learning rate, global-norm clipping, on padded batches of
// corpus lines in a seeded order; resumable from a state folder.
//
//   for step in [resumed step, steps):
//     batch  = BatchPlan.batch(step)                     pure function of (seed, step)
//     loss, grads = d/dθ causalLmLoss(model, batch)       all parameters are tf.Variables
//     AdamW.step(grads, lr = schedule(step), clip)
//     every checkpointEvery steps (and at the end): snapshot weights + moments + step to the state folder
//
// Same (corpus, model config, pretrain config, backend) -> same weights, whether or not the run was interrupted.

import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import type { HostTensor } from '../checkpoint/safetensors.ts';
import { expectedParameterShapes, parseHfConfig, toModelConfig } from '../model/config.ts';
import { LlamaModel } from '../model/llama.ts';
import { tf } from '../runtime/backend.ts';
import { AdamW } from './adamw.ts';
import { BatchPlan, padBatch } from './batches.ts';
import { parsePretrainConfig, type PretrainConfig, type PretrainConfigInput, warmupSteps } from './config.ts';
import { initialWeights } from './init.ts';
import { causalLmLoss } from './loss.ts';
import { ProgressBar, type ProgressSnapshot } from './progress.ts';
import { learningRate, type LrSchedule } from './schedule.ts';
import { loadSnapshot, type LossPoint, runFingerprint, saveSnapshot, STATE_FORMAT, type StateInfo } from './state.ts';

export interface PretrainOptions {
  readonly config: PretrainConfigInput;
  /** The model's Hugging Face config.json content (written unchanged into the final checkpoint). */
  readonly modelConfig: Readonly<Record<string, unknown>>;
  /** Token ids of every corpus sequence, each framed as [BOS, ..., EOS]. */
  readonly sequences: readonly (readonly number[])[];
  readonly padId: number;
  /**
   * Start from these weights instead of the seeded random init (a continued pretraining stage), identified by `id`
   * (e.g. the checkpoint's sha256), which enters the run's fingerprint.
   */
  readonly startFrom?: { readonly id: string; readonly weights: ReadonlyMap<string, HostTensor> };
  /** Folder for resumable state; omitted = not resumable (tests). */
  readonly stateDir?: string;
  /** Where the progress bar goes (default stderr); null = silent. */
  readonly progress?: NodeJS.WritableStream | null;
  /** Stop (after checkpointing) once this many steps are done in total, as if killed; for resume tests. */
  readonly stopAtStep?: number;
  /** Called after each snapshot with the model as trained so far (e.g. to log recall); must not change weights. */
  readonly onCheckpoint?: (step: number, model: LlamaModel) => Promise<void>;
}

export interface PretrainResult {
  readonly config: PretrainConfig;
  /** Final weights by HF name. */
  readonly weights: Map<string, HostTensor>;
  /** Steps completed in total (== config.steps unless stopped early). */
  readonly step: number;
  /** Step this process started from (0 = fresh). */
  readonly resumedFrom: number;
  readonly lossHistory: readonly LossPoint[];
  readonly tokensSeen: number;
  readonly trainSeconds: number;
  readonly epochs: number;
}

export async function pretrain(options: PretrainOptions): Promise<PretrainResult> {
  const config = parsePretrainConfig(options.config);
  const hf = parseHfConfig(options.modelConfig, 'modelConfig');
  const modelConfig = toModelConfig(hf);
  validateSequences(options.sequences, modelConfig.vocabSize, modelConfig.maxPositionEmbeddings);
  const fingerprint = runFingerprint({
    pretrain: options.startFrom ? { ...config, startFrom: options.startFrom.id } : config,
    model: options.modelConfig,
    sequences: options.sequences,
  });
  const plan = new BatchPlan(
    options.sequences.map((s) => s.length),
    config.batchSize,
    config.seed,
  );
  const schedule: LrSchedule = {
    peakLr: config.peakLr,
    warmupSteps: warmupSteps(config),
    totalSteps: config.steps,
    minLrRatio: config.minLrRatio,
  };

  const snapshot = options.stateDir ? await loadSnapshot(options.stateDir) : undefined;
  if (snapshot && snapshot.info.fingerprint !== fingerprint) {
    throw new Error(
      `${options.stateDir}: holds the state of a different run (other corpus, model or pretraining config); ` +
        'delete the folder (or pass --fresh) to start over',
    );
  }
  const start = snapshot?.info.step ?? 0;
  const host =
    snapshot?.params ?? options.startFrom?.weights ?? initialWeights(modelConfig, config.seed, config.initializerRange);

  // Variables in the architecture's canonical order whatever the source (a snapshot lists tensors by name): the
  // gradient norm sums over parameters in this order, and float addition is not associative.
  const vars = new Map<string, Variable>();
  for (const name of expectedParameterShapes(modelConfig).keys()) {
    const t = host.get(name);
    if (!t) throw new Error(`${options.stateDir ?? 'initial weights'}: missing parameter "${name}"`);
    const initial = tf.tensor(t.data, [...t.shape], 'float32');
    vars.set(name, tf.variable(initial, true, `pretrain/${name}`));
    initial.dispose(); // the variable holds its own reference to the data
  }
  const model = new LlamaModel(modelConfig, vars);
  const optimizer = new AdamW(
    { beta1: config.beta1, beta2: config.beta2, eps: config.eps, weightDecay: config.weightDecay },
    vars,
  );
  if (snapshot) optimizer.loadHostState(snapshot.optimizer, snapshot.info.updates);

  const lossHistory: LossPoint[] = [...(snapshot?.info.lossHistory ?? [])];
  let tokensSeen = snapshot?.info.tokensSeen ?? 0;
  const priorSeconds = snapshot?.info.trainSeconds ?? 0;
  const bar = options.progress === null ? undefined : new ProgressBar(options.progress ?? process.stderr);
  const began = performance.now();
  let tokensThisRun = 0;
  let windowLoss = snapshot?.info.lossWindow.sum ?? 0;
  let windowSteps = snapshot?.info.lossWindow.steps ?? 0;
  let recentLoss = lossHistory.at(-1)?.loss ?? NaN;
  const end = Math.min(config.steps, options.stopAtStep ?? config.steps);
  const varList = [...vars.values()];

  const info = (step: number): StateInfo => {
    const at = plan.batch(Math.max(0, step));
    return {
      format: STATE_FORMAT,
      fingerprint,
      step,
      updates: optimizer.updates,
      data: { seed: config.seed, epoch: at.epoch, batchInEpoch: at.index },
      tokensSeen,
      trainSeconds: priorSeconds + (performance.now() - began) / 1000,
      lossHistory,
      lossWindow: { sum: windowLoss, steps: windowSteps },
    };
  };
  const checkpoint = async (step: number) => {
    if (!options.stateDir) return;
    await saveSnapshot(options.stateDir, {
      info: info(step),
      params: await hostWeights(vars),
      optimizer: await optimizer.hostState(),
    });
  };

  try {
    for (let step = start; step < end; step++) {
      const batch = padBatch(
        plan.batch(step).rows.map((r) => options.sequences[r]!),
        options.padId,
      );
      const lr = learningRate(schedule, step);
      const { value, grads } = tf.variableGrads(() => causalLmLoss(model, batch), varList);
      const loss = (await value.data())[0]!;
      const named: Record<string, Tensor> = {};
      for (const [name, v] of vars) named[name] = grads[v.name]!;
      try {
        if (!Number.isFinite(loss)) throw new Error(`pretrain: loss is ${loss} at step ${step}; lower peakLr`);
        await optimizer.step(named, lr, config.gradClip);
      } finally {
        tf.dispose([value, ...Object.values(grads)]);
      }
      tokensSeen += batch.tokens;
      tokensThisRun += batch.tokens;
      windowLoss += loss;
      windowSteps++;
      const done = step + 1;
      if (done % config.logEvery === 0 || done === config.steps) {
        recentLoss = windowLoss / windowSteps;
        lossHistory.push({ step: done, loss: recentLoss });
        windowLoss = 0;
        windowSteps = 0;
      }
      const elapsed = (performance.now() - began) / 1000;
      const snap: ProgressSnapshot = {
        step: done,
        totalSteps: config.steps,
        loss: windowSteps > 0 && Number.isNaN(recentLoss) ? windowLoss / windowSteps : recentLoss,
        lr,
        tokensPerSecond: tokensThisRun / Math.max(elapsed, 1e-9),
        elapsedSeconds: elapsed,
        stepsThisRun: done - start,
      };
      bar?.update(snap, done === end);
      if (done % config.checkpointEvery === 0 || done === end) {
        await checkpoint(done);
        if (options.onCheckpoint && done < config.steps) await options.onCheckpoint(done, model);
      }
    }
    bar?.done();
    return {
      config,
      weights: await hostWeights(vars),
      step: end,
      resumedFrom: start,
      lossHistory,
      tokensSeen,
      trainSeconds: priorSeconds + (performance.now() - began) / 1000,
      epochs: end / plan.batchesPerEpoch,
    };
  } finally {
    optimizer.dispose();
    tf.dispose(varList);
  }
}

async function hostWeights(vars: ReadonlyMap<string, Variable>): Promise<Map<string, HostTensor>> {
  const out = new Map<string, HostTensor>();
  for (const [name, v] of vars) out.set(name, { shape: [...v.shape], data: (await v.data()) as Float32Array });
  return out;
}

function validateSequences(sequences: readonly (readonly number[])[], vocabSize: number, maxPositions: number): void {
  if (sequences.length === 0) throw new RangeError('sequences: the corpus is empty');
  sequences.forEach((s, i) => {
    if (s.length < 2) throw new RangeError(`sequences[${i}]: needs at least 2 tokens (BOS + one), has ${s.length}`);
    if (s.length - 1 > maxPositions) {
      throw new RangeError(`sequences[${i}]: ${s.length} tokens exceed max_position_embeddings ${maxPositions}`);
    }
    for (const id of s) {
      if (!Number.isInteger(id) || id < 0 || id >= vocabSize)
        throw new RangeError(`sequences[${i}]: token id ${id} is outside the vocabulary (0-${vocabSize - 1})`);
    }
  });
}
