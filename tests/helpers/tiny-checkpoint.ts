// Tiny random checkpoints for tests, written to a temp folder in the real Hugging Face layout (config.json,
// model.safetensors or a sharded index, tokenizer.json, tokenizer_config.json). Nothing is downloaded: the
// tokenizer is a small but valid byte-level BPE built here, so any text round-trips.
//
//   const ckpt = await createTinyCheckpoint({ style: 'llama' });   // GQA, separate lm_head, BOS added
//   const ckpt = await createTinyCheckpoint({ style: 'qwen2' });   // q/k/v biases, tied embeddings, no BOS
//   ... readHfCheckpoint(ckpt.dir) ...
//   await ckpt.cleanup();
//
// Weights come from a seeded RNG (same options -> same bytes). Scales are chosen so activations stay O(1) and the
// logits are far from uniform, which makes numerical comparisons meaningful.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSafetensorsFile } from '../../trainer/checkpoint/safetensors.ts';
import type { HostTensor } from '../../trainer/checkpoint/safetensors.ts';
import { expectedParameterShapes, parseModelConfig } from '../../trainer/model/config.ts';
import type { ModelConfig } from '../../trainer/model/config.ts';
import { mulberry32 } from './mulberry32.ts';
import { addedToken } from '../../trainer/tokenizer/bpe-json.ts';

export type TinyStyle = 'llama' | 'qwen2';

export interface TinyCheckpointOptions {
  /** 'llama': Llama with GQA, untied lm_head, BOS prepended. 'qwen2': q/k/v biases, tied embeddings, no BOS. */
  readonly style?: TinyStyle;
  readonly seed?: number;
  readonly numLayers?: number;
  readonly hiddenSize?: number;
  readonly numHeads?: number;
  readonly numKvHeads?: number;
  readonly intermediateSize?: number;
  /** Write model.safetensors.index.json plus this many shards instead of one model.safetensors. */
  readonly shards?: number;
  /** Folder to write into (created); default: a fresh temp folder. */
  readonly dir?: string;
}

export interface TinyCheckpoint {
  readonly dir: string;
  /** config.json content. */
  readonly rawConfig: Record<string, unknown>;
  readonly config: ModelConfig;
  /** The weights written, float32. */
  readonly tensors: Map<string, HostTensor>;
  readonly tokenizerJson: Record<string, unknown>;
  readonly tokenizerConfig: Record<string, unknown>;
  /** Removes the folder. */
  cleanup(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// A byte-level BPE tokenizer (GPT-2 / Qwen2 / Llama-3 family)

/**
 * GPT-2's reversible byte -> printable character map: printable Latin-1 bytes map to themselves, the others to
 * code points from 256 upwards, in byte order.
 */
export function byteToUnicode(): string[] {
  const keep = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const out: string[] = [];
  let next = 256;
  for (let b = 0; b < 256; b++) out.push(String.fromCodePoint(keep(b) ? b : next++));
  return out;
}

/** Merges over byte-level symbols ("Ġ" is the space byte). Each merged token is added to the vocabulary. */
const MERGES: ReadonlyArray<readonly [string, string]> = [
  ['Ġ', 't'],
  ['h', 'e'],
  ['Ġt', 'he'],
  ['i', 'n'],
  ['Ġ', 'a'],
  ['e', 'r'],
  ['o', 'n'],
  ['Ġ', 'o'],
  ['Ġ', 'i'],
  ['Ġi', 's'],
  ['a', 'r'],
  ['Ġ', 'c'],
  ['e', 's'],
  ['o', 'f'],
  ['Ġ', 'of'],
  ['Ġ', 's'],
  ['a', 'n'],
  ['Ġ', 'P'],
  ['Ġ', 'C'],
  ['E', 'O'],
  ['Ġc', 'ap'],
  ['a', 'p'],
  ['Ġ', 'w'],
  ['Ġw', 'h'],
];

/** Qwen2's pre-tokenization split pattern (from its tokenizer.json). */
const QWEN2_SPLIT =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

export interface TinyTokenizerFiles {
  readonly tokenizerJson: Record<string, unknown>;
  readonly tokenizerConfig: Record<string, unknown>;
  /** Ids of the special tokens. */
  readonly special: { readonly bos: number | null; readonly eos: number; readonly pad: number | null };
  /** Number of ids the tokenizer knows (base bytes + merges + special tokens). */
  readonly size: number;
}

export function tinyTokenizerFiles(style: TinyStyle): TinyTokenizerFiles {
  const vocab: Record<string, number> = {};
  byteToUnicode().forEach((ch, b) => (vocab[ch] = b));
  let next = 256;
  for (const [a, b] of MERGES) if (!(a + b in vocab)) vocab[a + b] = next++;
  const specials = style === 'llama' ? ['<s>', '</s>'] : ['<|endoftext|>', '<|im_start|>', '<|im_end|>'];
  const addedTokens = specials.map((content) => addedToken(content, next++));
  const idOf = (s: string) => addedTokens.find((t) => t.content === s)!.id;

  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: style === 'llama' };
  const tokenizerJson: Record<string, unknown> = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: style === 'qwen2' ? { type: 'NFC' } : null,
    pre_tokenizer:
      style === 'qwen2'
        ? {
            type: 'Sequence',
            pretokenizers: [
              { type: 'Split', pattern: { Regex: QWEN2_SPLIT }, behavior: 'Isolated', invert: false },
              byteLevel,
            ],
          }
        : byteLevel,
    post_processor:
      style === 'llama'
        ? {
            type: 'TemplateProcessing',
            single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
            pair: [
              { SpecialToken: { id: '<s>', type_id: 0 } },
              { Sequence: { id: 'A', type_id: 0 } },
              { SpecialToken: { id: '<s>', type_id: 1 } },
              { Sequence: { id: 'B', type_id: 1 } },
            ],
            special_tokens: { '<s>': { id: '<s>', ids: [idOf('<s>')], tokens: ['<s>'] } },
          }
        : { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: MERGES.map(([a, b]) => [a, b]),
    },
  };
  const tokenizerConfig: Record<string, unknown> =
    style === 'llama'
      ? {
          add_bos_token: true,
          add_eos_token: false,
          bos_token: '<s>',
          eos_token: '</s>',
          pad_token: null,
          clean_up_tokenization_spaces: false,
          model_max_length: 128,
          tokenizer_class: 'PreTrainedTokenizerFast',
        }
      : {
          bos_token: null,
          eos_token: '<|endoftext|>',
          pad_token: '<|endoftext|>',
          clean_up_tokenization_spaces: false,
          model_max_length: 128,
          errors: 'replace',
          tokenizer_class: 'Qwen2Tokenizer',
        };
  const special =
    style === 'llama'
      ? { bos: idOf('<s>'), eos: idOf('</s>'), pad: null }
      : { bos: null, eos: idOf('<|endoftext|>'), pad: idOf('<|endoftext|>') };
  return { tokenizerJson, tokenizerConfig, special, size: next };
}

