// Turns edits {prompt, target} into token sequences the way the LocFT authors do: a space is prefixed to a target
// that lacks one, the prompt is encoded with the tokenizer's special tokens (e.g. BOS) and the target without,
// the tokenizer's EOS is appended to the target, and the two are concatenated. The loss then covers the target
// tokens (EOS included) only: the shifted next-token predictions made from positions promptLength-1 .. end-1.

export interface EditText {
  readonly prompt: string;
  readonly target: string;
}

/** What encoding needs from a tokenizer (HfTokenizer satisfies it). */
export interface EncodingTokenizer {
  readonly eosTokenId: number | null;
  encode(text: string, options?: { addSpecialTokens?: boolean }): number[];
  idToToken(id: number): string | undefined;
}

export interface EncodedEdit {
  /** prompt ids ++ target ids ++ EOS. */
  readonly ids: readonly number[];
  readonly promptLength: number;
  /** Number of target tokens including the EOS (the tokens that carry loss). */
  readonly targetLength: number;
}

export class EditEncodingError extends Error {
  constructor(
    readonly index: number,
    readonly field: 'prompt' | 'target' | 'edits',
    message: string,
  ) {
    super(field === 'edits' ? message : `edits[${index}].${field}: ${message}`);
    this.name = 'EditEncodingError';
  }
}

export interface EncodeLimits {
  /** Model vocabulary size: every id must be below it. */
  readonly vocabSize: number;
  /** Longest sequence the model takes (max_position_embeddings); longer ones would have to be truncated. */
  readonly maxPositions: number;
}

/** Model input = ids without the last token; labels = ids shifted by one. */
export function inputIds(e: EncodedEdit): number[] {
  return e.ids.slice(0, -1);
}

/**
 * Input positions whose next-token prediction is a target token, and those tokens:
 * position promptLength-1+k predicts target token k.
 */
export function targetPositions(e: EncodedEdit): { positions: number[]; labels: number[] } {
  const positions: number[] = [];
  const labels: number[] = [];
  for (let k = 0; k < e.targetLength; k++) {
    positions.push(e.promptLength - 1 + k);
    labels.push(e.ids[e.promptLength + k]!);
  }
  return { positions, labels };
}

export function spacedTarget(target: string): string {
  return target.startsWith(' ') ? target : ` ${target}`;
}

export function encodeEdit(
  tokenizer: EncodingTokenizer,
  edit: EditText,
  index: number,
  limits: EncodeLimits,
): EncodedEdit {
  if (typeof edit.prompt !== 'string' || edit.prompt.trim() === '')
    throw new EditEncodingError(index, 'prompt', 'is empty');
  if (typeof edit.target !== 'string' || edit.target.trim() === '')
    throw new EditEncodingError(index, 'target', 'is empty; nothing to learn');
  const eos = tokenizer.eosTokenId;
  if (eos === null)
    throw new EditEncodingError(
      index,
      'target',
      'the tokenizer has no EOS token to append (tokenizer_config.json eos_token)',
    );
  const promptIds = tokenizer.encode(edit.prompt, { addSpecialTokens: true });
  if (promptIds.length === 0)
    throw new EditEncodingError(index, 'prompt', `${JSON.stringify(edit.prompt)} encodes to no tokens`);
  const targetIds = tokenizer.encode(spacedTarget(edit.target), { addSpecialTokens: false });
  if (targetIds.length === 0)
    throw new EditEncodingError(index, 'target', `${JSON.stringify(edit.target)} encodes to no tokens`);
  const unknown = targetIds.find((id) => /^<unk>$|^\[UNK\]$/i.test(tokenizer.idToToken(id) ?? ''));
  if (unknown !== undefined) {
    throw new EditEncodingError(
      index,
      'target',
      `${JSON.stringify(edit.target)} contains text the tokenizer cannot represent (it maps to the unknown token ${tokenizer.idToToken(unknown)})`,
    );
  }
  const ids = [...promptIds, ...targetIds, eos];
  for (const [field, list] of [
    ['prompt', promptIds],
    ['target', targetIds],
  ] as const) {
    const bad = list.find((id) => !Number.isInteger(id) || id < 0 || id >= limits.vocabSize);
    if (bad !== undefined)
      throw new EditEncodingError(
        index,
        field,
        `token id ${bad} is outside the model's vocabulary (${limits.vocabSize}); tokenizer and model do not match`,
      );
  }
  if (ids.length - 1 > limits.maxPositions) {
    throw new EditEncodingError(
      index,
      'target',
      `prompt + target + EOS is ${ids.length} tokens, more than the model's ${limits.maxPositions} positions; it would be truncated`,
    );
  }
  return { ids, promptLength: promptIds.length, targetLength: targetIds.length + 1 };
}

/** Encodes every edit; an empty list is an error (there is nothing to train). */
export function encodeEdits(
  tokenizer: EncodingTokenizer,
  edits: readonly EditText[],
  limits: EncodeLimits,
): EncodedEdit[] {
  if (edits.length === 0)
    throw new EditEncodingError(0, 'edits', 'edits: the edit list is empty; give at least one {prompt, target}');
  return edits.map((e, i) => encodeEdit(tokenizer, e, i, limits));
}
