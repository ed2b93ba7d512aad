// LocFT training: plain fine-tuning of the selected tensor(s), everything else frozen.
//
// Breadth-first (LocFT-BF, the method): epochs over ALL edits; each epoch shuffles them with the seeded stream and
// walks them in mini-batches. A batch whose loss is already < lossThreshold makes no update; training stops when an
// epoch's mean loss (weighted by batch size) < lossThreshold, or after numSteps epochs.
// Depth-first (the baseline the paper shows failing): the same loop run on one edit at a time, in the given order,
// each to convergence (or numSteps epochs) with a fresh optimizer, before the next.
//
// Speed, without changing the maths:
// - The frozen activations below the tuned tensors are computed once per edit (unpadded, alone) and cached,
//   optionally on disk across runs; a step then runs only the layers from the split point up.
// - Only the rows that predict target tokens are projected to the vocabulary.
// Determinism: seeded shuffles, fixed op order, per-edit cache entries that are a pure function of their key. Same
// (base, edits, hyper-parameters, seed, backend, run options) -> bit-identical tuned tensors.
import type { HostTensor } from '../checkpoint/safetensors.ts';
import type { LlamaModel } from '../model/llama.ts';
import { createContext, tokenIds } from '../model/llama.ts';
import { currentBackend, tf } from '../runtime/backend.ts';
import { openActivationStore, activationKey } from './activation-cache.ts';
import type { ActivationStore, CacheStats } from './activation-cache.ts';
import { Adam, HostAdam } from './adam.ts';
import type { AdamConfig } from './adam.ts';
import { buildBatch, stackPadded } from './batch.ts';
import type { TrainingBatch } from './batch.ts';
import { batchLoss } from './batch-loss.ts';
import { EpochShuffler, chunk } from './batching.ts';
import { HOST_STEP_SUFFIX, parseHyperParams, parseRunOptions } from './config.ts';
import type { LocftHyperParams, LocftHyperParamsInput, LocftRunOptions, LocftRunOptionsInput } from './config.ts';
import type { ModelConfig } from '../model/config.ts';
import { hasRowKernels } from '../runtime/blas-kernel.ts';
import type { RowKernelAddon } from '../runtime/blas-kernel.ts';
import { encodeEdits, inputIds } from './encode.ts';
import type { EditText, EncodingTokenizer } from './encode.ts';
import { frozenPrefix } from './frozen-prefix.ts';
import { HostStepEngine, hostStepUnsupported } from './host-step.ts';

import { loadSgemmAddon } from '../runtime/blas-kernel.ts';
import type { SplitPoint } from './frozen-prefix.ts';
import { stepFlops } from './flops.ts';
import { cachedWidths, planTuning } from './tuning-plan.ts';
import type { TuningPlan } from './tuning-plan.ts';

export interface LocftProgress {
  /** 'cache': computing frozen activations (batch = edits done); 'train': optimisation. */
  readonly phase: 'cache' | 'train';
  readonly epoch: number;
  readonly epochs: number;
  /** Depth-first: the edit being trained (1-based) of `groups`; breadth-first: 1 of 1. */
  readonly group: number;
  readonly groups: number;
  readonly batch: number;
  readonly batches: number;
  /** Mean loss of this epoch's batches so far. */
  readonly loss: number;
  readonly editsPerSecond: number;
  readonly elapsedMs: number;
  /** Estimate assuming no early stop. */
  readonly etaMs: number;
  readonly done?: boolean;
}

export interface TrainLocftInput {
  /** The base model; tuned tensors are swapped for variables during training and restored afterwards. */
  readonly model: LlamaModel;
  readonly tokenizer: EncodingTokenizer & { readonly padTokenId: number | null };
  /** checkpointHash of the base folder (keys the activation cache, recorded in the manifest). */
  readonly baseHash: string;
  readonly edits: readonly EditText[];
  readonly hyperParams: LocftHyperParamsInput;
  readonly options?: LocftRunOptionsInput;
  /** An already open activation store (wins over options.cacheDir); the caller closes it. */
  readonly store?: ActivationStore;
  readonly onProgress?: (progress: LocftProgress) => void;
}

