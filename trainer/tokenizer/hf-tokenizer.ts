// A Hugging Face fast tokenizer (tokenizer.json + tokenizer_config.json) loaded with @huggingface/tokenizers, the
// pure-JS port of the Rust `tokenizers` library (no native code, no downloads).
//
// encode() applies the tokenizer's post-processor when addSpecialTokens is true (e.g. a Llama template prepends
// BOS; Qwen2's adds nothing). decode() skips ids the tokenizer does not know (models often pad their embedding
// matrix beyond the tokenizer's vocabulary), as the Rust library does.

import { defineError } from '../../domain/errors.ts';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as tokenizers from '@huggingface/tokenizers';

/**
 * The part of @huggingface/tokenizers' Tokenizer we use. Its bundled type declarations use extension-less relative
 * imports that TypeScript's NodeNext resolution cannot follow, so the class would be typed `any`; this interface
 * restores checking at the one place we touch it.
 */
interface TokenizersJs {
  encode(text: string, options?: { add_special_tokens?: boolean }): { ids: number[] };
  decode(ids: number[], options?: { skip_special_tokens?: boolean; clean_up_tokenization_spaces?: boolean }): string;
  token_to_id(token: string): number | undefined;
  id_to_token(id: number): string | undefined;
  get_vocab(withAddedTokens?: boolean): Map<string, number>;
  get_added_tokens_decoder(): Map<number, { content: string; special: boolean }>;
}
const TokenizersJsClass = (tokenizers as unknown as { Tokenizer: new (json: object, config: object) => TokenizersJs })
  .Tokenizer;

export class TokenizerError extends defineError('tokenizer_invalid', 'invalid_input', (message: string) => ({
  message,
})) {}

export interface EncodeOptions {
  /** Apply the post-processor's special tokens (e.g. BOS). Default true, as in transformers. */
  readonly addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  /** Drop special tokens (BOS/EOS/pad/added specials) from the text. Default false. */
  readonly skipSpecialTokens?: boolean;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class HfTokenizer {
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | null;
  readonly padTokenId: number | null;
  /** One more than the largest id the tokenizer knows (base vocabulary plus added tokens). */
  readonly vocabSize: number;
  private readonly inner: TokenizersJs;
  private readonly specialIds: ReadonlySet<number>;
  private readonly cleanUpSpaces: boolean;

  constructor(tokenizerJson: unknown, tokenizerConfig: unknown, source = 'tokenizer') {
    if (!isRecord(tokenizerJson)) throw new TokenizerError(`${source}: tokenizer.json must be a JSON object`);
    if (!isRecord(tokenizerConfig)) throw new TokenizerError(`${source}: tokenizer_config.json must be a JSON object`);
    try {
      this.inner = new TokenizersJsClass(tokenizerJson, tokenizerConfig);
    } catch (error) {
      throw new TokenizerError(
        `${source}: cannot build the tokenizer: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    let maxId = -1;
    for (const id of this.inner.get_vocab(true).values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    this.specialIds = new Set(
      [...this.inner.get_added_tokens_decoder()].filter(([, t]) => t.special).map(([id]) => id),
    );
    this.bosTokenId = this.specialId(tokenizerConfig, 'bos_token', source);
    this.eosTokenId = this.specialId(tokenizerConfig, 'eos_token', source);
    this.padTokenId = this.specialId(tokenizerConfig, 'pad_token', source);
    const cleanUp = tokenizerConfig['clean_up_tokenization_spaces'];
    // Absent means false: cleaning (" ." -> ".") breaks exact round trips and recent transformers default to off.
    this.cleanUpSpaces = cleanUp === true;
  }

  /** tokenizer_config.json gives special tokens as a string or an AddedToken object {content: ...}. */
  private specialId(config: Record<string, unknown>, field: string, source: string): number | null {
    const value = config[field];
    if (value === undefined || value === null) return null;
    const content =
      typeof value === 'string'
        ? value
        : isRecord(value) && typeof value['content'] === 'string'
          ? value['content']
          : undefined;
    if (content === undefined)
      throw new TokenizerError(`${source}: tokenizer_config.json "${field}" must be a string or {"content": string}`);
    const id = this.inner.token_to_id(content);
    if (id === undefined)
      throw new TokenizerError(
        `${source}: tokenizer_config.json "${field}" ${JSON.stringify(content)} is not in the vocabulary`,
      );
    return id;
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    return this.inner.encode(text, { add_special_tokens: options.addSpecialTokens ?? true }).ids;
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const known = ids.filter(
      (id) => Number.isInteger(id) && id >= 0 && id < this.vocabSize && this.inner.id_to_token(id) !== undefined,
    );
    const kept = options.skipSpecialTokens ? known.filter((id) => !this.specialIds.has(id)) : known;
    if (kept.length === 0) return ''; // the library throws on an empty list
    return this.inner.decode(kept, { skip_special_tokens: false, clean_up_tokenization_spaces: this.cleanUpSpaces });
  }

  tokenToId(token: string): number | undefined {
    return this.inner.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.inner.id_to_token(id);
  }

  isSpecial(id: number): boolean {
    return this.specialIds.has(id);
  }
}

/** Loads tokenizer.json (required) and tokenizer_config.json (optional; {} when absent) from a checkpoint folder. */
export async function loadHfTokenizer(dir: string): Promise<HfTokenizer> {
  const read = async (file: string, required: boolean): Promise<unknown> => {
    const path = join(dir, file);
    try {
      await stat(path);
    } catch {
      if (required) throw new TokenizerError(`${dir}: missing ${file}`);
      return {};
    }
    try {
      return JSON.parse(await readFile(path, 'utf8')) as unknown;
    } catch (error) {
      throw new TokenizerError(`${path}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
  };
  return new HfTokenizer(await read('tokenizer.json', true), await read('tokenizer_config.json', false), dir);
}
