// The Hugging Face config.json of a Llama-family decoder (LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM),
// validated with zod, and the normalised ModelConfig the runtime uses (defaults filled in, derived sizes computed).
//
// Defaults follow transformers' LlamaConfig/MistralConfig/Qwen2Config for the fields those classes default.
// Unknown fields are kept (configs carry many we do not need). Features that would change the maths but are not
// implemented (rope_scaling, mlp_bias, non-SiLU activations) are rejected by name rather than silently ignored.

import { z } from 'zod';

export const SUPPORTED_MODEL_TYPES = ['llama', 'mistral', 'qwen2'] as const;

const positiveInt = z.int().positive();
const tokenId = z.int().nonnegative();

export const HfConfigSchema = z
  .object({
    model_type: z.enum(SUPPORTED_MODEL_TYPES, {
      error: (issue) =>
        `model_type must be one of ${SUPPORTED_MODEL_TYPES.join(', ')}, found ${JSON.stringify(issue.input)}`,
    }),
    architectures: z.array(z.string()).optional(),
    vocab_size: positiveInt,
    hidden_size: positiveInt,
    intermediate_size: positiveInt,
    num_hidden_layers: positiveInt,
    num_attention_heads: positiveInt,
    num_key_value_heads: positiveInt.nullish(),
    head_dim: positiveInt.nullish(),
    hidden_act: z.literal('silu', { error: 'hidden_act must be "silu" (SwiGLU MLP)' }).default('silu'),
    rms_norm_eps: z.number().positive().default(1e-6),
    rope_theta: z.number().positive().default(10000),
    rope_scaling: z
      .null({ error: 'rope_scaling is not supported (only plain RoPE); it must be null or absent' })
      .optional(),
    max_position_embeddings: positiveInt,
    tie_word_embeddings: z.boolean().default(false),
    attention_bias: z.boolean().default(false),
    mlp_bias: z.literal(false, { error: 'mlp_bias: true is not supported' }).optional(),
    sliding_window: positiveInt.nullish(),
    use_sliding_window: z.boolean().optional(),
    bos_token_id: tokenId.nullish(),
    eos_token_id: z.union([tokenId, z.array(tokenId)]).nullish(),
    pad_token_id: tokenId.nullish(),
  })
  .loose()
  .superRefine((c, ctx) => {
    const kvHeads = c.num_key_value_heads ?? c.num_attention_heads;
    if (c.num_attention_heads % kvHeads !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['num_key_value_heads'],
        message: `num_attention_heads (${c.num_attention_heads}) must be a multiple of num_key_value_heads (${kvHeads})`,
      });
    }
    if (c.head_dim == null && c.hidden_size % c.num_attention_heads !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['hidden_size'],
        message: `hidden_size (${c.hidden_size}) must be a multiple of num_attention_heads (${c.num_attention_heads}) when head_dim is absent`,
      });
    }
    const headDim = c.head_dim ?? Math.floor(c.hidden_size / c.num_attention_heads);
    if (headDim % 2 !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['head_dim'],
        message: `head_dim (${headDim}) must be even for rotary embeddings`,
      });
    }
    for (const field of ['bos_token_id', 'pad_token_id'] as const) {
      const id = c[field];
      if (id != null && id >= c.vocab_size) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `${field} ${id} is outside the vocabulary (vocab_size ${c.vocab_size})`,
        });
      }
    }
    const eos = c.eos_token_id == null ? [] : Array.isArray(c.eos_token_id) ? c.eos_token_id : [c.eos_token_id];
    if (eos.some((id) => id >= c.vocab_size)) {
      ctx.addIssue({
        code: 'custom',
        path: ['eos_token_id'],
        message: `eos_token_id ${JSON.stringify(c.eos_token_id)} is outside the vocabulary (vocab_size ${c.vocab_size})`,
      });
    }
  });

/** config.json as validated (snake_case, as Hugging Face writes it). */
export type HfConfig = z.infer<typeof HfConfigSchema>;

/** What the runtime needs, with defaults applied and derived sizes computed. */
export interface ModelConfig {
  readonly modelType: (typeof SUPPORTED_MODEL_TYPES)[number];
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly numKvHeads: number;
  readonly headDim: number;
  readonly rmsNormEps: number;
  readonly ropeTheta: number;
  readonly maxPositionEmbeddings: number;
  readonly tieWordEmbeddings: boolean;
  /** q_proj/k_proj/v_proj carry a bias: always for Qwen2, or Llama/Mistral with attention_bias. */
  readonly qkvBias: boolean;
  /** o_proj carries a bias: Llama/Mistral with attention_bias (Qwen2's o_proj never has one). */
  readonly oBias: boolean;
  /** Sequences longer than this would need sliding-window attention, which is not implemented (null: no limit). */
  readonly slidingWindow: number | null;
  readonly bosTokenId: number | null;
  /** All end-of-sequence ids (HF allows a list). */
  readonly eosTokenIds: readonly number[];
  readonly padTokenId: number | null;
}

