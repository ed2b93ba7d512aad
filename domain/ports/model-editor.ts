// The model editor as the materializer needs it: train a delta of a base on an edit set under a training policy,
// and evaluate it. Implemented by trainer/consumer/locft-editor.ts (LocFT-BF); tests use small fakes.
import type { ActiveEdit } from '../active-edits.ts';
import type { TrainingPolicy } from '../events.ts';
import type { Metrics } from '../model-version.ts';
import type { StoredArtifact } from './artifacts.ts';

export interface TrainProgress {
  readonly epoch: number;
  readonly epochs: number;
  readonly batch: number;
  readonly batches: number;
  /** Mean loss of the batches seen so far in this epoch. */
  readonly loss: number;
  readonly elapsedMs: number;
  readonly etaMs: number | undefined;
  /** Set on one last report when training has ended (early stop or the epoch budget). */
  readonly done?: boolean;
}

export interface TrainRequest {
  readonly baseDir: string;
  readonly baseHash: string;
  /** trainingSetHashOf(edits): recorded in the delta, so equal training content gives equal bytes. */
  readonly trainingSetHash: string;
  /** Every active edit, in training order (domain/model-version.ts). May be empty: the version is then the base. */
  readonly edits: readonly ActiveEdit[];
  readonly policy: TrainingPolicy;
  /**
   * Which LocFT step engine to use (trainer/locft/config.ts): unset = 'auto'. A rebuild asks for the engine the
   * version was recorded with, since the engines' bits differ.
   */
  readonly engine?: 'auto' | 'tfjs' | 'host';
  readonly onProgress?: (progress: TrainProgress) => void;
}

/** A trained delta, ready for the artifact store: `primary` is the deterministic weights file. */
export interface TrainedDelta {
  readonly primary: string;
  readonly files: ReadonlyMap<string, Uint8Array>;
  readonly epochs: number;
  readonly finalLoss: number | undefined;
  /** The compute backend that produced the bytes (bit-identity holds per backend). */
  readonly backend: string;
}

/** One phase of an evaluation, reported before it runs (evaluation of thousands of edits takes minutes). */
export interface EvalPhase {
  readonly model: 'base' | 'edited';
  /** e.g. "greedy answers: locality prompts" */
  readonly phase: string;
  /** 1-based index of this phase among `total` for this model. */
  readonly index: number;
  readonly total: number;
  /** How many prompts or passages this phase runs. */
  readonly items: number;
  readonly elapsedMs: number;
}

export interface EvaluateRequest {
  readonly baseDir: string;
  readonly edits: readonly ActiveEdit[];
  /** Files of the stored artifact (its primary holds the tuned tensors). */
  readonly artifact: StoredArtifact;
  /** Called before each evaluation phase (evaluating thousands of edits takes minutes). */
  readonly onPhase?: (phase: EvalPhase) => void;
}

export interface VersionEditor {
  train(request: TrainRequest): Promise<TrainedDelta>;
  evaluate(request: EvaluateRequest): Promise<Metrics>;
}
