// The forward context of one batch: token positions (as RoPE tables) and the attention bias, with the padding rules
// the model relies on (see llama.ts). Also the validated int32 token-id tensor the model takes.
import { tf } from '../runtime/backend.ts';
import type { ModelConfig } from './config.ts';
import type { KVCache } from './kv-cache.ts';
import { ropeTable } from './rope.ts';

type Tensor = tf.Tensor;

/** Additive attention bias for a forbidden key: large and finite, so masked rows never produce NaN. */
const MASKED = -1e9;

export interface ForwardContext {
  readonly batch: number;
  /** Tokens fed in this call, per row. */
  readonly seqLen: number;
  /** Tokens already in the cache (0 without a cache). */
  readonly pastLen: number;
  /** Position id of every fed token, [batch][seqLen]. */
  readonly positions: readonly (readonly number[])[];
  /** RoPE tables [batch, 1, seqLen, headDim], broadcast over heads. */
  readonly cos: Tensor;
  readonly sin: Tensor;
  /** [batch, 1, seqLen, pastLen + seqLen]: 0 where a query may attend to a key, MASKED elsewhere. */
  readonly attentionBias: Tensor;
  readonly cache: KVCache | undefined;
  /** Frees cos, sin and attentionBias (not the cache). */
  dispose(): void;
}

export interface ContextOptions {
  /** [batch][seqLen] for the tokens being fed: 1 = token, 0 = padding. Omit (with batch/seqLen) for no padding. */
  readonly attentionMask?: readonly (readonly number[])[];
  readonly batch?: number;
  readonly seqLen?: number;
  /** Incremental decoding: keys/values of earlier tokens; it is extended by the forward pass using this context. */
  readonly cache?: KVCache;
}

/**
 * Builds positions and the attention bias for a (possibly padded) batch.
 * - A token's position id is the number of real tokens before it in its row (cache included): padding never
 *   shifts positions, whichever side it is on.
 * - Query i (at sequence index pastLen + i) may attend to key j when j <= pastLen + i and key j is a real token.
 *   A padding query also attends to itself, so its row of scores is never all-masked (its output is ignored).
 * Extends cache.mask with this call's mask.
 */
export function createContext(config: ModelConfig, options: ContextOptions): ForwardContext {
  const mask = options.attentionMask ?? onesMask(options.batch, options.seqLen);
  const batch = mask.length;
  const seqLen = mask[0]?.length ?? 0;
  if (batch === 0 || seqLen === 0)
    throw new Error('createContext: the batch must hold at least one row and one column');
  for (const [b, row] of mask.entries()) {
    if (row.length !== seqLen)
      throw new Error(`createContext: attentionMask row ${b} has ${row.length} entries, expected ${seqLen}`);
    if (row.some((m) => m !== 0 && m !== 1))
      throw new Error(`createContext: attentionMask row ${b} must hold only 0 and 1`);
  }
  const cache = options.cache;
  if (cache && cache.batch !== batch)
    throw new Error(`createContext: cache batch ${cache.batch} != mask batch ${batch}`);
  const pastLen = cache?.length ?? 0;
  const total = pastLen + seqLen;
  if (config.slidingWindow !== null && total > config.slidingWindow) {
    throw new Error(
      `sequence length ${total} exceeds sliding_window ${config.slidingWindow}; sliding-window attention is not implemented`,
    );
  }

  const positions: number[][] = [];
  const bias = new Float32Array(batch * seqLen * total).fill(MASKED);
  for (let b = 0; b < batch; b++) {
    const past = cache?.mask[b] ?? [];
    const keyMask = [...past, ...mask[b]!];
    let seen = past.reduce((a, m) => a + m, 0);
    const rowPositions: number[] = [];
    for (let i = 0; i < seqLen; i++) {
      rowPositions.push(seen > 0 && mask[b]![i] === 0 ? seen - 1 : seen); // padding reuses the last position
      if (mask[b]![i] === 1) seen++;
      const q = pastLen + i;
      const rowOffset = (b * seqLen + i) * total;
      for (let j = 0; j <= q; j++) if (keyMask[j] === 1 || j === q) bias[rowOffset + j] = 0;
    }
    positions.push(rowPositions);
  }
  if (cache) for (let b = 0; b < batch; b++) cache.mask[b]!.push(...mask[b]!);

  const { cos, sin } = ropeTables(positions, config.headDim, config.ropeTheta);
  const attentionBias = tf.tensor4d(bias, [batch, 1, seqLen, total]);
  return {
    batch,
    seqLen,
    pastLen,
    positions,
    cos,
    sin,
    attentionBias,
    cache,
    dispose: () => tf.dispose([cos, sin, attentionBias]),
  };
}

function onesMask(batch: number | undefined, seqLen: number | undefined): number[][] {
  if (batch === undefined || seqLen === undefined)
    throw new Error('createContext: give attentionMask, or batch and seqLen');
  return Array.from({ length: batch }, () => new Array<number>(seqLen).fill(1));
}

/**
 * cos/sin of the rotary angles, [batch, 1, seqLen, headDim], the two halves identical (rotate-half layout): each
 * token's row of the shared table (rope.ts), written twice.
 */
function ropeTables(positions: number[][], headDim: number, theta: number): { cos: Tensor; sin: Tensor } {
  const half = headDim / 2;
  const batch = positions.length;
  const seqLen = positions[0]!.length;
  const table = ropeTable(Math.max(...positions.map((row) => Math.max(...row))) + 1, headDim, theta);
  const cos = new Float32Array(batch * seqLen * headDim);
  const sin = new Float32Array(batch * seqLen * headDim);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < seqLen; t++) {
      const at = positions[b]![t]! * half;
      const base = (b * seqLen + t) * headDim;
      for (let k = 0; k < half; k++) {
        cos[base + k] = cos[base + half + k] = table.cos[at + k]!;
        sin[base + k] = sin[base + half + k] = table.sin[at + k]!;
      }
    }
  }
  const shape: [number, number, number, number] = [batch, 1, seqLen, headDim];
  return { cos: tf.tensor4d(cos, shape), sin: tf.tensor4d(sin, shape) };
}

/** Validates token ids and makes the int32 [batch, seq] tensor the model takes. */
export function tokenIds(rows: readonly (readonly number[])[], vocabSize: number): Tensor {
  const seqLen = rows[0]?.length ?? 0;
  const flat = new Int32Array(rows.length * seqLen);
  rows.forEach((row, b) => {
    if (row.length !== seqLen)
      throw new Error(`tokenIds: row ${b} has ${row.length} ids, expected ${seqLen} (pad the batch)`);
    row.forEach((id, t) => {
      if (!Number.isInteger(id) || id < 0 || id >= vocabSize)
        throw new Error(`tokenIds: id ${id} at [${b}, ${t}] is outside the vocabulary (0-${vocabSize - 1})`);
      flat[b * seqLen + t] = id;
    });
  });
  return tf.tensor2d(flat, [rows.length, seqLen], 'int32');
}
