// What trainLocft takes, reports while it runs, and returns (trainer.ts); its stages share these.
import type { HostTensor } from '../checkpoint/safetensors.ts';
import type { LlamaModel } from '../model/llama.ts';
import type { ActivationStore, CacheStats } from './activation-cache.ts';
import type { LocftHyperParams, LocftHyperParamsInput, LocftRunOptions, LocftRunOptionsInput } from './config.ts';
import type { EditText, EncodingTokenizer } from './encode.ts';
import type { TuningPlan } from './tuning-plan.ts';

export interface LocftProgress {
  /** 'cache': computing frozen activations (batch = edits done); 'train': optimisation. */
  readonly phase: 'cache' | 'train';
  readonly epoch: number;
  readonly epochs: number;
  /** Depth-first: the edit being trained (1-based) of `groups`; breadth-first: 1 of 1. */
  readonly group: number;
  readonly groups: number;
  readonly batch: number;
  readonly batches: number;
  /** Mean loss of this epoch's batches so far. */
  readonly loss: number;
  readonly editsPerSecond: number;
  readonly elapsedMs: number;
  /** Estimate assuming no early stop. */
  readonly etaMs: number;
  readonly done?: boolean;
}

export interface TrainLocftInput {
  /** The base model; tuned tensors are swapped for variables during training and restored afterwards. */
  readonly model: LlamaModel;
  readonly tokenizer: EncodingTokenizer & { readonly padTokenId: number | null };
  /** checkpointHash of the base folder (keys the activation cache, recorded in the manifest). */
  readonly baseHash: string;
  readonly edits: readonly EditText[];
  readonly hyperParams: LocftHyperParamsInput;
  readonly options?: LocftRunOptionsInput;
  /** An already open activation store (wins over options.cacheDir); the caller closes it. */
  readonly store?: ActivationStore;
  readonly onProgress?: (progress: LocftProgress) => void;
}

export interface LocftTrainResult {
  /** The tuned tensors, by HF name. */
  readonly tensors: Map<string, HostTensor>;
  readonly hyperParams: LocftHyperParams;
  readonly options: LocftRunOptions;
  readonly plan: TuningPlan;
  /** The compute backend, with "+host-step" when the host engine ran the steps (its bits differ from tfjs's). */
  readonly backend: string;
  /** Mean loss of every epoch run (depth-first: every epoch of every edit, in order). */
  readonly lossCurve: number[];
  /** Epochs run (depth-first: summed over edits). */
  readonly epochs: number;
  /** Batches evaluated / of which updated the weights / skipped (loss < threshold). */
  readonly steps: number;
  readonly updates: number;
  readonly skippedBatches: number;
  /** Breadth-first: stopped on the epoch-mean criterion before epochs. Depth-first: every edit converged. */
  readonly converged: boolean;
  /** Real input tokens fed through the trainable part, over all steps. */
  readonly tokens: number;
  /** Matmul FLOPs of all steps, for achieved GFLOP/s: counted by the host engine as it runs its sgemm calls, else
   *  estimated from the padded batch shape (flops.ts). */
  readonly flops: number;
  /** Which engine ran the steps (config.ts `engine`). */
  readonly engine: 'tfjs' | 'host';
  /** Host engine: wall time of the steps spent inside sgemm (so flops / sgemmMs is its own-shape ceiling). */
  readonly sgemmMs?: number;
  readonly cache: {
    readonly mode: 'auto' | 'off';
    readonly level: string;
    readonly computed: number;
    readonly reused: number;
    readonly dir: string | undefined;
    readonly stats?: CacheStats;
  };
  readonly cacheMs: number;
  readonly trainMs: number;
  readonly durationMs: number;
}

/** Cached activations of the edits at these indices (one array list per edit, in order). */
export type CachedEntries = (indices: readonly number[]) => Float32Array[][];
