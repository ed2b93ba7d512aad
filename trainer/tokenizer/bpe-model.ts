// The trained byte-level BPE tokenizer as data: vocabulary (id -> token) and ranked merges.
//
// Id layout (fixed, so every tokenizer the project trains agrees on the special ids):
//   0 <|bos|>   1 <|eos|>   2 <|pad|>        special tokens (added_tokens in tokenizer.json)
//   3 .. 258    the 256 single bytes, in byte order, as GPT-2 byte-level characters
//   259 ..      merged tokens in the order their merge was learned
// Tokens are byte-level strings (see bpe-bytes.ts). A merge's rank is its index in `merges`.

import { BYTE_TO_CHAR } from './bpe-bytes.ts';

export const SPECIAL_TOKENS = { bos: '<|bos|>', eos: '<|eos|>', pad: '<|pad|>' } as const;
export const SPECIAL_TOKEN_LIST: readonly string[] = [SPECIAL_TOKENS.bos, SPECIAL_TOKENS.eos, SPECIAL_TOKENS.pad];
export const BOS_ID = 0;
export const EOS_ID = 1;
export const PAD_ID = 2;
export const FIRST_BYTE_ID = SPECIAL_TOKEN_LIST.length;
/** Smallest possible vocabulary: the special tokens and the 256 bytes. */
export const BASE_VOCAB_SIZE = FIRST_BYTE_ID + 256;

export interface BpeModel {
  /** Token of each id. */
  readonly vocab: readonly string[];
  /** Merges in rank order: [left, right] token strings; their concatenation is in `vocab`. */
  readonly merges: readonly (readonly [string, string])[];
}

/** Throws (naming the problem) unless the model has the fixed layout and consistent merges. */
export function checkBpeModel(model: BpeModel): void {
  SPECIAL_TOKEN_LIST.forEach((t, i) => {
    if (model.vocab[i] !== t)
      throw new Error(`vocab[${i}] must be the special token ${t}, found ${JSON.stringify(model.vocab[i])}`);
  });
  for (let b = 0; b < 256; b++) {
    if (model.vocab[FIRST_BYTE_ID + b] !== BYTE_TO_CHAR[b])
      throw new Error(`vocab[${FIRST_BYTE_ID + b}] must be the byte ${b}`);
  }
  const ids = new Map<string, number>();
  model.vocab.forEach((t, i) => {
    if (ids.has(t)) throw new Error(`vocab: token ${JSON.stringify(t)} appears twice (ids ${ids.get(t)} and ${i})`);
    ids.set(t, i);
  });
  const pairs = new Map<string, number>();
  model.merges.forEach(([a, b], rank) => {
    const pair = JSON.stringify([a, b]);
    if (pairs.has(pair)) throw new Error(`merges[${rank}]: ${pair} repeats merges[${pairs.get(pair)}]`);
    pairs.set(pair, rank);
    if (!ids.has(a) || !ids.has(b))
      throw new Error(`merges[${rank}]: ${JSON.stringify([a, b])} uses a token not in vocab`);
    if (!ids.has(a + b)) throw new Error(`merges[${rank}]: result ${JSON.stringify(a + b)} is not in vocab`);
  });
}
