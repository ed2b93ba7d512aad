// A Hugging Face checkpoint folder, read and written in the layout transformers uses:
//
//   config.json                      model hyper-parameters (see trainer/model/config.ts)
//   model.safetensors                all weights in one file, or
//   model.safetensors.index.json     { "metadata": {...}, "weight_map": { "<tensor>": "<shard file>" } } + shards
//   tokenizer.json                   the fast-tokenizer definition (@huggingface/tokenizers)
//   tokenizer_config.json            special tokens and flags
//
// Weights are loaded as float32 whatever their stored dtype (F32/F16/BF16) and checked against the names and shapes
// the config implies. Written checkpoints are always float32 in a single model.safetensors, with tokenizer files
// copied byte for byte, so writing the same tensors twice gives identical files (and the same checkpointHash).

import { defineError } from '../../domain/errors.ts';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { expectedParameterShapes, parseHfConfig, toModelConfig } from '../model/config.ts';
import type { HfConfig, ModelConfig } from '../model/config.ts';
import { readSafetensorsFile, writeSafetensorsFile } from './safetensors.ts';
import type { HostTensor } from './safetensors.ts';

export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'model.safetensors';
export const WEIGHTS_INDEX_FILE = 'model.safetensors.index.json';
export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';
/** Copied along when present, but not part of checkpointHash (they do not change the weights or the tokenization). */
const AUXILIARY_FILES = ['generation_config.json', 'special_tokens_map.json'] as const;

export interface HfCheckpoint {
  readonly dir: string;
  /** config.json exactly as parsed (unknown fields kept); written back as is. */
  readonly rawConfig: Readonly<Record<string, unknown>>;
  readonly hfConfig: HfConfig;
  readonly config: ModelConfig;
  /** Every parameter the architecture needs, float32, keyed by HF name. */
  readonly tensors: Map<string, HostTensor>;
}

