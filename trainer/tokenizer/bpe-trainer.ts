// Byte-level BPE training (the algorithm of Hugging Face's BpeTrainer, written for our needs).
//
// 1. Pre-tokenize every text with GPT-2's regex and count the distinct words.
// 2. Every word starts as its UTF-8 bytes. Count adjacent token pairs (weighted by word frequency) and remember
//    which words contain each pair.
// 3. Repeatedly merge the most frequent pair until the vocabulary is full or no pair occurs minFrequency times.
//    Ties are broken by the smaller left token id, then the smaller right token id, so training is deterministic.
//    Only the words containing the merged pair are revisited, and only pair counts that change are updated
//    (incremental counts; a lazy max-heap finds the best pair — stale heap entries are re-checked on pop).
// If a merge produces a token that already exists (possible when different merge paths spell the same bytes), the
// merge is recorded and the existing id reused, as Hugging Face does.

import { z } from 'zod';
import { BYTE_TO_CHAR, pretokenize, utf8Bytes } from './bpe-bytes.ts';
import { BASE_VOCAB_SIZE, type BpeModel, FIRST_BYTE_ID, SPECIAL_TOKEN_LIST } from './bpe-model.ts';

export const BpeTrainerConfigSchema = z.strictObject({
  /** Total vocabulary: 3 special tokens + 256 bytes + merged tokens. */
  vocabSize: z.int().min(BASE_VOCAB_SIZE).max(65536).default(2048),
  /** A pair must occur at least this often (counting word frequency) to be merged. */
  minFrequency: z.int().min(1).default(2),
});
export type BpeTrainerConfigInput = z.input<typeof BpeTrainerConfigSchema>;

export type BpeProgress = (merged: number, target: number) => void;

const ID_SPACE = 65536;
const pairKey = (a: number, b: number): number => a * ID_SPACE + b;

/** Max-heap on (count desc, key asc) over possibly stale entries. */
class PairHeap {
  private readonly counts: number[] = [];
  private readonly keys: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  private before(i: number, j: number): boolean {
    const ci = this.counts[i] as number;
    const cj = this.counts[j] as number;
    return ci !== cj ? ci > cj : (this.keys[i] as number) < (this.keys[j] as number);
  }

  private swap(i: number, j: number): void {
    const c = this.counts[i] as number;
    this.counts[i] = this.counts[j] as number;
    this.counts[j] = c;
    const k = this.keys[i] as number;
    this.keys[i] = this.keys[j] as number;
    this.keys[j] = k;
  }

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.keys.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): { count: number; key: number } | undefined {
    if (this.keys.length === 0) return undefined;
    const top = { count: this.counts[0] as number, key: this.keys[0] as number };
    const lastCount = this.counts.pop() as number;
    const lastKey = this.keys.pop() as number;
    if (this.keys.length > 0) {
      this.counts[0] = lastCount;
      this.keys[0] = lastKey;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < this.keys.length && this.before(l, best)) best = l;
        if (r < this.keys.length && this.before(r, best)) best = r;
        if (best === i) break;
        this.swap(i, best);
        i = best;
      }
    }
    return top;
  }
}

/** Adds `delta` to the count of every adjacent pair of `word` into `into`. */
function addPairs(word: readonly number[], delta: number, into: Map<number, number>): void {
  for (let i = 0; i + 1 < word.length; i++) {
    const key = pairKey(word[i] as number, word[i + 1] as number);
    into.set(key, (into.get(key) ?? 0) + delta);
  }
}

/** Merges every non-overlapping occurrence of (a, b), left to right; returns undefined if there is none. */
function mergeWord(word: readonly number[], a: number, b: number, merged: number): number[] | undefined {
  let out: number[] | undefined;
  for (let i = 0; i < word.length; i++) {
    if (word[i] === a && word[i + 1] === b && i + 1 < word.length) {
      out ??= word.slice(0, i);
      out.push(merged);
      i++;
    } else if (out !== undefined) {
      out.push(word[i] as number);
    }
  }
  return out;
}

