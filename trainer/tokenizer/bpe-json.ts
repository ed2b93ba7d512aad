// A BpeModel as Hugging Face files: tokenizer.json (the `tokenizers` serialization) and tokenizer_config.json.
//
// tokenizer.json:
//   model          BPE: vocab (token -> id), merges ("left right" strings, rank order; byte-level tokens never
//                  contain a space so the split is unambiguous), unk_token null (byte-level needs none),
//                  byte_fallback false, ignore_merges false
//   pre_tokenizer  ByteLevel, add_prefix_space false, use_regex true (GPT-2 split)
//   post_processor TemplateProcessing: "<|bos|> $A" (pair: "<|bos|> $A $B"), so encode() starts with BOS by default
//   decoder        ByteLevel
//   added_tokens   <|bos|> 0, <|eos|> 1, <|pad|> 2: special, not normalized, no strip
// tokenizer_config.json: bos/eos/pad token names, clean_up_tokenization_spaces false (decode must give back the
// exact text), PreTrainedTokenizerFast.
// Both are written as 2-space indented JSON with a final newline; same model -> same bytes.

import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { BOS_ID, type BpeModel, checkBpeModel, SPECIAL_TOKEN_LIST, SPECIAL_TOKENS } from './bpe-model.ts';

export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';

/** A special token of tokenizer.json's added_tokens. */
export const addedToken = (content: string, id: number) => ({
  id,
  content,
  single_word: false,
  lstrip: false,
  rstrip: false,
  normalized: false,
  special: true,
});

export function toTokenizerJson(model: BpeModel): Record<string, unknown> {
  checkBpeModel(model);
  const bos = { SpecialToken: { id: SPECIAL_TOKENS.bos, type_id: 0 } };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKEN_LIST.map((t, i) => addedToken(t, i)),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [bos, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [bos, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { [SPECIAL_TOKENS.bos]: { id: SPECIAL_TOKENS.bos, ids: [BOS_ID], tokens: [SPECIAL_TOKENS.bos] } },
    },
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      // fromEntries makes every token an own property (a token spelled "__proto__" stays a plain key).
      vocab: Object.fromEntries(model.vocab.map((t, i) => [t, i])),
      merges: model.merges.map(([a, b]) => `${a} ${b}`),
    },
  };
}

export function toTokenizerConfig(): Record<string, unknown> {
  return {
    add_bos_token: true,
    add_eos_token: false,
    added_tokens_decoder: Object.fromEntries(
      SPECIAL_TOKEN_LIST.map((t, i) => {
        const { id: _id, ...rest } = addedToken(t, i);
        return [String(i), rest];
      }),
    ),
    bos_token: SPECIAL_TOKENS.bos,
    eos_token: SPECIAL_TOKENS.eos,
    pad_token: SPECIAL_TOKENS.pad,
    unk_token: null,
    clean_up_tokenization_spaces: false,
    model_input_names: ['input_ids', 'attention_mask'],
    tokenizer_class: 'PreTrainedTokenizerFast',
  };
}

const TokenizerJsonSchema = z.object({
  model: z.object({
    type: z.literal('BPE', { error: 'model.type must be "BPE"' }),
    vocab: z.record(z.string(), z.int().nonnegative()),
    merges: z.array(z.union([z.string(), z.tuple([z.string(), z.string()])])),
  }),
  pre_tokenizer: z.object({ type: z.literal('ByteLevel', { error: 'pre_tokenizer.type must be "ByteLevel"' }) }),
});

/** Reads back a tokenizer.json written by toTokenizerJson (or any with the same layout); throws naming the field. */
export function fromTokenizerJson(json: unknown): BpeModel {
  const parsed = TokenizerJsonSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`tokenizer.json ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  const vocab: string[] = [];
  for (const [token, id] of Object.entries(parsed.data.model.vocab)) {
    if (vocab[id] !== undefined) throw new Error(`tokenizer.json model.vocab: id ${id} is used twice`);
    vocab[id] = token;
  }
  for (let i = 0; i < vocab.length; i++)
    if (vocab[i] === undefined) throw new Error(`tokenizer.json model.vocab: id ${i} is missing`);
  const merges = parsed.data.model.merges.map((m, i): [string, string] => {
    if (Array.isArray(m)) return [m[0], m[1]];
    const parts = m.split(' ');
    if (parts.length !== 2)
      throw new Error(`tokenizer.json model.merges[${i}]: expected "left right", found ${JSON.stringify(m)}`);
    return [parts[0] as string, parts[1] as string];
  });
  const model = { vocab, merges };
  checkBpeModel(model);
  return model;
}

export interface WrittenFile {
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
}

function serialise(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Writes tokenizer.json and tokenizer_config.json into `dir` (created if needed). */
export async function writeTokenizerFiles(dir: string, model: BpeModel): Promise<WrittenFile[]> {
  await mkdir(dir, { recursive: true });
  const files: [string, string][] = [
    [TOKENIZER_FILE, serialise(toTokenizerJson(model))],
    [TOKENIZER_CONFIG_FILE, serialise(toTokenizerConfig())],
  ];
  const written: WrittenFile[] = [];
  for (const [name, text] of files) {
    const data = Buffer.from(text, 'utf8');
    await writeFile(join(dir, name), data);
    written.push({ name, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') });
  }
  return written;
}

/** Loads the BpeModel of `dir/tokenizer.json`. */
export async function readTokenizerModel(dir: string): Promise<BpeModel> {
  const text = await readFile(join(dir, TOKENIZER_FILE), 'utf8');
  return fromTokenizerJson(JSON.parse(text) as unknown);
}
