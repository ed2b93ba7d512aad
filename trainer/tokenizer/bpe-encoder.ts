// Encoder/decoder for a BpeModel, defined to give exactly the ids `@huggingface/tokenizers` gives for the same
// model saved as tokenizer.json (bpe-json.ts):
// - special token strings in the text ("<|eos|>") are cut out first (leftmost, longest) and map to their ids;
// - each remaining section is pre-tokenized with GPT-2's regex, each word turned into byte-level characters;
// - within a word, the adjacent pair with the lowest merge rank is merged (leftmost on ties), repeatedly —
//   one merge at a time, as Hugging Face's BPE does;
// - encode() prepends <|bos|> unless addSpecialTokens is false (the tokenizer.json post-processor does the same).
// Decoding joins tokens, maps characters back to bytes and decodes UTF-8 (invalid sequences -> U+FFFD, a BOM is
// kept); special tokens decode to their text unless skipSpecialTokens.

import { BYTE_TO_CHAR, CHAR_TO_BYTE, pretokenize, utf8Bytes } from './bpe-bytes.ts';
import {
  BOS_ID,
  type BpeModel,
  checkBpeModel,
  EOS_ID,
  FIRST_BYTE_ID,
  PAD_ID,
  SPECIAL_TOKEN_LIST,
} from './bpe-model.ts';

export interface EncodeOptions {
  /** Prepend <|bos|> (default true, like Hugging Face's encode). EOS is never added: callers append EOS_ID. */
  readonly addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  /** Drop <|bos|>, <|eos|>, <|pad|> from the output (default false). */
  readonly skipSpecialTokens?: boolean;
}

const ID_SPACE = 65536;
const CACHE_LIMIT = 50_000;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class BpeTokenizer {
  readonly bosId = BOS_ID;
  readonly eosId = EOS_ID;
  readonly padId = PAD_ID;
  private readonly vocab: readonly string[];
  private readonly ids: ReadonlyMap<string, number>;
  /** pair key (left id * 65536 + right id) -> [rank, merged id] */
  private readonly mergeTable: ReadonlyMap<number, readonly [number, number]>;
  private readonly specialPattern: RegExp;
  private readonly cache = new Map<string, readonly number[]>();
  private readonly decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

  constructor(model: BpeModel) {
    checkBpeModel(model);
    this.vocab = model.vocab;
    this.ids = new Map(model.vocab.map((t, i) => [t, i]));
    const table = new Map<number, readonly [number, number]>();
    model.merges.forEach(([a, b], rank) => {
      const key = (this.ids.get(a) as number) * ID_SPACE + (this.ids.get(b) as number);
      table.set(key, [rank, this.ids.get(a + b) as number]); // pairs are unique (checkBpeModel)
    });
    this.mergeTable = table;
    const specials = [...SPECIAL_TOKEN_LIST].sort((x, y) => y.length - x.length).map(escapeRegExp);
    this.specialPattern = new RegExp(specials.join('|'), 'g');
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  tokenToId(token: string): number | undefined {
    return this.ids.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.vocab[id];
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    const out: number[] = options.addSpecialTokens === false ? [] : [BOS_ID];
    let start = 0;
    for (const m of text.matchAll(this.specialPattern)) {
      this.encodeOrdinary(text.slice(start, m.index), out);
      out.push(this.ids.get(m[0]) as number);
      start = m.index + m[0].length;
    }
    this.encodeOrdinary(text.slice(start), out);
    return out;
  }

  /** Decodes ids to text; throws RangeError naming the first id outside the vocabulary. */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    let text = '';
    let bytes: number[] = [];
    const flush = (): void => {
      if (bytes.length > 0) text += this.decoder.decode(new Uint8Array(bytes));
      bytes = [];
    };
    ids.forEach((id, i) => {
      const token = this.vocab[id];
      if (token === undefined)
        throw new RangeError(`ids[${i}]: ${id} is not a token id (vocabulary size ${this.vocab.length})`);
      if (id < FIRST_BYTE_ID) {
        flush();
        if (options.skipSpecialTokens !== true) text += token;
        return;
      }
      for (const ch of token) bytes.push(CHAR_TO_BYTE.get(ch) as number);
    });
    flush();
    return text;
  }

  private encodeOrdinary(text: string, out: number[]): void {
    if (text.length === 0) return;
    for (const word of pretokenize(text)) {
      let ids = this.cache.get(word);
      if (ids === undefined) {
        ids = this.encodeWord(word);
        if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
        this.cache.set(word, ids);
      }
      for (const id of ids) out.push(id);
    }
  }

  private encodeWord(word: string): number[] {
    const ids = Array.from(utf8Bytes(word), (b) => this.ids.get(BYTE_TO_CHAR[b] as string) as number);
    for (;;) {
      let bestRank = Infinity;
      let bestAt = -1;
      let bestId = -1;
      for (let i = 0; i + 1 < ids.length; i++) {
        const entry = this.mergeTable.get((ids[i] as number) * ID_SPACE + (ids[i + 1] as number));
        if (entry !== undefined && entry[0] < bestRank) {
          bestRank = entry[0];
          bestAt = i;
          bestId = entry[1];
        }
      }
      if (bestAt < 0) return ids;
      ids.splice(bestAt, 2, bestId);
    }
  }
}