export interface LocftTrainResult {
  /** The tuned tensors, by HF name. */
  readonly tensors: Map<string, HostTensor>;
  readonly hyperParams: LocftHyperParams;
  readonly options: LocftRunOptions;
  readonly plan: TuningPlan;
  /** The compute backend, with "+host-step" when the host engine ran the steps (its bits differ from tfjs's). */
  readonly backend: string;
  /** Mean loss of every epoch run (depth-first: every epoch of every edit, in order). */
  readonly lossCurve: number[];
  /** Epochs run (depth-first: summed over edits). */
  readonly epochs: number;
  /** Batches evaluated / of which updated the weights / skipped (loss < threshold). */
  readonly steps: number;
  readonly updates: number;
  readonly skippedBatches: number;
  /** Breadth-first: stopped on the epoch-mean criterion before numSteps. Depth-first: every edit converged. */
  readonly converged: boolean;
  /** Real input tokens fed through the trainable part, over all steps. */
  readonly tokens: number;
  /** Matmul FLOPs of all steps, for achieved GFLOP/s: counted by the host engine as it runs its sgemm calls, else
   *  estimated from the padded batch shape (flops.ts). */
  readonly flops: number;
  /** Which engine ran the steps (config.ts `engine`). */
  readonly engine: 'tfjs' | 'host';
  /** Host engine: wall time of the steps spent inside sgemm (so flops / sgemmMs is its own-shape ceiling). */
  readonly sgemmMs?: number;
  readonly cache: {
    readonly mode: 'auto' | 'off';
    readonly level: string;
    readonly computed: number;
    readonly reused: number;
    readonly dir: string | undefined;
    readonly stats?: CacheStats;
  };
  readonly cacheMs: number;
  readonly trainMs: number;
  readonly durationMs: number;
}

let variableCounter = 0;

