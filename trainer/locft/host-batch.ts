// A training batch in the host step engine's packed layout: real tokens only, sequence after sequence (a batch's
// padding is never computed), with the index arrays the attention kernels use to move rows to and from the padded
// per-head layout.
import type { TrainingBatch } from './batch.ts';

export interface PackedBatch {
  readonly size: number;
  /** Longest sequence (the padded length inside attention). */
  readonly seqLen: number;
  readonly lengths: Int32Array;
  /** First packed row of each sequence. */
  readonly offsets: Int32Array;
  readonly rows: number;
  /** The sequence of every packed row, and 0 .. rows-1 (the row list when every row continues). */
  readonly seqOf: Int32Array;
  readonly allRows: Int32Array;
  /** Layer L's residual after attention [rows, D] and down_proj's input [rows, F], packed. */
  readonly residual: Float32Array;
  readonly mlpHidden: Float32Array;
  /** Packed rows that predict a target token, with labels and loss weights (batch.ts). */
  readonly targetRows: Int32Array;
  readonly labels: Int32Array;
  readonly weights: Float32Array;
}

/** Packs a TrainingBatch and each edit's cached [tokens, width] arrays (residual, mlpHidden). */
export function packBatch(
  batch: TrainingBatch,
  entries: readonly (readonly Float32Array[])[],
  hidden: number,
  intermediate: number,
  allocate: (role: 'residual' | 'mlpHidden', n: number) => Float32Array = (_, n) => new Float32Array(n),
): PackedBatch {
  const lengths = new Int32Array(batch.size);
  const offsets = new Int32Array(batch.size);
  let rows = 0;
  for (let b = 0; b < batch.size; b++) {
    const mask = batch.attentionMask[b]!;
    let n = 0;
    for (const m of mask) n += m;
    const [res, mlp] = entries[b] ?? [];
    if (!res || !mlp || res.length !== n * hidden || mlp.length !== n * intermediate) {
      throw new Error(
        `batch item ${b}: cached activations do not hold ${n} rows of widths ${hidden} and ${intermediate}; truncated cache entry`,
      );
    }
    lengths[b] = n;
    offsets[b] = rows;
    rows += n;
  }
  const residual = allocate('residual', rows * hidden);
  const mlpHidden = allocate('mlpHidden', rows * intermediate);
  for (let b = 0; b < batch.size; b++) {
    residual.set(entries[b]![0]!, offsets[b]! * hidden);
    mlpHidden.set(entries[b]![1]!, offsets[b]! * intermediate);
  }
  const targetRows = new Int32Array(batch.targetRows.length);
  for (let i = 0; i < targetRows.length; i++) {
    const padded = batch.targetRows[i]!;
    const b = Math.floor(padded / batch.seqLen);
    targetRows[i] = offsets[b]! + (padded - b * batch.seqLen);
  }
  return {
    size: batch.size,
    seqLen: batch.seqLen,
    lengths,
    offsets,
    rows,
    ...rowIndex(lengths, offsets, rows),
    residual,
    mlpHidden,
    targetRows,
    labels: batch.targetLabels,
    weights: batch.targetWeights,
  };
}

/** One sequence of n rows with no targets: how the frozen prefix of a single edit runs through the layers. */
export function singleSequence(n: number, rows: Float32Array): PackedBatch {
  return {
    size: 1,
    seqLen: n,
    lengths: Int32Array.of(n),
    offsets: Int32Array.of(0),
    rows: n,
    ...rowIndex(Int32Array.of(n), Int32Array.of(0), n),
    residual: rows,
    mlpHidden: new Float32Array(0),
    targetRows: new Int32Array(0),
    labels: new Int32Array(0),
    weights: new Float32Array(0),
  };
}

function rowIndex(lengths: Int32Array, offsets: Int32Array, rows: number): { seqOf: Int32Array; allRows: Int32Array } {
  const seqOf = new Int32Array(rows);
  for (let b = 0; b < lengths.length; b++) seqOf.fill(b, offsets[b], offsets[b]! + lengths[b]!);
  return { seqOf, allRows: Int32Array.from({ length: rows }, (_, i) => i) };
}
