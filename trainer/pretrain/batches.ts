// The pretraining data order: padded batches of whole sequences, a pure function of (sequences, seed, step).
//
// Every corpus line is one sequence [BOS, line tokens..., EOS] (lines are short facts, 6-30 tokens), so a batch is
// a few dozen sequences padded on the right to the longest one. To keep padding small, each epoch:
//   1. shuffles all sequences with a stream forked from (seed, epoch),
//   2. cuts the shuffled list into windows of WINDOW_BATCHES batches and sorts each window by length (stable),
//   3. cuts windows into batches and shuffles the batch order with another stream of (seed, epoch).
// Nothing here has state: step s is batch (s mod batchesPerEpoch) of epoch floor(s / batchesPerEpoch), so a
// resumed run needs only the step number to continue on exactly the same data.

import { Rng } from '../basemodel/rng.ts';

/** Batches per length-sorted window: large enough to group similar lengths, small enough to keep order random. */
const WINDOW_BATCHES = 16;

export interface Batch {
  readonly epoch: number;
  /** Index of the batch within its epoch. */
  readonly index: number;
  /** Sequence indices into the corpus, in batch row order. */
  readonly rows: readonly number[];
}

export class BatchPlan {
  readonly batchesPerEpoch: number;
  private cachedEpoch = -1;
  private cachedBatches: number[][] = [];

  /**
   * @param lengths token count of every sequence (BOS and EOS included)
   * @param batchSize sequences per batch; the last partial batch of an epoch is dropped (its sequences come first
   *   in another epoch's order), so every step sees the same number of sequences
   */
  constructor(
    private readonly lengths: readonly number[],
    readonly batchSize: number,
    readonly seed: number | string,
  ) {
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new RangeError(`batchSize: must be a positive integer, got ${batchSize}`);
    if (lengths.length < batchSize) {
      throw new RangeError(`batchSize: ${batchSize} is larger than the corpus (${lengths.length} sequences)`);
    }
    this.batchesPerEpoch = Math.floor(lengths.length / batchSize);
  }

  /** The batch of optimizer step `step` (0-based). */
  batch(step: number): Batch {
    if (!Number.isInteger(step) || step < 0) throw new RangeError(`step: must be a non-negative integer, got ${step}`);
    const epoch = Math.floor(step / this.batchesPerEpoch);
    const index = step % this.batchesPerEpoch;
    return { epoch, index, rows: this.epochBatches(epoch)[index]! };
  }

  private epochBatches(epoch: number): number[][] {
    if (epoch === this.cachedEpoch) return this.cachedBatches;
    const rng = new Rng(this.seed).fork(`data/epoch:${epoch}`);
    const order = rng.fork('sequences').shuffled(Array.from(this.lengths.keys()));
    const used = order.slice(0, this.batchesPerEpoch * this.batchSize);
    const batches: number[][] = [];
    const window = WINDOW_BATCHES * this.batchSize;
    for (let start = 0; start < used.length; start += window) {
      // Array.prototype.sort is stable, so equal lengths keep their shuffled order.
      const sorted = used.slice(start, start + window).sort((a, b) => this.lengths[a]! - this.lengths[b]!);
      for (let b = 0; b < sorted.length; b += this.batchSize) batches.push(sorted.slice(b, b + this.batchSize));
    }
    rng.fork('batches').shuffle(batches);
    this.cachedEpoch = epoch;
    this.cachedBatches = batches;
    return batches;
  }
}

/** Right-padded ids, attention mask and next-token targets for the rows of a batch. */
export interface PaddedBatch {
  /** [batch][width]: sequence tokens except the last, then padding. */
  readonly inputs: number[][];
  /** [batch][width]: 1 on real input tokens. */
  readonly attentionMask: number[][];
  /** [batch][width]: the next token at each input position (padding positions hold padId and weight 0). */
  readonly targets: number[][];
  /** [batch][width]: 1 where a target counts in the loss. */
  readonly lossMask: number[][];
  /** Number of predicted tokens (sum of lossMask). */
  readonly tokens: number;
}

/** Builds the model inputs of a batch: input = sequence[0..n-2], target = sequence[1..n-1]. */
export function padBatch(sequences: readonly (readonly number[])[], padId: number): PaddedBatch {
  const width = Math.max(...sequences.map((s) => s.length - 1));
  if (!(width >= 1)) throw new RangeError('padBatch: every sequence needs at least 2 tokens (BOS and one more)');
  const inputs: number[][] = [];
  const attentionMask: number[][] = [];
  const targets: number[][] = [];
  const lossMask: number[][] = [];
  let tokens = 0;
  for (const s of sequences) {
    const n = s.length - 1;
    const pad = width - n;
    inputs.push([...s.slice(0, n), ...new Array<number>(pad).fill(padId)]);
    attentionMask.push([...new Array<number>(n).fill(1), ...new Array<number>(pad).fill(0)]);
    targets.push([...s.slice(1), ...new Array<number>(pad).fill(padId)]);
    lossMask.push([...new Array<number>(n).fill(1), ...new Array<number>(pad).fill(0)]);
    tokens += n;
  }
  return { inputs, attentionMask, targets, lossMask, tokens };
}