export function trainBpe(
  texts: Iterable<string>,
  input: BpeTrainerConfigInput = {},
  onProgress?: BpeProgress,
): BpeModel {
  const parsed = BpeTrainerConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RangeError(`tokenizer config ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  const { vocabSize, minFrequency } = parsed.data;

  // 1. Distinct words and their frequencies.
  const frequency = new Map<string, number>();
  for (const text of texts) for (const w of pretokenize(text)) frequency.set(w, (frequency.get(w) ?? 0) + 1);
  // Sorted so that word indices (and thus everything downstream) do not depend on text order.
  const distinct = [...frequency.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const words: number[][] = distinct.map((w) => Array.from(utf8Bytes(w), (b) => FIRST_BYTE_ID + b));
  const counts: number[] = distinct.map((w) => frequency.get(w) as number);

  // 2. Initial pair counts and where each pair occurs.
  const pairCounts = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  words.forEach((word, w) => {
    for (let i = 0; i + 1 < word.length; i++) {
      const key = pairKey(word[i] as number, word[i + 1] as number);
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + (counts[w] as number));
      let set = where.get(key);
      if (set === undefined) where.set(key, (set = new Set()));
      set.add(w);
    }
  });
  const heap = new PairHeap();
  for (const [key, count] of pairCounts) if (count >= minFrequency) heap.push(count, key);

  // 3. Merge loop.
  const vocab: string[] = [...SPECIAL_TOKEN_LIST, ...BYTE_TO_CHAR];
  const idOf = new Map<string, number>(vocab.map((t, i) => [t, i]));
  const merges: [string, string][] = [];
  const mergedPairs = new Set<number>();
  const target = vocabSize - BASE_VOCAB_SIZE;
  while (vocab.length < vocabSize) {
    const top = heap.pop();
    if (top === undefined) break;
    const current = pairCounts.get(top.key) ?? 0;
    if (top.count !== current) {
      // Stale: the count fell since this entry was pushed (increases always push a fresh entry).
      if (current < top.count && current >= minFrequency) heap.push(current, top.key);
      continue;
    }
    const a = Math.floor(top.key / ID_SPACE);
    const b = top.key % ID_SPACE;
    const left = vocab[a] as string;
    const right = vocab[b] as string;
    const token = left + right;
    let merged = idOf.get(token);
    if (merged === undefined) {
      merged = vocab.length;
      vocab.push(token);
      idOf.set(token, merged);
    }
    // A pair can only recur if a later merge re-created one of its tokens; it is applied again but listed once,
    // because tokenizer.json ranks must be unambiguous.
    if (!mergedPairs.has(top.key)) merges.push([left, right]);
    mergedPairs.add(top.key);

    const delta = new Map<number, number>();
    for (const w of where.get(top.key) ?? []) {
      const word = words[w] as number[];
      const next = mergeWord(word, a, b, merged);
      if (next === undefined) continue;
      const c = counts[w] as number;
      addPairs(word, -c, delta);
      addPairs(next, c, delta);
      words[w] = next;
      for (let i = 0; i + 1 < next.length; i++) {
        const key = pairKey(next[i] as number, next[i + 1] as number);
        let set = where.get(key);
        if (set === undefined) where.set(key, (set = new Set()));
        set.add(w);
      }
    }
    where.delete(top.key);
    for (const [key, d] of delta) {
      if (d === 0) continue;
      const updated = (pairCounts.get(key) ?? 0) + d;
      if (updated > 0) pairCounts.set(key, updated);
      else pairCounts.delete(key);
      if (d > 0 && updated >= minFrequency) heap.push(updated, key);
    }
    if (onProgress !== undefined && (merges.length % 64 === 0 || vocab.length === vocabSize)) {
      onProgress(vocab.length - BASE_VOCAB_SIZE, target);
    }
  }
  return { vocab, merges };
}