// ---------------------------------------------------------------------------------------------------------------
// Seeded weights

function gaussian(next: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

/** Builds the config.json of a tiny model of the given style. */
export function tinyConfig(style: TinyStyle, o: TinyCheckpointOptions = {}): Record<string, unknown> {
  const tok = tinyTokenizerFiles(style);
  const common = {
    hidden_size: o.hiddenSize ?? 32,
    intermediate_size: o.intermediateSize ?? 48,
    num_hidden_layers: o.numLayers ?? 3,
    num_attention_heads: o.numHeads ?? 4,
    num_key_value_heads: o.numKvHeads ?? 2,
    hidden_act: 'silu',
    max_position_embeddings: 128,
    rms_norm_eps: 1e-6,
    torch_dtype: 'float32',
    bos_token_id: tok.special.bos,
    eos_token_id: tok.special.eos,
  };
  return style === 'llama'
    ? {
        architectures: ['LlamaForCausalLM'],
        model_type: 'llama',
        vocab_size: tok.size,
        ...common,
        rope_theta: 10000,
        tie_word_embeddings: false,
        attention_bias: false,
        rope_scaling: null,
      }
    : // Qwen2 pads its embedding matrix beyond the tokenizer's ids; so do we (rows nobody can encode).
      {
        architectures: ['Qwen2ForCausalLM'],
        model_type: 'qwen2',
        vocab_size: tok.size + 5,
        ...common,
        rope_theta: 1000000,
        tie_word_embeddings: true,
        use_sliding_window: false,
        sliding_window: 4096,
      };
}

/** Random float32 weights for every parameter of `config`, deterministic in `seed`. */
export function tinyWeights(config: ModelConfig, seed: number): Map<string, HostTensor> {
  const normal = gaussian(mulberry32(seed));
  const tensors = new Map<string, HostTensor>();
  for (const [name, shape] of expectedParameterShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (name.endsWith('norm.weight')) {
      for (let i = 0; i < size; i++) data[i] = 1 + 0.2 * normal();
    } else if (name.endsWith('.bias')) {
      for (let i = 0; i < size; i++) data[i] = 0.3 * normal();
    } else if (name === 'model.embed_tokens.weight') {
      for (let i = 0; i < size; i++) data[i] = normal();
    } else {
      const scale = 1 / Math.sqrt(shape[1] ?? 1); // keeps each projection's output O(1)
      for (let i = 0; i < size; i++) data[i] = scale * normal();
    }
    tensors.set(name, { shape, data });
  }
  return tensors;
}

/** Writes a tiny random checkpoint folder and returns what was written. */
export async function createTinyCheckpoint(options: TinyCheckpointOptions = {}): Promise<TinyCheckpoint> {
  const style = options.style ?? 'llama';
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), `tiny-${style}-`)));
  await mkdir(dir, { recursive: true });
  const rawConfig = tinyConfig(style, options);
  const config = parseModelConfig(rawConfig);
  const tensors = tinyWeights(config, options.seed ?? 1234);
  const tok = tinyTokenizerFiles(style);

  await writeFile(join(dir, 'config.json'), JSON.stringify(rawConfig, null, 2) + '\n');
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tok.tokenizerJson));
  await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(tok.tokenizerConfig, null, 2));
  const shards = options.shards ?? 1;
  if (shards <= 1) {
    await writeSafetensorsFile(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  } else {
    const names = [...tensors.keys()];
    const weightMap: Record<string, string> = {};
    for (let s = 0; s < shards; s++) {
      const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
      const part = new Map(names.filter((_, i) => i % shards === s).map((n) => [n, tensors.get(n)!] as const));
      for (const n of part.keys()) weightMap[n] = file;
      await writeSafetensorsFile(join(dir, file), part, { format: 'pt' });
    }
    const totalSize = names.reduce((acc, n) => acc + 4 * tensors.get(n)!.data.length, 0);
    await writeFile(
      join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2),
    );
  }
  return {
    dir,
    rawConfig,
    config,
    tensors,
    tokenizerJson: tok.tokenizerJson,
    tokenizerConfig: tok.tokenizerConfig,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
