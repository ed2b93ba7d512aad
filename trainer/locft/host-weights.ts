// The frozen weights the host step engine reads, one typed record per decoder layer (llama2.c's TransformerWeights,
// per layer): products that share an input are stacked row-wise, so each runs as one sgemm call.
import type { ModelConfig } from '../model/config.ts';

/** What the engine needs of the model: its config and every frozen tensor above the split, as host arrays. */
export interface HostWeightSource {
  readonly config: ModelConfig;
  /** The current values of a parameter (HF name). */
  read(name: string): Float32Array;
}

export interface LayerWeights {
  /** input_layernorm gain [D]. */
  readonly norm1: Float32Array;
  /** q, k and v projections stacked row-wise: [(H + 2·KV)·hd, D]. */
  readonly qkv: Float32Array;
  readonly qkvBias: Float32Array | null;
  /** o_proj [D, H·hd]. */
  readonly o: Float32Array;
  readonly oBias: Float32Array | null;
  /** post_attention_layernorm gain [D]. */
  readonly norm2: Float32Array;
  /** gate and up projections stacked row-wise: [2F, D]. */
  readonly gateUp: Float32Array;
  /** down_proj [D, F]. */
  readonly down: Float32Array;
}

export function readLayer(source: HostWeightSource, l: number): LayerWeights {
  const c = source.config;
  const p = `model.layers.${l}`;
  const a = `${p}.self_attn`;
  return {
    norm1: source.read(`${p}.input_layernorm.weight`),
    qkv: concat([
      source.read(`${a}.q_proj.weight`),
      source.read(`${a}.k_proj.weight`),
      source.read(`${a}.v_proj.weight`),
    ]),
    qkvBias: c.qkvBias
      ? concat([source.read(`${a}.q_proj.bias`), source.read(`${a}.k_proj.bias`), source.read(`${a}.v_proj.bias`)])
      : null,
    o: source.read(`${a}.o_proj.weight`),
    oBias: c.oBias ? source.read(`${a}.o_proj.bias`) : null,
    norm2: source.read(`${p}.post_attention_layernorm.weight`),
    gateUp: concat([source.read(`${p}.mlp.gate_proj.weight`), source.read(`${p}.mlp.up_proj.weight`)]),
    down: source.read(`${p}.mlp.down_proj.weight`),
  };
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
