// Seeded mini-batch order, as the authors walk their data: every epoch shuffles all requests (one seeded stream for
// the whole run, so epoch k's order depends only on the seed and k) and takes consecutive chunks of batch_size; the
// last chunk may be smaller.
import { Rng } from '../basemodel/rng.ts';

export class EpochShuffler {
  private readonly rng: Rng;

  constructor(seed: number) {
    this.rng = new Rng(seed);
  }

  /** The next epoch's order of `items` (a shuffled copy). */
  next<T>(items: readonly T[]): T[] {
    return this.rng.shuffled(items);
  }
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size <= 0) throw new Error(`batchSize: must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
