// One mini-batch as the step needs it: right-padded input ids with their attention mask, and the loss bookkeeping —
// which flattened [batch*seq] rows predict a target token, the token, and its weight 1 / (batch · targetTokens of
// its sample) so that Σ weight · CE = mean over the batch of each sample's mean target-token CE.
// Padding and prompt positions carry no weight; in the full-logits form they are present with weight 0.
import type { EncodedEdit } from './encode.ts';
import { inputIds, targetPositions } from './encode.ts';

export interface TrainingBatch {
  readonly size: number;
  readonly seqLen: number;
  readonly inputIds: readonly (readonly number[])[];
  readonly attentionMask: readonly (readonly number[])[];
  /** Rows of the flattened [size*seqLen] grid whose next token is a target token. */
  readonly targetRows: Int32Array;
  readonly targetLabels: Int32Array;
  readonly targetWeights: Float32Array;
  /** The same over every row (label 0 and weight 0 off-target), for the full-logits form. */
  readonly allLabels: Int32Array;
  readonly allWeights: Float32Array;
  /** Real (unpadded) input tokens. */
  readonly tokens: number;
}

export class BatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BatchError';
  }
}

/** `indices[i]` names the edit behind batch item i in errors. */
export function buildBatch(edits: readonly EncodedEdit[], padId: number, indices?: readonly number[]): TrainingBatch {
  if (edits.length === 0) throw new BatchError('batch: empty; a mini-batch needs at least one edit');
  const name = (i: number) => `batch item ${i} (edit ${indices?.[i] ?? i})`;
  edits.forEach((e, i) => {
    if (!Number.isInteger(e.promptLength) || e.promptLength < 1)
      throw new BatchError(`${name(i)}: promptLength ${e.promptLength}; a prompt needs at least one token`);
    if (!Number.isInteger(e.targetLength) || e.targetLength < 1)
      throw new BatchError(`${name(i)}: targetLength ${e.targetLength}; a target needs at least one token`);
    if (e.ids.length !== e.promptLength + e.targetLength) {
      throw new BatchError(
        `${name(i)}: holds ${e.ids.length} ids but promptLength ${e.promptLength} + targetLength ${e.targetLength} = ${e.promptLength + e.targetLength}; the sequence is truncated or corrupt`,
      );
    }
  });
  const inputs = edits.map(inputIds);
  const seqLen = Math.max(...inputs.map((r) => r.length));
  const size = edits.length;
  const rows: number[] = [];
  const labels: number[] = [];
  const weights: number[] = [];
  const allLabels = new Int32Array(size * seqLen);
  const allWeights = new Float32Array(size * seqLen);
  edits.forEach((e, b) => {
    const { positions, labels: l } = targetPositions(e);
    const w = 1 / (size * e.targetLength);
    positions.forEach((t, k) => {
      const row = b * seqLen + t;
      rows.push(row);
      labels.push(l[k]!);
      weights.push(w);
      allWeights[row] = w;
    });
    inputs[b]!.forEach((_, t) => (allLabels[b * seqLen + t] = e.ids[t + 1]!));
  });
  return {
    size,
    seqLen,
    inputIds: inputs.map((r) => [...r, ...new Array<number>(seqLen - r.length).fill(padId)]),
    attentionMask: inputs.map((r) => [
      ...new Array<number>(r.length).fill(1),
      ...new Array<number>(seqLen - r.length).fill(0),
    ]),
    targetRows: Int32Array.from(rows),
    targetLabels: Int32Array.from(labels),
    targetWeights: Float32Array.from(weights),
    allLabels,
    allWeights,
    tokens: inputs.reduce((a, r) => a + r.length, 0),
  };
}

/**
 * Stacks per-edit cached activations ([tokens_i * width] each) into one right-padded [size, seqLen, width] array
 * (zeros at padding). A cached entry with the wrong number of rows is a truncated batch, an error.
 */
export function stackPadded(perEdit: readonly Float32Array[], batch: TrainingBatch, width: number): Float32Array {
  const out = new Float32Array(batch.size * batch.seqLen * width);
  perEdit.forEach((a, b) => {
    const tokens = batch.attentionMask[b]!.reduce((s, m) => s + m, 0);
    if (a.length !== tokens * width) {
      throw new BatchError(
        `batch item ${b}: cached activations hold ${a.length / width} rows of width ${width} for ${tokens} tokens; truncated cache entry`,
      );
    }
    out.set(a, b * batch.seqLen * width);
  });
  return out;
}
