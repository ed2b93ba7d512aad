// Seeded initial weights for pretraining from scratch, as HF's LlamaPreTrainedModel._init_weights does it:
// every Linear and the embedding ~ N(0, initializer_range), RMSNorm weights = 1. One extra, GPT-2's scaled
// residual init: o_proj and down_proj (the two matrices that write into the residual stream) get std / sqrt(2L),
// so the stream's variance does not grow with depth at step 0.
//
// Each tensor draws from its own stream, forked by name from the seed, so a tensor's initial values do not depend on
// the order of the others (or on the number of layers above it).

import type { HostTensor } from '../checkpoint/safetensors.ts';
import { Rng } from '../basemodel/rng.ts';
import { expectedParameterShapes, type ModelConfig } from '../model/config.ts';

export const DEFAULT_INITIALIZER_RANGE = 0.02;

/** Standard normal samples (Box-Muller on the seeded generator, float64 then rounded to float32). */
function fillNormal(out: Float32Array, rng: Rng, std: number): void {
  for (let i = 0; i < out.length; i += 2) {
    const u1 = 1 - rng.float(); // (0, 1]: log stays finite
    const u2 = rng.float();
    const r = Math.sqrt(-2 * Math.log(u1)) * std;
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
}

function isResidualWriter(name: string): boolean {
  return name.endsWith('.self_attn.o_proj.weight') || name.endsWith('.mlp.down_proj.weight');
}

/** Every parameter the config implies, initialised from `seed`. Same (config, seed, range) -> same values. */
export function initialWeights(
  config: ModelConfig,
  seed: number | string,
  initializerRange = DEFAULT_INITIALIZER_RANGE,
): Map<string, HostTensor> {
  if (!(initializerRange > 0)) throw new RangeError(`initializerRange: must be > 0, got ${initializerRange}`);
  const root = new Rng(seed).fork('init');
  const out = new Map<string, HostTensor>();
  for (const [name, shape] of expectedParameterShapes(config)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (name.endsWith('norm.weight')) data.fill(1);
    else if (name.endsWith('.bias')) data.fill(0);
    else {
      const std = isResidualWriter(name) ? initializerRange / Math.sqrt(2 * config.numLayers) : initializerRange;
      fillNormal(data, root.fork(name), std);
    }
    out.set(name, { shape, data });
  }
  return out;
}