export async function trainLocft(input: TrainLocftInput): Promise<LocftTrainResult> {
  const started = performance.now();
  const hp = parseHyperParams(input.hyperParams);
  const options = parseRunOptions(input.options);
  const { model, tokenizer } = input;
  const config = model.config;
  const plan = planTuning(config, model.weights.keys(), hp);
  const at: SplitPoint = { level: plan.level, layer: plan.lowestLayer };
  const encoded = encodeEdits(tokenizer, input.edits, {
    vocabSize: config.vocabSize,
    maxPositions: config.maxPositionEmbeddings,
  });
  const padId = tokenizer.padTokenId ?? tokenizer.eosTokenId ?? 0;
  const backend = currentBackend()?.name ?? tf.getBackend();
  const useCache = options.activationCache === 'auto';

  // 1. Frozen activations, once per edit.
  const store = useCache ? (input.store ?? openActivationStore(options.cacheDir)) : undefined;
  const ownsStore = useCache && input.store === undefined;
  // The host engine computes its own cache entries (different bits from tfjs's), so its entries are keyed apart.
  const hostAddon = chooseEngine(options, plan, config, store !== undefined);
  const host = hostAddon ? newHostEngine(model, plan, hostAddon) : undefined;
  const computeBackend = host ? `${backend}${HOST_STEP_SUFFIX}` : backend;
  const prefixArrays = (ids: readonly number[]): Float32Array[] =>
    host ? host.prefix(ids) : computePrefixArrays(model, at, ids);
  const keys = encoded.map((e) =>
    activationKey({
      baseHash: input.baseHash,
      backend: computeBackend,
      level: plan.level,
      layer: plan.lowestLayer,
      inputIds: inputIds(e),
    }),
  );
  let computed = 0;
  let reused = 0;
  const cacheStart = performance.now();
  try {
    if (store) {
      const seen = new Set<string>();
      for (let i = 0; i < encoded.length; i++) {
        const key = keys[i]!;
        if (seen.has(key)) continue;
        seen.add(key);
        if (store.has(key)) {
          reused++;
          continue;
        }
        store.put(key, prefixArrays(inputIds(encoded[i]!)));
        computed++;
        if (computed % 64 === 0) {
          const elapsedMs = performance.now() - started;
          input.onProgress?.({
            phase: 'cache',
            epoch: 0,
            epochs: hp.numSteps,
            group: 1,
            groups: 1,
            batch: i + 1,
            batches: encoded.length,
            loss: Number.NaN,
            editsPerSecond: (i + 1) / (elapsedMs / 1000),
            elapsedMs,
            etaMs: (elapsedMs / (i + 1)) * (encoded.length - i - 1),
          });
        }
      }
    }
    /** An edit's cached activations; a damaged entry found only now is recomputed (same bits) and rewritten. */
    const cachedEntry = (i: number): Float32Array[] => {
      const key = keys[i]!;
      const hit = store?.get(key);
      if (hit) return hit;
      const fresh = prefixArrays(inputIds(encoded[i]!));
      store?.put(key, fresh);
      return fresh;
    };
    const cacheMs = performance.now() - cacheStart;

    // 2. The step runner: tfjs ops on variables swapped into the model, or the host engine on its own copy.
    const adamConfig = {
      lr: hp.lr,
      beta1: hp.beta1,
      beta2: hp.beta2,
      epsilon: hp.epsilon,
      weightDecay: hp.weightDecay,
    };
    const runner: StepRunner = host
      ? hostRunner(model, plan, adamConfig, host, (indices) => indices.map(cachedEntry))
      : tfjsRunner(model, plan, adamConfig, options, store ? (indices) => indices.map(cachedEntry) : undefined);
    try {
      const trainStart = performance.now();
      const lossCurve: number[] = [];
      let steps = 0;
      let updates = 0;
      let skipped = 0;
      let tokens = 0;
      let flops = 0;
      let sgemmMs = 0;
      let epochsRun = 0;
      let editsSeen = 0;
      let converged = true;

      // The loss of the last batch each edit was in: a forecast of whether its next batch will be skipped.
      const lastBatchLoss = new Float64Array(encoded.length).fill(Number.NaN);
      const predictedLoss = (indices: readonly number[]): number | undefined => {
        let sum = 0;
        for (const i of indices) sum += lastBatchLoss[i]!;
        return Number.isNaN(sum) ? undefined : sum / indices.length;
      };

      const step = (indices: readonly number[]): number => {
        const batch = buildBatch(
          indices.map((i) => encoded[i]!),
          padId,
          indices,
        );
        steps++;
        tokens += batch.tokens;
        // A batch whose loss is below the threshold makes no update, so it needs no backward pass. When these
        // edits' last batches were below the threshold, the runner tries a forward pass alone first; the loss it
        // gives is the same bits the training pass would compute, so the outcome is unchanged either way.
        const predicted = predictedLoss(indices);
        const probeFirst = options.forwardProbe && predicted !== undefined && predicted < hp.lossThreshold;
        const r = runner.step(batch, indices, probeFirst, hp.lossThreshold);
        flops += r.flops;
        sgemmMs += r.sgemmMs ?? 0;
        if (!Number.isFinite(r.loss)) throw new Error(`training diverged: batch loss is ${r.loss}; lower lr`);
        if (r.updated) updates++;
        else skipped++;
        for (const i of indices) lastBatchLoss[i] = r.loss;
        return r.loss;
      };

      const all = encoded.map((_, i) => i);
      const groups = hp.schedule === 'breadth-first' ? [all] : all.map((i) => [i]);
      const shuffler = new EpochShuffler(hp.seed);
      const batchesPerEpoch = (g: readonly number[]) => Math.ceil(g.length / hp.batchSize);
      const plannedBatches = groups.reduce((a, g) => a + batchesPerEpoch(g) * hp.numSteps, 0);
      for (const [gi, group] of groups.entries()) {
        if (gi > 0) runner.resetOptimizer();
        let groupConverged = false;
        for (let epoch = 0; epoch < hp.numSteps; epoch++) {
          const batches = chunk(shuffler.next(group), hp.batchSize);
          let sum = 0;
          let seen = 0;
          for (const [bi, b] of batches.entries()) {
            sum += step(b) * b.length;
            seen += b.length;
            editsSeen += b.length;
            const elapsedMs = performance.now() - started;
            const trainElapsed = performance.now() - trainStart;
            input.onProgress?.({
              phase: 'train',
              epoch: epoch + 1,
              epochs: hp.numSteps,
              group: gi + 1,
              groups: groups.length,
              batch: bi + 1,
              batches: batches.length,
              loss: sum / seen,
              editsPerSecond: editsSeen / Math.max(trainElapsed / 1000, 1e-9),
              elapsedMs,
              etaMs: (trainElapsed / steps) * Math.max(plannedBatches - steps, 0),
            });
          }
          const mean = sum / group.length;
          lossCurve.push(mean);
          epochsRun++;
          if (mean < hp.lossThreshold) {
            groupConverged = true;
            break;
          }
        }
        converged &&= groupConverged;
      }

      const tensors = runner.tensors();
      const trainMs = performance.now() - trainStart;
      const finalLoss = lossCurve.at(-1) ?? Number.NaN;
      input.onProgress?.({
        phase: 'train',
        epoch: epochsRun,
        epochs: hp.numSteps,
        group: groups.length,
        groups: groups.length,
        batch: 0,
        batches: 0,
        loss: finalLoss,
        editsPerSecond: editsSeen / Math.max(trainMs / 1000, 1e-9),
        elapsedMs: performance.now() - started,
        etaMs: 0,
        done: true,
      });
      return {
        tensors,
        hyperParams: hp,
        options,
        plan,
        backend: computeBackend,
        engine: host ? 'host' : 'tfjs',
        lossCurve,
        epochs: epochsRun,
        steps,
        updates,
        skippedBatches: skipped,
        converged,
        tokens,
        flops,
        ...(host && { sgemmMs }),
        cache: {
          mode: options.activationCache,
          level: plan.level,
          computed,
          reused,
          dir: store?.dir,
          ...(store && { stats: { ...store.stats } }),
        },
        cacheMs,
        trainMs,
        durationMs: performance.now() - started,
      };
    } finally {
      runner.dispose(); // the model goes back to the base weights whatever happened
    }
  } finally {
    host?.release();
    if (ownsStore) store?.close();
  }
}

