// Key/value cache for incremental decoding (the model's attention appends to it, generate.ts owns it).
import { tf } from '../runtime/backend.ts';

type Tensor = tf.Tensor;

/**
 * Keys (after RoPE) and values of every token fed so far, per layer, [batch, numKvHeads, length, headDim], plus the
 * attention mask of those tokens. Owns its tensors (kept out of any tidy); call dispose() when done.
 */
export class KVCache {
  private readonly keys: (Tensor | undefined)[];
  private readonly values: (Tensor | undefined)[];
  /** mask[b][j] for every cached position j (1 = real token, 0 = padding). */
  readonly mask: number[][];

  constructor(
    readonly numLayers: number,
    readonly batch: number,
  ) {
    this.keys = new Array<Tensor | undefined>(numLayers).fill(undefined);
    this.values = new Array<Tensor | undefined>(numLayers).fill(undefined);
    this.mask = Array.from({ length: batch }, () => []);
  }

  /** Number of positions covered by the mask (every layer catches up to it during a forward pass). */
  get length(): number {
    return this.mask[0]?.length ?? 0;
  }

  /** Appends this step's k/v for `layer` and returns the full k/v. `pastLen` guards against misuse. */
  append(layer: number, k: Tensor, v: Tensor, pastLen: number): { k: Tensor; v: Tensor } {
    const oldK = this.keys[layer];
    const oldV = this.values[layer];
    const have = oldK ? oldK.shape[2]! : 0;
    if (have !== pastLen) {
      throw new Error(
        `KVCache: layer ${layer} holds ${have} positions but the context expects ${pastLen}; a cache must be fed by one forward pass per context`,
      );
    }
    const fullK = tf.keep(oldK ? tf.concat([oldK, k], 2) : tf.clone(k));
    const fullV = tf.keep(oldV ? tf.concat([oldV, v], 2) : tf.clone(v));
    oldK?.dispose();
    oldV?.dispose();
    this.keys[layer] = fullK;
    this.values[layer] = fullV;
    return { k: fullK, v: fullV };
  }

  dispose(): void {
    for (const t of [...this.keys, ...this.values]) t?.dispose();
    this.keys.fill(undefined);
    this.values.fill(undefined);
  }
}