export class CheckpointError extends defineError('checkpoint_invalid', 'invalid_input', (message: string) => ({
  message,
})) {}

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CheckpointError(`${path}: cannot read (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CheckpointError(`${path}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads and validates config.json of a checkpoint folder. */
export async function readCheckpointConfig(
  dir: string,
): Promise<{ raw: Record<string, unknown>; hf: HfConfig; config: ModelConfig }> {
  const path = join(dir, CONFIG_FILE);
  const raw = await readJson(path);
  if (!isRecord(raw)) throw new CheckpointError(`${path}: must be a JSON object`);
  const hf = parseHfConfig(raw, path);
  return { raw, hf, config: toModelConfig(hf) };
}

/**
 * The weight files of a folder: model.safetensors, else the shards of model.safetensors.index.json (validated), in a
 * fixed order. When both exist the single file wins, as in transformers.
 */
export async function weightFiles(
  dir: string,
): Promise<{ index: string | null; shards: string[]; weightMap: Map<string, string> | null }> {
  if (await exists(join(dir, WEIGHTS_FILE))) return { index: null, shards: [WEIGHTS_FILE], weightMap: null };
  const indexPath = join(dir, WEIGHTS_INDEX_FILE);
  if (!(await exists(indexPath))) {
    throw new CheckpointError(
      `${dir}: no ${WEIGHTS_FILE} and no ${WEIGHTS_INDEX_FILE}; not a safetensors checkpoint folder`,
    );
  }
  const index = await readJson(indexPath);
  if (!isRecord(index) || !isRecord(index['weight_map'])) {
    throw new CheckpointError(`${indexPath}: "weight_map" must be an object of tensor name -> shard file`);
  }
  const weightMap = new Map<string, string>();
  for (const [name, file] of Object.entries(index['weight_map'])) {
    if (typeof file !== 'string' || file.length === 0 || basename(file) !== file) {
      throw new CheckpointError(
        `${indexPath}: weight_map["${name}"] must be a file name in the same folder, found ${JSON.stringify(file)}`,
      );
    }
    weightMap.set(name, file);
  }
  const shards = [...new Set(weightMap.values())].sort();
  for (const shard of shards) {
    if (!(await exists(join(dir, shard))))
      throw new CheckpointError(`${indexPath}: shard "${shard}" is listed but missing from ${dir}`);
  }
  return { index: WEIGHTS_INDEX_FILE, shards, weightMap };
}

/** Tensors a loader may meet but must ignore: rotary caches some exporters saved. */
function isIgnorableBuffer(name: string): boolean {
  return name.endsWith('.rotary_emb.inv_freq');
}

/** Reads a checkpoint folder: config, all weights as float32, validated against the config. */
export async function readHfCheckpoint(dir: string): Promise<HfCheckpoint> {
  const { raw, hf, config } = await readCheckpointConfig(dir);
  const { shards, weightMap } = await weightFiles(dir);
  const tensors = new Map<string, HostTensor>();
  for (const shard of shards) {
    const path = join(dir, shard);
    const contents = await readSafetensorsFile(path);
    for (const [name, tensor] of contents.tensors) {
      if (weightMap && weightMap.get(name) !== shard) {
        throw new CheckpointError(
          `${path}: holds tensor "${name}" but ${WEIGHTS_INDEX_FILE} maps it to ${JSON.stringify(weightMap.get(name) ?? null)}`,
        );
      }
      if (tensors.has(name)) throw new CheckpointError(`${path}: tensor "${name}" appears in more than one shard`);
      tensors.set(name, tensor);
    }
  }
  if (weightMap) {
    for (const [name, shard] of weightMap) {
      if (!tensors.has(name))
        throw new CheckpointError(
          `${join(dir, shard)}: ${WEIGHTS_INDEX_FILE} lists tensor "${name}" but the shard does not hold it`,
        );
    }
  }
  validateTensors(tensors, config, dir);
  return { dir, rawConfig: raw, hfConfig: hf, config, tensors };
}

/**
 * Checks names and shapes against the config. Drops what HF itself ignores: rotary caches and, for tied
 * embeddings, a stored lm_head.weight (transformers re-ties it to embed_tokens on load).
 */
export function validateTensors(tensors: Map<string, HostTensor>, config: ModelConfig, where: string): void {
  const expected = expectedParameterShapes(config);
  for (const name of [...tensors.keys()]) {
    if (expected.has(name)) continue;
    if (isIgnorableBuffer(name) || (config.tieWordEmbeddings && name === 'lm_head.weight')) {
      tensors.delete(name);
      continue;
    }
    throw new CheckpointError(
      `${where}: unexpected tensor "${name}" for a ${config.modelType} model with this config (check num_hidden_layers, attention_bias, tie_word_embeddings)`,
    );
  }
  for (const [name, shape] of expected) {
    const t = tensors.get(name);
    if (!t) throw new CheckpointError(`${where}: missing tensor "${name}" (expected shape [${shape.join(', ')}])`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new CheckpointError(
        `${where}: tensor "${name}" has shape [${t.shape.join(', ')}] but the config implies [${shape.join(', ')}]`,
      );
    }
  }
}

export interface WriteCheckpointInput {
  /** config.json content; written as given except torch_dtype/dtype, which become "float32". */
  readonly rawConfig: Readonly<Record<string, unknown>>;
  readonly tensors: ReadonlyMap<string, HostTensor>;
  /** Folder to copy tokenizer.json, tokenizer_config.json (required) and auxiliary files from, byte for byte. */
  readonly tokenizerFrom: string;
}

/**
 * Writes a float32 single-file checkpoint to `dir` (created if needed) after validating the tensors against the
 * config. Returns checkpointHash(dir).
 */
export async function writeHfCheckpoint(dir: string, input: WriteCheckpointInput): Promise<string> {
  const hf = parseHfConfig(input.rawConfig, `${dir}/${CONFIG_FILE} (to write)`);
  const config = toModelConfig(hf);
  const tensors = new Map(input.tensors);
  validateTensors(tensors, config, `${dir} (to write)`);

  await mkdir(dir, { recursive: true });
  const rawConfig: Record<string, unknown> = { ...input.rawConfig };
  for (const key of ['torch_dtype', 'dtype']) if (key in rawConfig) rawConfig[key] = 'float32';
  await writeFile(join(dir, CONFIG_FILE), JSON.stringify(rawConfig, null, 2) + '\n');
  await writeSafetensorsFile(join(dir, WEIGHTS_FILE), tensors, { format: 'pt' });
  for (const file of [TOKENIZER_FILE, TOKENIZER_CONFIG_FILE]) {
    const from = join(input.tokenizerFrom, file);
    if (!(await exists(from))) throw new CheckpointError(`${input.tokenizerFrom}: missing ${file} to copy`);
    await copyFile(from, join(dir, file));
  }
  for (const file of AUXILIARY_FILES) {
    const from = join(input.tokenizerFrom, file);
    if (await exists(from)) await copyFile(from, join(dir, file));
  }
  return checkpointHash(dir);
}

/**
 * The files that define a model: config.json, the weights (model.safetensors, or the index plus every shard it
 * lists), tokenizer.json and tokenizer_config.json. Auxiliary files (generation_config.json, special_tokens_map.json,
 * READMEs) do not count. Sorted by name.
 */
export async function definingFiles(dir: string): Promise<string[]> {
  const { index, shards } = await weightFiles(dir);
  const files = [CONFIG_FILE, TOKENIZER_FILE, TOKENIZER_CONFIG_FILE, ...shards, ...(index ? [index] : [])];
  for (const f of files) {
    if (!(await exists(join(dir, f)))) throw new CheckpointError(`${dir}: missing ${f}`);
  }
  return files.sort();
}

/**
 * sha256 over a canonical listing of definingFiles(dir): one line "<sha256 of file bytes>  <file name>\n" per file,
 * sorted by file name (the `sha256sum` format). Depends only on those files' bytes and names, not on timestamps,
 * other files or the folder path. Returned as lowercase hex.
 */
export async function checkpointHash(dir: string): Promise<string> {
  return createHash('sha256')
    .update(await checkpointListing(dir))
    .digest('hex');
}

/** The listing `checkpointHash` hashes (`sha256sum` format over definingFiles). */
export async function checkpointListing(dir: string): Promise<string> {
  const listing: string[] = [];
  for (const file of await definingFiles(dir)) {
    listing.push(`${await sha256File(join(dir, file))}  ${file}\n`);
  }
  return listing.join('');
}

/** Streams the file (weights can exceed what readFile accepts, 2 GiB). */
export async function sha256File(path: string): Promise<string> {
  const digest = createHash('sha256');
  for await (const chunk of createReadStream(path)) digest.update(chunk as Buffer);
  return digest.digest('hex');
}