export class ModelConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelConfigError';
  }
}

/** Validates a parsed config.json; errors name the file and every offending field. */
export function parseHfConfig(json: unknown, source = 'config.json'): HfConfig {
  const result = HfConfigSchema.safeParse(json);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => {
    const field = i.path.length ? i.path.join('.') : '(root)';
    return `${field}: ${i.message}`;
  });
  throw new ModelConfigError(`${source}: invalid model config: ${lines.join('; ')}`);
}

export function toModelConfig(c: HfConfig): ModelConfig {
  const isQwen2 = c.model_type === 'qwen2';
  const slidingWindow = isQwen2
    ? c.use_sliding_window
      ? (c.sliding_window ?? null)
      : null
    : (c.sliding_window ?? null);
  return {
    modelType: c.model_type,
    vocabSize: c.vocab_size,
    hiddenSize: c.hidden_size,
    intermediateSize: c.intermediate_size,
    numLayers: c.num_hidden_layers,
    numHeads: c.num_attention_heads,
    numKvHeads: c.num_key_value_heads ?? c.num_attention_heads,
    headDim: c.head_dim ?? c.hidden_size / c.num_attention_heads,
    rmsNormEps: c.rms_norm_eps,
    ropeTheta: c.rope_theta,
    maxPositionEmbeddings: c.max_position_embeddings,
    tieWordEmbeddings: c.tie_word_embeddings,
    qkvBias: isQwen2 || c.attention_bias,
    oBias: !isQwen2 && c.attention_bias,
    slidingWindow,
    bosTokenId: c.bos_token_id ?? null,
    eosTokenIds: c.eos_token_id == null ? [] : Array.isArray(c.eos_token_id) ? c.eos_token_id : [c.eos_token_id],
    padTokenId: c.pad_token_id ?? null,
  };
}

/** parseHfConfig + toModelConfig. */
export function parseModelConfig(json: unknown, source = 'config.json'): ModelConfig {
  return toModelConfig(parseHfConfig(json, source));
}

/** Names and shapes of every parameter the architecture expects, in HF naming. */
export function expectedParameterShapes(c: ModelConfig): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  const qDim = c.numHeads * c.headDim;
  const kvDim = c.numKvHeads * c.headDim;
  shapes.set('model.embed_tokens.weight', [c.vocabSize, c.hiddenSize]);
  for (let i = 0; i < c.numLayers; i++) {
    const p = `model.layers.${i}`;
    shapes.set(`${p}.input_layernorm.weight`, [c.hiddenSize]);
    shapes.set(`${p}.self_attn.q_proj.weight`, [qDim, c.hiddenSize]);
    shapes.set(`${p}.self_attn.k_proj.weight`, [kvDim, c.hiddenSize]);
    shapes.set(`${p}.self_attn.v_proj.weight`, [kvDim, c.hiddenSize]);
    shapes.set(`${p}.self_attn.o_proj.weight`, [c.hiddenSize, qDim]);
    if (c.qkvBias) {
      shapes.set(`${p}.self_attn.q_proj.bias`, [qDim]);
      shapes.set(`${p}.self_attn.k_proj.bias`, [kvDim]);
      shapes.set(`${p}.self_attn.v_proj.bias`, [kvDim]);
    }
    if (c.oBias) shapes.set(`${p}.self_attn.o_proj.bias`, [c.hiddenSize]);
    shapes.set(`${p}.post_attention_layernorm.weight`, [c.hiddenSize]);
    shapes.set(`${p}.mlp.gate_proj.weight`, [c.intermediateSize, c.hiddenSize]);
    shapes.set(`${p}.mlp.up_proj.weight`, [c.intermediateSize, c.hiddenSize]);
    shapes.set(`${p}.mlp.down_proj.weight`, [c.hiddenSize, c.intermediateSize]);
  }
  shapes.set('model.norm.weight', [c.hiddenSize]);
  if (!c.tieWordEmbeddings) shapes.set('lm_head.weight', [c.vocabSize, c.hiddenSize]);
  return shapes;
}
