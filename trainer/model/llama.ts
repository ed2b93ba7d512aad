// The Llama-family decoder (Llama, Mistral, Qwen2) in TensorFlow.js, readable top to bottom:
//
//   ids -> embed_tokens -> N x [ h += attention(input_layernorm(h)) ; h += mlp(post_attention_layernorm(h)) ]
//       -> norm -> lm_head (or the embedding matrix when tied) -> logits
//
// Conventions follow Hugging Face transformers exactly, so a checkpoint behaves as in PyTorch:
// - Parameter names are HF's (model.layers.{i}.mlp.down_proj.weight, ...). Weights live in a Map looked up by name on
//   every call, so a trainer can replace one entry with a tf.Variable and the model uses it from then on.
// - Linear weights are [out, in] (nn.Linear) and applied as x·wᵀ + b through ops.linear (fast gradient on wasm).
// - RMSNorm: x / sqrt(mean(x²) + eps) * w.
// - Rotary embeddings in the rotate-half convention: the head dimension is split into halves [x1, x2] and
//   rope(x) = x·cos + [-x2, x1]·sin, with angle(pos, k) = pos / theta^(2k/headDim) for k < headDim/2, repeated for
//   both halves. The tables come from rope.ts (shared with the host step engine).
// - Grouped-query attention: query head h uses key/value head floor(h / (numHeads / numKvHeads)), as HF's repeat_kv.
// - SwiGLU MLP: down_proj(silu(gate_proj(x)) * up_proj(x)).
//
// Padding (see createContext in context.ts): a batch is a [batch, seq] grid with an attention mask (1 = token, 0 = padding).
// Position ids are the count of real tokens before each token, so a padded row gets exactly the positions it would
// have unpadded. Use RIGHT padding for training (the real tokens of every row start at column 0) and LEFT padding
// for batched generation (every row's newest token is in the last column, where the next-token logits are read).
//
// Memory (wasm backend: one linear memory of at most 4 GB for all tensors): a 0.5B-parameter model is ~2 GB of
// float32 weights. The vocabulary projection is the largest single product (rows x vocab); logits() computes it in
// slices of the output matrix so no temporary copy of the whole [vocab, hidden] matrix is ever made (ops.linear
// transposes its weight on plain wasm). Its output is still rows x vocab floats: 1 row of Qwen2's 151936 entries is
// 0.6 MB, 1000 rows 0.6 GB. Read logits only for the rows you need (the last column in generation, target rows in
// training). Each layer's intermediates are released as soon as the layer is done (tidy per layer).

import { tf } from '../runtime/backend.ts';
import { embed as embedRows, linear, linearFrozen, sliceLastDim } from '../runtime/ops.ts';
import { readHfCheckpoint } from '../checkpoint/hf-checkpoint.ts';
import type { HostTensor } from '../checkpoint/safetensors.ts';
import { expectedParameterShapes } from './config.ts';
import type { ModelConfig } from './config.ts';
import type { ForwardContext } from './context.ts';

type Tensor = tf.Tensor;

/** Vocabulary projections above this many weight elements (64 MB of float32) are computed in slices. */
export const DEFAULT_VOCAB_SLICE_ELEMENTS = 16 * 1024 * 1024;

export interface LlamaModelOptions {
  /** Largest slice of the [vocab, hidden] output matrix multiplied at once by logits(). */
  readonly vocabSliceElements?: number;
}

// The context and the cache live in their own files; re-exported so that callers import the model in one place.
export { KVCache } from './kv-cache.ts';
export { createContext, tokenIds } from './context.ts';
export type { ContextOptions, ForwardContext } from './context.ts';

/**
 * Trainable weights are tf.Variables (a trainer swaps one in by name); every other weight is frozen, and its
 * projection skips the weight gradient nobody reads (see linearFrozen).
 */
function projectionFor(w: Tensor): typeof linear {
  return w instanceof tf.Variable ? linear : linearFrozen;
}

export class LlamaModel {
  /**
   * @param weights every parameter by HF name (validated against the config); the model reads this map on every
   *   call and never copies it, so replacing an entry (e.g. with a tf.Variable of the same shape) takes effect.
   */
  private readonly vocabSliceElements: number;

  constructor(
    readonly config: ModelConfig,
    readonly weights: Map<string, Tensor>,
    options: LlamaModelOptions = {},
  ) {
    this.vocabSliceElements = options.vocabSliceElements ?? DEFAULT_VOCAB_SLICE_ELEMENTS;
    for (const [name, shape] of expectedParameterShapes(config)) {
      const w = weights.get(name);
      if (!w) throw new Error(`LlamaModel: missing weight "${name}" [${shape.join(', ')}]`);
      if (w.shape.join() !== shape.join())
        throw new Error(
          `LlamaModel: weight "${name}" has shape [${w.shape.join(', ')}], expected [${shape.join(', ')}]`,
        );
      if (w.dtype !== 'float32') throw new Error(`LlamaModel: weight "${name}" must be float32, got ${w.dtype}`);
    }
  }

