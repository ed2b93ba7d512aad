// Stage 3 of trainLocft: the schedule. Breadth-first (LocFT-BF): epochs over ALL edits, each epoch shuffled by the
// seeded stream and walked in mini-batches. Depth-first (the baseline): the same loop on one edit at a time, with
// a fresh optimizer each. A batch whose loss is already < lossThreshold makes no update; a group stops when an
// epoch's mean loss (weighted by batch size) < lossThreshold, or after epochs epochs.
import { buildBatch } from './batch.ts';
import { EpochShuffler, chunk } from './batching.ts';
import type { LocftHyperParams, LocftRunOptions } from './config.ts';
import type { EncodedEdit } from './encode.ts';
import type { StepRunner } from './step-runner.ts';
import type { LocftProgress, LocftTrainResult } from './train-types.ts';

export interface ScheduleInput {
  readonly encoded: readonly EncodedEdit[];
  readonly padId: number;
  readonly hp: LocftHyperParams;
  readonly options: LocftRunOptions;
  readonly runner: StepRunner;
  /** The run's start (for elapsed times in progress reports). */
  readonly started: number;
  readonly onProgress?: ((progress: LocftProgress) => void) | undefined;
}

/** What the schedule did: the counts LocFT reports (train-types.ts), with the time inside sgemm as a plain number. */
export type ScheduleTotals = Pick<
  LocftTrainResult,
  'lossCurve' | 'epochs' | 'steps' | 'updates' | 'skippedBatches' | 'converged' | 'tokens' | 'flops' | 'trainMs'
> & { readonly sgemmMs: number };

export function runSchedule(input: ScheduleInput): ScheduleTotals {
  const { encoded, padId, hp, options, runner, started } = input;
  const trainStart = performance.now();
  const lossCurve: number[] = [];
  const t = { steps: 0, updates: 0, skippedBatches: 0, tokens: 0, flops: 0, sgemmMs: 0, epochs: 0, editsSeen: 0 };
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
    t.steps++;
    t.tokens += batch.tokens;
    // A batch whose loss is below the threshold makes no update, so it needs no backward pass. When these edits'
    // last batches were below the threshold, the runner tries a forward pass alone first; the loss it gives is the
    // same bits the training pass would compute, so the outcome is unchanged either way.
    const predicted = predictedLoss(indices);
    const probeFirst = options.forwardProbe && predicted !== undefined && predicted < hp.lossThreshold;
    const r = runner.step(batch, indices, probeFirst, hp.lossThreshold);
    t.flops += r.flops;
    t.sgemmMs += r.sgemmMs ?? 0;
    if (!Number.isFinite(r.loss)) throw new Error(`training diverged: batch loss is ${r.loss}; lower lr`);
    if (r.updated) t.updates++;
    else t.skippedBatches++;
    for (const i of indices) lastBatchLoss[i] = r.loss;
    return r.loss;
  };

  const all = encoded.map((_, i) => i);
  const groups = hp.schedule === 'breadth-first' ? [all] : all.map((i) => [i]);
  const shuffler = new EpochShuffler(hp.seed);
  const batchesPerEpoch = (g: readonly number[]) => Math.ceil(g.length / hp.batchSize);
  const plannedBatches = groups.reduce((a, g) => a + batchesPerEpoch(g) * hp.epochs, 0);
  for (const [gi, group] of groups.entries()) {
    if (gi > 0) runner.resetOptimizer();
    let groupConverged = false;
    for (let epoch = 0; epoch < hp.epochs; epoch++) {
      const batches = chunk(shuffler.next(group), hp.batchSize);
      let sum = 0;
      let seen = 0;
      for (const [bi, b] of batches.entries()) {
        sum += step(b) * b.length;
        seen += b.length;
        t.editsSeen += b.length;
        const trainElapsed = performance.now() - trainStart;
        input.onProgress?.({
          phase: 'train',
          epoch: epoch + 1,
          epochs: hp.epochs,
          group: gi + 1,
          groups: groups.length,
          batch: bi + 1,
          batches: batches.length,
          loss: sum / seen,
          editsPerSecond: t.editsSeen / Math.max(trainElapsed / 1000, 1e-9),
          elapsedMs: performance.now() - started,
          etaMs: (trainElapsed / t.steps) * Math.max(plannedBatches - t.steps, 0),
        });
      }
      const mean = sum / group.length;
      lossCurve.push(mean);
      t.epochs++;
      if (mean < hp.lossThreshold) {
        groupConverged = true;
        break;
      }
    }
    converged &&= groupConverged;
  }

  const trainMs = performance.now() - trainStart;
  input.onProgress?.({
    phase: 'train',
    epoch: t.epochs,
    epochs: hp.epochs,
    group: groups.length,
    groups: groups.length,
    batch: 0,
    batches: 0,
    loss: lossCurve.at(-1) ?? Number.NaN,
    editsPerSecond: t.editsSeen / Math.max(trainMs / 1000, 1e-9),
    elapsedMs: performance.now() - started,
    etaMs: 0,
    done: true,
  });
  return {
    lossCurve,
    epochs: t.epochs,
    steps: t.steps,
    updates: t.updates,
    skippedBatches: t.skippedBatches,
    converged,
    tokens: t.tokens,
    flops: t.flops,
    sgemmMs: t.sgemmMs,
    trainMs,
  };
}
