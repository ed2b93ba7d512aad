// The step on the host step engine (host-step.ts), with HostAdam on the engine's own copy of the tuned matrix: the
// model itself is never touched.
import type { LlamaModel } from '../model/llama.ts';
import type { RowKernelAddon } from '../runtime/blas-kernel.ts';
import { HostAdam } from './adam.ts';
import type { AdamConfig } from './adam.ts';
import { HostStepEngine } from './host-step.ts';
import type { StepRunner } from './step-runner.ts';
import type { CachedEntries } from './train-types.ts';
import type { TuningPlan } from './tuning-plan.ts';

/** The host engine on a copy of the tuned tensor. */
export function newHostEngine(model: LlamaModel, plan: TuningPlan, addon: RowKernelAddon): HostStepEngine {
  const tuned = new Float32Array(model.param(plan.tunedNames[0]!).dataSync() as Float32Array);
  return new HostStepEngine(
    addon,
    { config: model.config, read: (n) => model.param(n).dataSync() as Float32Array },
    plan.lowestLayer,
    tuned,
  );
}

export function hostRunner(
  model: LlamaModel,
  plan: TuningPlan,
  adamConfig: AdamConfig,
  engine: HostStepEngine,
  entries: CachedEntries,
): StepRunner {
  const name = plan.tunedNames[0]!;
  const tuned = engine.tuned;
  const kernel = engine.adamKernel();
  let optimizer = new HostAdam(adamConfig, tuned, kernel);
  return {
    step(batch, indices, probeFirst, threshold) {
      const packed = engine.pack(batch, entries(indices));
      let flops = 0;
      let sgemmMs = 0;
      if (probeFirst) {
        const probe = engine.run(packed, false);
        flops += probe.flops;
        sgemmMs += probe.sgemmMs;
        if (!(probe.loss >= threshold)) return { loss: probe.loss, updated: false, flops, sgemmMs };
      }
      const r = engine.run(packed, true);
      flops += r.flops;
      sgemmMs += r.sgemmMs;
      const updated = r.loss >= threshold;
      if (updated) optimizer.step(r.grad!);
      return { loss: r.loss, updated, flops, sgemmMs };
    },
    resetOptimizer() {
      optimizer = new HostAdam(adamConfig, tuned, kernel);
    },
    tensors: () => new Map([[name, { shape: [...model.param(name).shape], data: new Float32Array(tuned) }]]),
    dispose() {}, // trainLocft releases the engine
  };
}
