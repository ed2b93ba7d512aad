// Text generation with a LlamaModel: greedy or sampled (temperature, top-p, seeded), batched prompts with LEFT
// padding (every row's newest token sits in the last column), a KV cache (or a full re-run per step, used by tests
// as the reference), stop strings, EOS and a token budget.
//
// Determinism: sampling draws from one seeded stream per prompt (seed, prompt index), on the host in float64 from
// the float32 logits, so a run is reproducible for a given backend, and a prompt's sample does not depend on what
// else is in the batch beyond float32 noise in the logits.

import { defineError } from '../domain/errors.ts';
import { mulberry32 } from './random/mulberry32.ts';
import { tf } from './runtime/backend.ts';
import { KVCache, createContext, tokenIds } from './model/llama.ts';
import type { LlamaModel } from './model/llama.ts';
import type { HfTokenizer } from './tokenizer/hf-tokenizer.ts';

export interface GenerateOptions {
  /** Upper bound on generated tokens per prompt (EOS included). Default 32. */
  readonly maxNewTokens?: number;
  /** 0 (default) = greedy (argmax, lowest id on ties). > 0 = sample from softmax(logits / temperature). */
  readonly temperature?: number;
  /** Nucleus sampling: sample among the most likely tokens whose probabilities sum to >= topP. Default 1. */
  readonly topP?: number;
  /** Seed of the sampling streams. Default 0. */
  readonly seed?: number;
  /** Generation for a prompt stops when its decoded continuation contains one of these; the text is cut before it. */
  readonly stop?: readonly string[];
  /** End-of-sequence ids. Default: the model config's eos_token_id(s) plus the tokenizer's eos token. [] = none. */
  readonly eosTokenIds?: readonly number[];
  /** Use the KV cache (default). false re-runs the whole sequence each step: slow, for checking the cache. */
  readonly useCache?: boolean;
  /** Encode prompts with the tokenizer's special tokens (e.g. BOS). Default true. */
  readonly addSpecialTokens?: boolean;
}

export type FinishReason = 'eos' | 'stop' | 'length';

export interface Generation {
  readonly prompt: string;
  /** Prompt token ids as fed to the model. */
  readonly promptIds: readonly number[];
  /** Generated ids, including the EOS or the token that completed a stop string. */
  readonly ids: readonly number[];
  /** Decoded continuation, without EOS / special tokens, cut before a stop string. */
  readonly text: string;
  readonly finishReason: FinishReason;
}

export class GenerateError extends defineError('generate_invalid', 'invalid_input', (message: string) => ({
  message,
})) {}

/** Generates a continuation for each prompt (batched). Call initBackend() first. */
export async function generate(
  model: LlamaModel,
  tokenizer: HfTokenizer,
  prompts: readonly string[],
  options: GenerateOptions = {},
): Promise<Generation[]> {
  const promptIds = prompts.map((p, i) => {
    const ids = tokenizer.encode(p, { addSpecialTokens: options.addSpecialTokens ?? true });
    if (ids.length === 0) throw new GenerateError(`prompts[${i}]: encodes to no tokens; give some text`);
    return ids;
  });
  const eos = new Set(options.eosTokenIds ?? model.config.eosTokenIds);
  if (options.eosTokenIds === undefined && tokenizer.eosTokenId !== null) eos.add(tokenizer.eosTokenId);
  const stops = (options.stop ?? []).filter((s) => s.length > 0);
  const decode = (ids: readonly number[]) =>
    tokenizer.decode(
      ids.filter((id) => !eos.has(id)),
      { skipSpecialTokens: true },
    );

  const results = await generateIds(model, promptIds, {
    ...options,
    eosTokenIds: [...eos],
    padTokenId: tokenizer.padTokenId ?? tokenizer.eosTokenId ?? 0,
    // A stop string ends a row as soon as the decoded continuation contains it.
    isStopped: stops.length ? (ids) => stops.some((s) => decode(ids).includes(s)) : undefined,
  });
  return results.map((r, i) => {
    let text = decode(r.ids);
    if (r.finishReason === 'stop') {
      const cut = Math.min(...stops.map((s) => text.indexOf(s)).filter((at) => at >= 0));
      text = text.slice(0, cut);
    }
    return { prompt: prompts[i]!, promptIds: promptIds[i]!, ids: r.ids, text, finishReason: r.finishReason };
  });
}

export interface GenerateIdsOptions extends GenerateOptions {
  /** Id used to fill left padding (its value never matters: padding is masked). Default 0. */
  readonly padTokenId?: number;
  /** Called after each new token of a row with that row's generated ids; true ends the row with reason 'stop'. */
  readonly isStopped?: (ids: readonly number[]) => boolean;
}

