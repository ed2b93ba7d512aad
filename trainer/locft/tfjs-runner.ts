// The step on tfjs: trainable variables swapped into the model in place of the tuned tensors (restored by dispose),
// the loss through the model's own ops (batch-loss.ts) from the cached activations or from the embedding.
import type { HostTensor } from '../checkpoint/safetensors.ts';
import type { LlamaModel } from '../model/llama.ts';
import { createContext, tokenIds } from '../model/llama.ts';
import { tf } from '../runtime/backend.ts';
import { Adam } from './adam.ts';
import type { AdamConfig } from './adam.ts';
import { stackPadded } from './batch.ts';
import { batchLoss } from './batch-loss.ts';
import type { LocftRunOptions } from './config.ts';
import { stepFlops } from './flops.ts';
import { frozenPrefix } from './frozen-prefix.ts';
import type { SplitPoint } from './frozen-prefix.ts';
import type { StepRunner } from './step-runner.ts';
import type { CachedEntries } from './train-types.ts';
import { cachedWidths } from './tuning-plan.ts';
import type { TuningPlan } from './tuning-plan.ts';

let variableCounter = 0;

export function tfjsRunner(
  model: LlamaModel,
  plan: TuningPlan,
  adamConfig: AdamConfig,
  options: LocftRunOptions,
  entries: CachedEntries | undefined,
): StepRunner {
  const config = model.config;
  const at: SplitPoint = { level: plan.level, layer: plan.lowestLayer };
  const widths = cachedWidths(plan.level, config);
  const tunedLayers = plan.tunedNames.map((n) => Number(/^model\.layers\.(\d+)\./.exec(n)?.[1] ?? plan.lowestLayer));
  const downOnly = plan.tunedNames.every((n) => n.endsWith('.mlp.down_proj.weight'));
  // Trainable variables in place of the tuned tensors.
  const originals = new Map<string, tf.Tensor>();
  const variables = new Map<string, tf.Variable>();
  for (const name of plan.tunedNames) {
    const original = model.param(name);
    originals.set(name, original);
    variables.set(name, tf.variable(original, true, `locft/${variableCounter++}/${name}`));
  }
  for (const [name, v] of variables) model.weights.set(name, v);
  let optimizer = new Adam(adamConfig, variables);
  return {
    step(batch, indices, probeFirst, threshold) {
      const ctx = createContext(config, { attentionMask: batch.attentionMask });
      let prefix: tf.Tensor[] = [];
      try {
        if (entries) {
          const cached = entries(indices);
          prefix = widths.map((w, k) =>
            tf.tensor3d(
              stackPadded(
                cached.map((e) => e[k]!),
                batch,
                w,
              ),
              [batch.size, batch.seqLen, w],
            ),
          );
        } else {
          const ids = tokenIds(batch.inputIds, config.vocabSize);
          prefix = frozenPrefix(model, at, ids, ctx);
          ids.dispose();
        }
        const shape = {
          batch: batch.size,
          seqLen: batch.seqLen,
          projectedRows: options.targetOnlyLogits ? batch.targetRows.length : batch.size * batch.seqLen,
        };
        const cost = stepFlops(config, at, shape, tunedLayers, downOnly);
        let flops = 0;
        if (probeFirst) {
          const probe = tf.tidy(() => batchLoss(model, at, prefix, ctx, batch, options.targetOnlyLogits));
          const loss = probe.dataSync()[0]!;
          probe.dispose();
          flops += cost.forward;
          if (!(loss >= threshold)) return { loss, updated: false, flops };
        }
        const { value, grads } = tf.variableGrads(
          () => batchLoss(model, at, prefix, ctx, batch, options.targetOnlyLogits),
          [...variables.values()],
        );
        try {
          const loss = value.dataSync()[0]!;
          flops += cost.total; // the backward runs even when its gradient goes unused
          const updated = loss >= threshold;
          if (updated) {
            const byName: Record<string, tf.Tensor> = {};
            for (const [name, v] of variables) byName[name] = grads[v.name]!;
            optimizer.step(byName);
          }
          return { loss, updated, flops };
        } finally {
          tf.dispose([value, ...Object.values(grads)]);
        }
      } finally {
        tf.dispose(prefix);
        ctx.dispose();
      }
    },
    resetOptimizer() {
      optimizer.dispose();
      optimizer = new Adam(adamConfig, variables);
    },
    tensors() {
      const out = new Map<string, HostTensor>();
      for (const [name, v] of variables)
        out.set(name, { shape: [...v.shape], data: new Float32Array(v.dataSync() as Float32Array) });
      return out;
    },
    dispose() {
      optimizer.dispose();
      for (const [name, original] of originals) model.weights.set(name, original);
      tf.dispose([...variables.values()]);
    },
  };
}

/** One edit's frozen activations (the tfjs engine's cache entry), computed alone (no padding), as host arrays. */
export function computePrefixArrays(model: LlamaModel, at: SplitPoint, ids: readonly number[]): Float32Array[] {
  const idsT = tokenIds([ids], model.config.vocabSize);
  const ctx = createContext(model.config, { batch: 1, seqLen: ids.length });
  try {
    const out = frozenPrefix(model, at, idsT, ctx);
    const arrays = out.map((t) => t.dataSync() as Float32Array);
    tf.dispose(out);
    return arrays;
  } finally {
    idsT.dispose();
    ctx.dispose();
  }
}
