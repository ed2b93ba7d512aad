// LocFT training: plain fine-tuning of the selected tensor(s), everything else frozen, in three stages:
//   1. fill the cache: the frozen activations below the tuned tensors, once per edit (cache-fill.ts);
//   2. build the step: the host step engine where it applies, else tfjs (step-runner.ts, host-runner.ts,
//      tfjs-runner.ts);
//   3. run the schedule: breadth-first (LocFT-BF, the method) or depth-first (the baseline) (run-schedule.ts).
//
// Speed, without changing the maths:
// - The frozen activations below the tuned tensors are computed once per edit (unpadded, alone) and cached,
//   optionally on disk across runs; a step then runs only the layers from the split point up.
// - Only the rows that predict target tokens are projected to the vocabulary.
// Determinism: seeded shuffles, fixed op order, per-edit cache entries that are a pure function of their key. Same
// (base, edits, hyper-parameters, seed, backend, run options) -> bit-identical tuned tensors.
import { currentBackend, tf } from '../runtime/backend.ts';
import { openActivationStore, activationKey } from './activation-cache.ts';
import { fillCache } from './cache-fill.ts';
import { parseHyperParams, parseRunOptions } from './config.ts';
import { encodeEdits, inputIds } from './encode.ts';
import type { SplitPoint } from './frozen-prefix.ts';
import { hostRunner, newHostEngine } from './host-runner.ts';
import { runSchedule } from './run-schedule.ts';
import { chooseEngine, recordedBackend } from './step-runner.ts';
import type { StepRunner } from './step-runner.ts';
import { computePrefixArrays, tfjsRunner } from './tfjs-runner.ts';
import type { LocftTrainResult, TrainLocftInput } from './train-types.ts';
import { planTuning } from './tuning-plan.ts';

export type { LocftProgress, LocftTrainResult, TrainLocftInput } from './train-types.ts';

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
  const store = useCache ? (input.store ?? openActivationStore(options.cacheDir)) : undefined;
  const ownsStore = useCache && input.store === undefined;
  // The engine is chosen first: the host engine computes its own cache entries (different bits from tfjs's), so
  // its entries are keyed apart.
  const hostChoice = chooseEngine(options, plan, config, store !== undefined);
  const host = hostChoice ? newHostEngine(model, plan, hostChoice.addon) : undefined;
  const computeBackend = recordedBackend(backend, hostChoice?.engine);
  try {
    // 1. Fill the cache.
    const cache = fillCache({
      store,
      encoded,
      keys: encoded.map((e) =>
        activationKey({
          baseHash: input.baseHash,
          backend: computeBackend,
          level: plan.level,
          layer: plan.lowestLayer,
          inputIds: inputIds(e),
        }),
      ),
      compute: (ids) => (host ? host.prefix(ids) : computePrefixArrays(model, at, ids)),
      started,
      epochs: hp.epochs,
      onProgress: input.onProgress,
    });
    // 2. Build the step: tfjs ops on variables swapped into the model, or the host engine on its own copy.
    const adamConfig = {
      lr: hp.lr,
      beta1: hp.beta1,
      beta2: hp.beta2,
      epsilon: hp.epsilon,
      weightDecay: hp.weightDecay,
    };
    const runner: StepRunner = host
      ? hostRunner(model, plan, adamConfig, host, cache.entries)
      : tfjsRunner(model, plan, adamConfig, options, store ? cache.entries : undefined);
    try {
      // 3. Run the schedule.
      const { sgemmMs, ...run } = runSchedule({
        encoded,
        padId,
        hp,
        options,
        runner,
        started,
        onProgress: input.onProgress,
      });
      return {
        tensors: runner.tensors(),
        hyperParams: hp,
        options,
        plan,
        backend: computeBackend,
        engine: host ? 'host' : 'tfjs',
        ...run,
        ...(host && { sgemmMs }),
        cache: {
          mode: options.activationCache,
          level: plan.level,
          computed: cache.computed,
          reused: cache.reused,
          dir: store?.dir,
          ...(store && { stats: { ...store.stats } }),
        },
        cacheMs: cache.cacheMs,
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
