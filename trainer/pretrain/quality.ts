// The base model's quality gates, measured on the world's own probes:
//   - fact recall: greedy generation from each recall probe's prompt, normalised exact match (trainer/eval) against
//     the true object, separately for templates seen with that fact in pretraining and for its held-out template;
//   - stopping: the share of probes whose generation ends with EOS right after the exact answer (the text before EOS
//     equals " <answer>", nothing else);
//   - perplexity of the held-out text (fact sentences never seen verbatim), per token, BOS/EOS framed like pretraining.

import type { RecallProbe } from '../basemodel/corpus-schemas.ts';
import { exactMatch } from '../eval/normalize.ts';
import { perplexity } from '../eval/metrics.ts';
import { generate } from '../generate.ts';
import type { LlamaModel } from '../model/llama.ts';
import type { HfTokenizer } from '../tokenizer/hf-tokenizer.ts';
import { padBatch } from './batches.ts';
import { batchNll } from './loss.ts';

export interface RecallScore {
  readonly probes: number;
  /** Share of probes answered exactly (normalised exact match). */
  readonly accuracy: number;
  /** Share of probes whose generation is exactly " <answer>" followed by EOS. */
  readonly stopsWithEos: number;
}

export interface RecallReport {
  readonly pretrain: RecallScore;
  readonly heldout: RecallScore;
  /** The first probe (in probe order) answered exactly and followed by EOS: a known-good usage example. */
  readonly firstHit?: { readonly prompt: string; readonly answer: string };
  /** A few wrong answers, for the log and the model card. */
  readonly misses: readonly { prompt: string; expected: string; generated: string; split: RecallProbe['split'] }[];
}

const BATCH = 64;

export async function measureRecall(
  model: LlamaModel,
  tokenizer: HfTokenizer,
  probes: readonly RecallProbe[],
  onProgress?: (done: number, total: number) => void,
): Promise<RecallReport> {
  const tally = { pretrain: { n: 0, ok: 0, eos: 0 }, heldout: { n: 0, ok: 0, eos: 0 } };
  const misses: RecallReport['misses'][number][] = [];
  let firstHit: RecallReport['firstHit'];
  for (let i = 0; i < probes.length; i += BATCH) {
    const part = probes.slice(i, i + BATCH);
    // Names are a few tokens; 16 is far beyond any answer, and "\n" never belongs to one.
    const out = await generate(
      model,
      tokenizer,
      part.map((p) => p.prompt),
      { maxNewTokens: 16, stop: ['\n'] },
    );
    out.forEach((g, j) => {
      const probe = part[j]!;
      const t = tally[probe.split];
      t.n++;
      const ok = exactMatch(g.text, probe.ground_truth);
      if (ok) t.ok++;
      else if (misses.length < 20)
        misses.push({ prompt: probe.prompt, expected: probe.ground_truth, generated: g.text, split: probe.split });
      if (g.finishReason === 'eos' && g.text === ` ${probe.ground_truth}`) {
        t.eos++;
        firstHit ??= { prompt: probe.prompt, answer: probe.ground_truth };
      }
    });
    onProgress?.(Math.min(i + BATCH, probes.length), probes.length);
  }
  const score = (t: { n: number; ok: number; eos: number }): RecallScore => ({
    probes: t.n,
    accuracy: t.n ? t.ok / t.n : NaN,
    stopsWithEos: t.n ? t.eos / t.n : NaN,
  });
  return { pretrain: score(tally.pretrain), heldout: score(tally.heldout), misses, ...(firstHit ? { firstHit } : {}) };
}

/** Per-token perplexity of `sequences` ([BOS, ..., EOS] token ids) under teacher forcing. */
export async function sequencePerplexity(
  model: LlamaModel,
  sequences: readonly (readonly number[])[],
  padId: number,
): Promise<{ perplexity: number; tokens: number; nll: number }> {
  let nll = 0;
  let tokens = 0;
  const sorted = [...sequences].sort((a, b) => a.length - b.length); // similar lengths -> little padding
  for (let i = 0; i < sorted.length; i += BATCH) {
    const r = await batchNll(model, padBatch(sorted.slice(i, i + BATCH), padId));
    nll += r.nll;
    tokens += r.tokens;
  }
  return { perplexity: perplexity(nll, tokens) ?? NaN, tokens, nll };
}
