// Stage 1 of trainLocft: the frozen activations below the tuned tensors, computed once per edit (alone, unpadded)
// and put in the activation store, so a step runs only the layers from the split point up.
import type { ActivationStore } from './activation-cache.ts';
import { inputIds } from './encode.ts';
import type { EncodedEdit } from './encode.ts';
import type { CachedEntries, LocftProgress } from './train-types.ts';

export interface CacheFillInput {
  readonly store: ActivationStore | undefined;
  readonly encoded: readonly EncodedEdit[];
  /** The store key of every edit (activationKey). */
  readonly keys: readonly string[];
  /** One edit's frozen activations from its input ids. */
  readonly compute: (ids: readonly number[]) => Float32Array[];
  /** For the progress reports: the run's start, its epochs, and where they go. */
  readonly started: number;
  readonly epochs: number;
  readonly onProgress?: ((progress: LocftProgress) => void) | undefined;
}

export interface FilledCache {
  /** Entries computed now, and found in the store from an earlier run. */
  readonly computed: number;
  readonly reused: number;
  readonly cacheMs: number;
  /** The entries of a batch; a damaged entry found only now is recomputed (same bits) and rewritten. */
  readonly entries: CachedEntries;
}

/** Fills the store with every edit's entry not in it yet (each distinct key once); without a store, does nothing. */
export function fillCache(input: CacheFillInput): FilledCache {
  const { store, encoded, keys, compute } = input;
  let computed = 0;
  let reused = 0;
  const cacheStart = performance.now();
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
      store.put(key, compute(inputIds(encoded[i]!)));
      computed++;
      if (computed % 64 === 0) reportFill(input, i + 1);
    }
  }
  const cachedEntry = (i: number): Float32Array[] => {
    const key = keys[i]!;
    const hit = store?.get(key);
    if (hit) return hit;
    const fresh = compute(inputIds(encoded[i]!));
    store?.put(key, fresh);
    return fresh;
  };
  return { computed, reused, cacheMs: performance.now() - cacheStart, entries: (indices) => indices.map(cachedEntry) };
}

function reportFill(input: CacheFillInput, done: number): void {
  const elapsedMs = performance.now() - input.started;
  const total = input.encoded.length;
  input.onProgress?.({
    phase: 'cache',
    epoch: 0,
    epochs: input.epochs,
    group: 1,
    groups: 1,
    batch: done,
    batches: total,
    loss: Number.NaN,
    editsPerSecond: done / (elapsedMs / 1000),
    elapsedMs,
    etaMs: (elapsedMs / done) * (total - done),
  });
}
