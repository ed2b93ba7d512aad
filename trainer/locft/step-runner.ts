// Stage 2 of trainLocft: the step. Which engine runs it (the host step engine where it applies, else tfjs), and the
// interface the schedule (run-schedule.ts) drives either one through.
import type { HostTensor } from '../checkpoint/safetensors.ts';
import type { ModelConfig } from '../model/config.ts';
import { hasRowKernels, loadSgemmAddon } from '../runtime/blas-kernel.ts';
import type { NativeEngine, RowKernelAddon } from '../runtime/blas-kernel.ts';
import type { TrainingBatch } from './batch.ts';
import { HOST_STEP_SUFFIX } from './config.ts';
import type { LocftRunOptions } from './config.ts';
import { hostStepUnsupported } from './host-step.ts';
import type { TuningPlan } from './tuning-plan.ts';

export interface StepOutcome {
  readonly loss: number;
  readonly updated: boolean;
  readonly flops: number;
  readonly sgemmMs?: number;
}

/** One training step as the loop sees it. */
export interface StepRunner {
  /** Loss of the batch; updates the tuned tensors when it is >= threshold (after a forward-only probe if asked). */
  step(batch: TrainingBatch, indices: readonly number[], probeFirst: boolean, threshold: number): StepOutcome;
  /** A fresh optimizer (depth-first: one per edit). */
  resetOptimizer(): void;
  /** The tuned tensors now, by HF name. */
  tensors(): Map<string, HostTensor>;
  dispose(): void;
}

/** The addon the host step engine computes with, and which GEMM engine that addon is. */
export interface HostEngineChoice {
  readonly addon: RowKernelAddon;
  readonly engine: NativeEngine;
}

/** The host engine's addon when it will run the steps; undefined for tfjs. 'host' that cannot run is an error. */
export function chooseEngine(
  options: LocftRunOptions,
  plan: TuningPlan,
  config: ModelConfig,
  cached: boolean,
): HostEngineChoice | undefined {
  if (options.engine === 'tfjs') return undefined;
  const addon = loadSgemmAddon();
  const why =
    plan.tunedNames.length !== 1 || plan.level !== 'down-input'
      ? 'it tunes exactly one mlp.down_proj.weight'
      : !cached
        ? 'it needs the activation cache (activationCache: auto)'
        : !options.targetOnlyLogits
          ? 'it needs targetOnlyLogits'
          : !addon.ok
            ? addon.reason
            : !hasRowKernels(addon.addon)
              ? 'the native addon predates its row kernels (rebuild it: npm run build:native)'
              : hostStepUnsupported(config, plan.lowestLayer);
  if (why === undefined && addon.ok && hasRowKernels(addon.addon)) return { addon: addon.addon, engine: addon.engine };
  if (options.engine === 'host')
    throw new Error(`run options: field "engine": the host engine cannot run this training: ${why}`);
  return undefined;
}

/**
 * The compute backend a run records (and keys its activation cache by): the host step's bits depend on its GEMM
 * engine. "<backend>+host-step" keeps the meaning it has always had, OpenBLAS (or the blocked engine under
 * wasm-blocked, whose name says so), so versions built before still verify; the blocked engine under any other
 * backend is named before the suffix ("wasm+blocked+host-step"), which stays last because the materializer reads it
 * to rebuild on the host engine.
 */
export function recordedBackend(backend: string, host: NativeEngine | undefined): string {
  if (host === undefined) return backend;
  const named = host === 'blocked' && backend !== 'wasm-blocked' ? `+${host}` : '';
  return `${backend}${named}${HOST_STEP_SUFFIX}`;
}