/** One training step as the loop sees it. */
interface StepRunner {
  /** Loss of the batch; updates the tuned tensors when it is >= threshold (after a forward-only probe if asked). */
  step(
    batch: TrainingBatch,
    indices: readonly number[],
    probeFirst: boolean,
    threshold: number,
  ): { loss: number; updated: boolean; flops: number; sgemmMs?: number };
  /** A fresh optimizer (depth-first: one per edit). */
  resetOptimizer(): void;
  /** The tuned tensors now, by HF name. */
  tensors(): Map<string, HostTensor>;
  dispose(): void;
}

/** The host engine's addon when it will run the steps; undefined for tfjs. 'host' that cannot run is an error. */
function chooseEngine(
  options: LocftRunOptions,
  plan: TuningPlan,
  config: ModelConfig,
  cached: boolean,
): RowKernelAddon | undefined {
  if (options.engine === 'tfjs') return undefined;
  const addon = loadSgemmAddon();
  const why =
    plan.tunedNames.length !== 1 || plan.level !== 'down-input'
      ? 'it tunes exactly one mlp.down_proj.weight'
      : !cached
        ? 'it needs the activation cache (activationCache: auto)'
        : !options.targetOnlyLogits
          ? 'it needs targetOnlyLogits'
          : !addon.ok
            ? addon.reason
            : !hasRowKernels(addon.addon)
              ? 'the native addon predates its row kernels (rebuild it: npm run build:native)'
              : hostStepUnsupported(config, plan.lowestLayer);
  if (why === undefined && addon.ok && hasRowKernels(addon.addon)) return addon.addon;
  if (options.engine === 'host')
    throw new Error(`run options: field "engine": the host engine cannot run this training: ${why}`);
  return undefined;
}

/** The host engine on a copy of the tuned tensor (the model itself is never touched). */
function newHostEngine(model: LlamaModel, plan: TuningPlan, addon: RowKernelAddon): HostStepEngine {
  const tuned = new Float32Array(model.param(plan.tunedNames[0]!).dataSync() as Float32Array);
  return new HostStepEngine(
    addon,
    { config: model.config, read: (n) => model.param(n).dataSync() as Float32Array },
    plan.lowestLayer,
    tuned,
  );
}

function hostRunner(
  model: LlamaModel,
  plan: TuningPlan,
  adamConfig: AdamConfig,
  engine: HostStepEngine,
  entries: (indices: readonly number[]) => Float32Array[][],
): StepRunner {
  const name = plan.tunedNames[0]!;
  const tuned = engine.tuned;
  const kernel = engine.adamKernel();
  let optimizer = new HostAdam(adamConfig, tuned, kernel);
  return {
    step(batch, indices, probeFirst, threshold) {
      const packed = engine.pack(batch, entries(indices));
      let flops = 0;
      let sgemmMs = 0;
      if (probeFirst) {
        const probe = engine.run(packed, false);
        flops += probe.flops;
        sgemmMs += probe.sgemmMs;
        if (!(probe.loss >= threshold)) return { loss: probe.loss, updated: false, flops, sgemmMs };
      }
      const r = engine.run(packed, true);
      flops += r.flops;
      sgemmMs += r.sgemmMs;
      const updated = r.loss >= threshold;
      if (updated) optimizer.step(r.grad!);
      return { loss: r.loss, updated, flops, sgemmMs };
    },
    resetOptimizer() {
      optimizer = new HostAdam(adamConfig, tuned, kernel);
    },
    tensors: () => new Map([[name, { shape: [...model.param(name).shape], data: new Float32Array(tuned) }]]),
    dispose() {}, // trainLocft releases the engine
  };
}