  /** Uploads host tensors (e.g. a read checkpoint) to the active backend. */
  static fromHostTensors(
    config: ModelConfig,
    tensors: ReadonlyMap<string, HostTensor>,
    options: LlamaModelOptions = {},
  ): LlamaModel {
    const weights = new Map<string, Tensor>();
    for (const name of expectedParameterShapes(config).keys()) {
      const t = tensors.get(name);
      if (!t) throw new Error(`LlamaModel: missing weight "${name}"`);
      weights.set(name, tf.tensor(t.data, [...t.shape], 'float32'));
    }
    return new LlamaModel(config, weights, options);
  }

  get numLayers(): number {
    return this.config.numLayers;
  }

  /** The current tensor for an HF parameter name. */
  param(name: string): Tensor {
    const w = this.weights.get(name);
    if (!w) throw new Error(`LlamaModel: no parameter "${name}"`);
    return w;
  }

  private linear(x: Tensor, prefix: string, withBias: boolean): Tensor {
    const w = this.param(`${prefix}.weight`) as tf.Tensor2D;
    const project = projectionFor(w);
    return withBias ? project(x, w, this.param(`${prefix}.bias`) as tf.Tensor1D) : project(x, w);
  }

  private rmsNorm(x: Tensor, weightName: string): Tensor {
    const meanSquare = tf.mean(tf.square(x), -1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, this.config.rmsNormEps))), this.param(weightName));
  }

  /** Token embeddings, int32 ids [batch, seq] -> [batch, seq, hidden]. */
  embed(ids: Tensor): Tensor {
    return embedRows(ids, this.param('model.embed_tokens.weight') as tf.Tensor2D);
  }

  /** x·cos + rotate_half(x)·sin for x [batch, heads, seq, headDim], rotate_half([x1, x2]) = [-x2, x1]. */
  private rope(x: Tensor, ctx: ForwardContext): Tensor {
    const half = this.config.headDim / 2;
    const rotated = tf.concat([tf.neg(sliceLastDim(x, half, half)), sliceLastDim(x, 0, half)], -1);
    return tf.add(tf.mul(x, ctx.cos), tf.mul(rotated, ctx.sin));
  }

  /** [batch, seq, heads*headDim] -> [batch, heads, seq, headDim]. */
  private splitHeads(x: Tensor, heads: number, ctx: ForwardContext): Tensor {
    return tf.transpose(tf.reshape(x, [ctx.batch, ctx.seqLen, heads, this.config.headDim]), [0, 2, 1, 3]);
  }

  /** Layer i's self-attention sub-block: returns the residual stream after it, h + o_proj(attention(norm(h))). */
  attentionBlock(i: number, h: Tensor, ctx: ForwardContext): Tensor {
    const c = this.config;
    const p = `model.layers.${i}.self_attn`;
    const { batch, seqLen } = ctx;
    const groups = c.numHeads / c.numKvHeads;
    const x = this.rmsNorm(h, `model.layers.${i}.input_layernorm.weight`);

    // Scaling q by 1/sqrt(headDim) before the product equals scaling the scores (and is cheaper).
    const q = tf.mul(
      this.rope(this.splitHeads(this.linear(x, `${p}.q_proj`, c.qkvBias), c.numHeads, ctx), ctx),
      1 / Math.sqrt(c.headDim),
    );
    let k = this.rope(this.splitHeads(this.linear(x, `${p}.k_proj`, c.qkvBias), c.numKvHeads, ctx), ctx);
    let v = this.splitHeads(this.linear(x, `${p}.v_proj`, c.qkvBias), c.numKvHeads, ctx);
    if (ctx.cache) ({ k, v } = ctx.cache.append(i, k, v, ctx.pastLen));
    const total = ctx.pastLen + seqLen;

    // GQA without copying k/v per query head: the `groups` query heads sharing a kv head are stacked along the
    // sequence axis, [batch, kvHeads, groups*seq, headDim], and multiplied with that kv head in one product.
    const qGrouped = tf.reshape(q, [batch, c.numKvHeads, groups * seqLen, c.headDim]);
    const scores = tf.matMul(qGrouped, tf.transpose(k, [0, 1, 3, 2])); // [batch, kvHeads, groups*seq, total]
    const masked = tf.add(tf.reshape(scores, [batch, c.numHeads, seqLen, total]), ctx.attentionBias);
    const probs = tf.reshape(tf.softmax(masked, -1), [batch, c.numKvHeads, groups * seqLen, total]);
    const attended = tf.reshape(tf.matMul(probs, v), [batch, c.numHeads, seqLen, c.headDim]);
    const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [batch, seqLen, c.numHeads * c.headDim]);
    return tf.add(h, this.linear(merged, `${p}.o_proj`, c.oBias));
  }

  /** Layer i's MLP up to the input of down_proj: silu(gate_proj(n)) * up_proj(n), n = post_attention_layernorm(h). */
  mlpHidden(i: number, h: Tensor): Tensor {
    const p = `model.layers.${i}.mlp`;
    const x = this.rmsNorm(h, `model.layers.${i}.post_attention_layernorm.weight`);
    const gate = this.linear(x, `${p}.gate_proj`, false);
    const silu = tf.mul(gate, tf.sigmoid(gate));
    return tf.mul(silu, this.linear(x, `${p}.up_proj`, false));
  }

  /** Layer i's down_proj applied to mlpHidden's output: the MLP's contribution to the residual stream. */
  mlpOut(i: number, hidden: Tensor): Tensor {
    return this.linear(hidden, `model.layers.${i}.mlp.down_proj`, false);
  }

  /** One decoder layer: attention block, then h + mlpOut(mlpHidden(h)). */
  layer(i: number, h: Tensor, ctx: ForwardContext): Tensor {
    const afterAttention = this.attentionBlock(i, h, ctx);
    return tf.add(afterAttention, this.mlpOut(i, this.mlpHidden(i, afterAttention)));
  }

  /** Layers from..to-1 on the residual stream h [batch, seq, hidden]. Each layer's temporaries are freed on exit. */
  runLayers(h: Tensor, from: number, to: number, ctx: ForwardContext): Tensor {
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > this.numLayers || from > to) {
      throw new Error(`runLayers: invalid layer range [${from}, ${to}) for ${this.numLayers} layers`);
    }
    let x = h;
    for (let i = from; i < to; i++) {
      const input = x;
      x = tf.tidy(() => this.layer(i, input, ctx));
      if (input !== h) input.dispose();
    }
    return x;
  }

  /** The final RMSNorm (model.norm). */
  finalNorm(h: Tensor): Tensor {
    return this.rmsNorm(h, 'model.norm.weight');
  }

  /** The output projection matrix [vocab, hidden]: lm_head.weight, or the embedding matrix when tied. */
  lmHeadWeight(): tf.Tensor2D {
    return this.param(this.config.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight') as tf.Tensor2D;
  }

  /**
   * Vocabulary logits for final-normed hidden states of any shape [..., hidden] -> [..., vocab] (e.g. only the
   * gathered target rows). Large vocabularies are projected in slices of the weight (see the header comment).
   */
  logits(h: Tensor): Tensor {
    const w = this.lmHeadWeight();
    const [vocab, hidden] = w.shape;
    const project = projectionFor(w);
    if (vocab * hidden <= this.vocabSliceElements) return project(h, w);
    const sliceRows = Math.max(1, Math.floor(this.vocabSliceElements / hidden));
    const parts: Tensor[] = [];
    for (let start = 0; start < vocab; start += sliceRows) {
      const rows = Math.min(sliceRows, vocab - start);
      parts.push(tf.tidy(() => project(h, tf.slice(w, [start, 0], [rows, hidden]))));
    }
    const out = tf.concat(parts, -1);
    tf.dispose(parts);
    return out;
  }

  /** Final-normed hidden states for token ids [batch, seq] -> [batch, seq, hidden]. */
  hiddenStates(ids: Tensor, ctx: ForwardContext): Tensor {
    return tf.tidy(() => this.finalNorm(this.runLayers(this.embed(ids), 0, this.numLayers, ctx)));
  }

  /** Logits for every position: int32 ids [batch, seq] -> [batch, seq, vocab]. */
  forward(ids: Tensor, ctx: ForwardContext): Tensor {
    return tf.tidy(() => this.logits(this.hiddenStates(ids, ctx)));
  }

  /** Frees every weight tensor. */
  dispose(): void {
    tf.dispose([...this.weights.values()]);
    this.weights.clear();
  }
}

/** Reads a checkpoint folder and uploads it to the active backend (call initBackend() first). */
export async function loadLlamaModel(dir: string, options: LlamaModelOptions = {}): Promise<LlamaModel> {
  const checkpoint = await readHfCheckpoint(dir);
  return LlamaModel.fromHostTensors(checkpoint.config, checkpoint.tensors, options);
}
