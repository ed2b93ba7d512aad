// Model-side measurements evaluation is built from, each in batches:
// - greedy answers as the LocFT authors generate them: from the raw prompt, up to 32 new tokens, stopping at ".",
//   "\n" or EOS;
// - EasyEdit's teacher-forced predictions: feed prompt + " target" and take the argmax at each target position;
// - summed next-token negative log-likelihood of text (perplexity).
import { generate } from '../generate.ts';
import type { LlamaModel } from '../model/llama.ts';
import { createContext, tokenIds } from '../model/llama.ts';
import { tf } from '../runtime/backend.ts';
import { takeRows } from '../runtime/ops.ts';
import type { HfTokenizer } from '../tokenizer/hf-tokenizer.ts';
import { weightedCrossEntropy } from '../locft/cross-entropy.ts';
import { spacedTarget } from '../locft/encode.ts';
import { teacherForcedTokenAccuracy } from './metrics.ts';

export const AUTHORS_STOP = ['.', '\n'] as const;

export interface ProbeOptions {
  /** Prompts per forward batch. Default 32. */
  readonly batchSize?: number;
  /** Generation budget. Default 32 (the authors'). */
  readonly maxNewTokens?: number;
}

export async function greedyAnswers(
  model: LlamaModel,
  tokenizer: HfTokenizer,
  prompts: readonly string[],
  options: ProbeOptions = {},
): Promise<string[]> {
  const size = options.batchSize ?? 32;
  const out: string[] = [];
  for (let i = 0; i < prompts.length; i += size) {
    const gens = await generate(model, tokenizer, prompts.slice(i, i + size), {
      maxNewTokens: options.maxNewTokens ?? 32,
      stop: AUTHORS_STOP,
    });
    out.push(...gens.map((g) => g.text));
  }
  return out;
}

interface Scored {
  readonly ids: number[];
  /** Positions whose next-token prediction is scored, and the token expected there. */
  readonly positions: number[];
  readonly labels: number[];
}

/** Runs right-padded batches and hands back, per row, the hidden rows at its scored positions as [n, vocab] logits. */
async function scoreRows<T>(
  model: LlamaModel,
  rows: readonly Scored[],
  batchSize: number,
  use: (logits: tf.Tensor2D, batch: readonly Scored[], rowIndex: Int32Array) => Promise<T>,
): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < rows.length; start += batchSize) {
    const batch = rows.slice(start, start + batchSize);
    const seqLen = Math.max(...batch.map((r) => r.ids.length));
    const ids = tokenIds(
      batch.map((r) => [...r.ids, ...new Array<number>(seqLen - r.ids.length).fill(0)]),
      model.config.vocabSize,
    );
    const ctx = createContext(model.config, {
      attentionMask: batch.map((r) => [...r.ids.map(() => 1), ...new Array<number>(seqLen - r.ids.length).fill(0)]),
    });
    const flatRows = Int32Array.from(batch.flatMap((r, b) => r.positions.map((p) => b * seqLen + p)));
    const logits = tf.tidy(() => {
      const h = model.runLayers(model.embed(ids), 0, model.numLayers, ctx);
      const flat = tf.reshape<tf.Rank.R2>(h, [batch.length * seqLen, model.config.hiddenSize]);
      return model.logits(model.finalNorm(takeRows(flat, tf.tensor1d(flatRows, 'int32')))) as tf.Tensor2D;
    });
    try {
      results.push(await use(logits, batch, flatRows));
    } finally {
      tf.dispose([logits, ids]);
      ctx.dispose();
    }
  }
  return results;
}

/** EasyEdit's teacher-forced top-1 accuracy per (prompt, target): share of target tokens predicted by argmax. */
export async function teacherForcedAccuracy(
  model: LlamaModel,
  tokenizer: HfTokenizer,
  items: readonly { prompt: string; target: string }[],
  options: ProbeOptions = {},
): Promise<number[]> {
  const rows: Scored[] = items.map((it) => {
    const p = tokenizer.encode(it.prompt, { addSpecialTokens: true });
    const tgt = tokenizer.encode(spacedTarget(it.target), { addSpecialTokens: false });
    return { ids: [...p, ...tgt], positions: tgt.map((_, k) => p.length - 1 + k), labels: tgt };
  });
  const perBatch = await scoreRows(
    model,
    rows.filter((r) => r.labels.length > 0),
    options.batchSize ?? 32,
    async (logits, batch) => {
      const argmax = Array.from(await tf.tidy(() => tf.argMax(logits, -1)).data());
      const accs: number[] = [];
      let at = 0;
      for (const r of batch) {
        accs.push(teacherForcedTokenAccuracy(argmax.slice(at, at + r.labels.length), r.labels));
        at += r.labels.length;
      }
      return accs;
    },
  );
  // Items whose target encodes to nothing score 0 (no token can be right).
  const flat = perBatch.flat();
  let k = 0;
  return rows.map((r) => (r.labels.length > 0 ? flat[k++]! : 0));
}

/** Summed natural-log NLL of every next token of each line (with the tokenizer's special tokens) and the count. */
export async function textNll(
  model: LlamaModel,
  tokenizer: HfTokenizer,
  lines: readonly string[],
  options: ProbeOptions = {},
): Promise<{ nll: number; tokens: number }> {
  const rows: Scored[] = lines
    .map((l) => tokenizer.encode(l, { addSpecialTokens: true }))
    .filter((ids) => ids.length >= 2)
    .map((ids) => ({ ids: ids.slice(0, -1), positions: ids.slice(1).map((_, i) => i), labels: ids.slice(1) }));
  let nll = 0;
  let tokens = 0;
  await scoreRows(model, rows, options.batchSize ?? 16, async (logits, batch) => {
    const labels = batch.flatMap((r) => r.labels);
    const sum = tf.tidy(() => weightedCrossEntropy(logits, tf.tensor1d(labels, 'int32'), tf.ones([labels.length])));
    nll += (await sum.data())[0]!;
    sum.dispose();
    tokens += labels.length;
  });
  return { nll, tokens };
}