/** Token-level generation from prompt ids (no tokenizer). */
export async function generateIds(
  model: LlamaModel,
  prompts: readonly (readonly number[])[],
  options: GenerateIdsOptions = {},
): Promise<Array<{ ids: number[]; finishReason: FinishReason }>> {
  const maxNewTokens = options.maxNewTokens ?? 32;
  const temperature = options.temperature ?? 0;
  const topP = options.topP ?? 1;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0)
    throw new GenerateError(`maxNewTokens must be a non-negative integer, got ${maxNewTokens}`);
  if (!(temperature >= 0) || !Number.isFinite(temperature))
    throw new GenerateError(`temperature must be >= 0, got ${temperature}`);
  if (!(topP > 0 && topP <= 1)) throw new GenerateError(`topP must be in (0, 1], got ${topP}`);
  if (prompts.length === 0) return [];
  prompts.forEach((p, i) => {
    if (p.length === 0) throw new GenerateError(`prompts[${i}]: no tokens`);
  });

  const vocab = model.config.vocabSize;
  const eos = new Set(options.eosTokenIds ?? model.config.eosTokenIds);
  const pad = options.padTokenId ?? 0;
  const batch = prompts.length;
  const width = Math.max(...prompts.map((p) => p.length));
  // Left padding: row b = [pad x (width - len), prompt].
  let ids = prompts.map((p) => [...new Array<number>(width - p.length).fill(pad), ...p]);
  let mask = prompts.map((p) => [
    ...new Array<number>(width - p.length).fill(0),
    ...new Array<number>(p.length).fill(1),
  ]);
  const samplers = prompts.map((_, b) =>
    temperature > 0 ? makeSampler(options.seed ?? 0, b, temperature, topP) : undefined,
  );

  const generated: number[][] = prompts.map(() => []);
  const finish: (FinishReason | undefined)[] = prompts.map(() => (maxNewTokens === 0 ? 'length' : undefined));
  const cache = options.useCache === false ? undefined : new KVCache(model.numLayers, batch);
  // With a cache, step 0 feeds the prompts and later steps feed one column; without, every step feeds everything.
  let feedIds = ids;
  let feedMask = mask;
  try {
    while (finish.some((f) => f === undefined)) {
      const lastLogits = tf.tidy(() => {
        const ctx = createContext(model.config, { attentionMask: feedMask, cache }); // its tensors die with the tidy
        const h = model.hiddenStates(tokenIds(feedIds, vocab), ctx); // [batch, seq, hidden]
        const last = tf.slice(h, [0, ctx.seqLen - 1, 0], [batch, 1, h.shape[2]!]);
        return tf.reshape(model.logits(last), [batch, vocab]);
      });
      const logits = (await lastLogits.data()) as Float32Array;
      lastLogits.dispose();

      const next: number[] = [];
      const active = finish.map((f) => f === undefined);
      for (let b = 0; b < batch; b++) {
        if (finish[b] !== undefined) {
          next.push(pad); // finished rows keep moving in lockstep; their tokens are ignored and masked out
          continue;
        }
        const row = logits.subarray(b * vocab, (b + 1) * vocab);
        const token = samplers[b] ? samplers[b]!(row) : argmax(row);
        next.push(token);
        generated[b]!.push(token);
        if (eos.has(token)) finish[b] = 'eos';
        else if (options.isStopped?.(generated[b]!)) finish[b] = 'stop';
        else if (generated[b]!.length >= maxNewTokens) finish[b] = 'length';
      }
      const nextMask = active.map((a) => (a ? 1 : 0));
      ids = ids.map((row, b) => [...row, next[b]!]);
      mask = mask.map((row, b) => [...row, nextMask[b]!]);
      feedIds = cache ? next.map((t) => [t]) : ids;
      feedMask = cache ? nextMask.map((m) => [m]) : mask;
    }
  } finally {
    cache?.dispose();
  }
  return generated.map((g, b) => ({ ids: g, finishReason: finish[b]! }));
}

/** Index of the largest logit; the lowest index wins ties (as torch.argmax). */
export function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

/** A seeded sampler for one prompt: softmax(logits / T), restricted to the top-p nucleus. */
export function makeSampler(
  seed: number,
  stream: number,
  temperature: number,
  topP: number,
): (logits: Float32Array) => number {
  const random = seededRandom(seed, stream);
  return (logits) => {
    let max = -Infinity;
    for (const l of logits) if (l > max) max = l;
    const weights = new Float64Array(logits.length);
    let total = 0;
    for (let i = 0; i < logits.length; i++) total += weights[i] = Math.exp((logits[i]! - max) / temperature);
    // Nucleus: most likely first (lowest id first among equals), keep until the mass reaches topP.
    const order = Array.from(weights.keys()).filter((i) => weights[i]! > 0);
    order.sort((a, b) => weights[b]! - weights[a]! || a - b);
    let kept = 0;
    let mass = 0;
    while (kept < order.length && (kept === 0 || mass < topP * total)) mass += weights[order[kept++]!]!;
    let r = random() * mass;
    for (let k = 0; k < kept; k++) {
      r -= weights[order[k]!]!;
      if (r < 0) return order[k]!;
    }
    return order[kept - 1]!;
  };
}

/** Uniform [0, 1) numbers from (seed, stream): SplitMix32-style seeding of a mulberry32 generator. */
export function seededRandom(seed: number, stream: number): () => number {
  return mulberry32(mix32((mix32(seed >>> 0) ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0));
}

function mix32(x: number): number {
  let z = (x + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}