function tfjsRunner(
  model: LlamaModel,
  plan: TuningPlan,
  adamConfig: AdamConfig,
  options: LocftRunOptions,
  entries: ((indices: readonly number[]) => Float32Array[][]) | undefined,
): StepRunner {
  const config = model.config;
  const at: SplitPoint = { level: plan.level, layer: plan.lowestLayer };
  const widths = cachedWidths(plan.level, config);
  const tunedLayers = plan.tunedNames.map((n) => Number(/^model\.layers\.(\d+)\./.exec(n)?.[1] ?? plan.lowestLayer));
  const downOnly = plan.tunedNames.every((n) => n.endsWith('.mlp.down_proj.weight'));
  // Trainable variables in place of the tuned tensors.
  const originals = new Map<string, tf.Tensor>();
  const variables = new Map<string, tf.Variable>();
  for (const name of plan.tunedNames) {
    const original = model.param(name);
    originals.set(name, original);
    variables.set(name, tf.variable(original, true, `locft/${variableCounter++}/${name}`));
  }
  for (const [name, v] of variables) model.weights.set(name, v);
  let optimizer = new Adam(adamConfig, variables);
  return {
    step(batch, indices, probeFirst, threshold) {
      const ctx = createContext(config, { attentionMask: batch.attentionMask });
      let prefix: tf.Tensor[] = [];
      try {
        if (entries) {
          const cached = entries(indices);
          prefix = widths.map((w, k) =>
            tf.tensor3d(
              stackPadded(
                cached.map((e) => e[k]!),
                batch,
                w,
              ),
              [batch.size, batch.seqLen, w],
            ),
          );
        } else {
          const ids = tokenIds(batch.inputIds, config.vocabSize);
          prefix = frozenPrefix(model, at, ids, ctx);
          ids.dispose();
        }
        const shape = {
          batch: batch.size,
          seqLen: batch.seqLen,
          projectedRows: options.targetOnlyLogits ? batch.targetRows.length : batch.size * batch.seqLen,
        };
        const cost = stepFlops(config, at, shape, tunedLayers, downOnly);
        let flops = 0;
        if (probeFirst) {
          const probe = tf.tidy(() => batchLoss(model, at, prefix, ctx, batch, options.targetOnlyLogits));
          const loss = probe.dataSync()[0]!;
          probe.dispose();
          flops += cost.forward;
          if (!(loss >= threshold)) return { loss, updated: false, flops };
        }
        const { value, grads } = tf.variableGrads(
          () => batchLoss(model, at, prefix, ctx, batch, options.targetOnlyLogits),
          [...variables.values()],
        );
        try {
          const loss = value.dataSync()[0]!;
          flops += cost.total; // the backward runs even when its gradient goes unused
          const updated = loss >= threshold;
          if (updated) {
            const byName: Record<string, tf.Tensor> = {};
            for (const [name, v] of variables) byName[name] = grads[v.name]!;
            optimizer.step(byName);
          }
          return { loss, updated, flops };
        } finally {
          tf.dispose([value, ...Object.values(grads)]);
        }
      } finally {
        tf.dispose(prefix);
        ctx.dispose();
      }
    },
    resetOptimizer() {
      optimizer.dispose();
      optimizer = new Adam(adamConfig, variables);
    },
    tensors() {
      const out = new Map<string, HostTensor>();
      for (const [name, v] of variables)
        out.set(name, { shape: [...v.shape], data: new Float32Array(v.dataSync() as Float32Array) });
      return out;
    },
    dispose() {
      optimizer.dispose();
      for (const [name, original] of originals) model.weights.set(name, original);
      tf.dispose([...variables.values()]);
    },
  };
}

/** One edit's frozen activations, computed alone (no padding), as host arrays. */
function computePrefixArrays(model: LlamaModel, at: SplitPoint, ids: readonly number[]): Float32Array[] {
  const idsT = tokenIds([ids], model.config.vocabSize);
  const ctx = createContext(model.config, { batch: 1, seqLen: ids.length });
  try {
    const out = frozenPrefix(model, at, idsT, ctx);
    const arrays = out.map((t) => t.dataSync() as Float32Array);
    tf.dispose(out);
    return arrays;
  } finally {
    idsT.dispose();
    ctx.dispose();
  }
}
