// What the materializer and the trainer consumer need from the outside, as small interfaces: the edit set as of a
// position (the persisted edit index in production, a pure fold in tests), an artifact store, a model editor
// (LocFT-BF training and evaluation), and a durable place for the consumer's cursor.
import type { EvalPhase } from '../eval/evaluate.ts';
import type { CommandContext } from '../../domain/commands.ts';
import type { TrainingPolicy } from '../../domain/events.ts';
import type { ActiveEdit, EditSet } from '../../domain/active-edits.ts';
import type { VersionRecord } from '../../projections/versions.ts';

export interface EditSetSource {
  /** The active edit set as of `position` (must be <= the ledger head). */
  editSetAt(position: number): Promise<EditSet>;
}

export interface StoredArtifact {
  readonly sha256: string;
  /** The artifact's folder (its files can be read from there, e.g. a base checkpoint). */
  readonly dir: string;
  readonly files: ReadonlyMap<string, Uint8Array>;
}

export type ArtifactCheck =
  { readonly ok: true } | { readonly ok: false; readonly missing: boolean; readonly problem: string };

/** Implemented by infra/artifacts/artifact-store.ts. */
export interface ArtifactRepository {
  put(input: {
    primary: string;
    files: ReadonlyMap<string, Uint8Array>;
  }): Promise<{ sha256: string; reused: boolean; replacedCorrupt?: string }>;
  load(sha256: string): Promise<StoredArtifact>;
  verify(sha256: string): Promise<ArtifactCheck>;
  /** Move a stored artifact out of the way (one whose files no longer match the ledger's record). */
  quarantine(sha256: string): Promise<string>;
  /** Delete an artifact for good (erasure); false when it was not stored. */
  remove(sha256: string): Promise<boolean>;
}

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

export interface EvaluateRequest {
  readonly baseDir: string;
  readonly edits: readonly ActiveEdit[];
  /** Files of the stored artifact (its primary holds the tuned tensors). */
  readonly artifact: StoredArtifact;
  /** Called before each evaluation phase (evaluating thousands of edits takes minutes). */
  readonly onPhase?: (phase: EvalPhase) => void;
}

/** Metrics in [0, 1] (or a perplexity); names: reliability, generalization, locality, capability, ... */
export type Metrics = Readonly<Record<string, number>>;

export interface VersionEditor {
  train(request: TrainRequest): Promise<TrainedDelta>;
  evaluate(request: EvaluateRequest): Promise<Metrics>;
}

export interface CursorStore {
  /** The last ledger position the consumer finished with (0 when new). */
  load(): Promise<number>;
  /** Durable before it resolves. */
  save(position: number): Promise<void>;
}

/** One structured log line (the CLI writes them as JSONL and as human text). */
export interface LogRecord {
  readonly level: 'info' | 'warn' | 'error';
  readonly msg: string;
  readonly [key: string]: unknown;
}
export type Logger = (record: LogRecord) => void;

// Erasure (trainer/consumer/erasure.ts)

/** Retracting edits (LedgerService.retractEdit). */
export interface EditRetractor {
  retractEdit(
    input: { editId: string; factKey: string; reason: string; by: string },
    context: CommandContext,
  ): Promise<unknown>;
}

/** Removing what was derived from erased data (adapters: files in the home, the read model). */
export interface DerivedDataPurge {
  /** Artifacts and checked-out folders of these versions. */
  retiredVersions(versions: readonly VersionRecord[]): Promise<void>;
  /** Cached activations (computed from the erased prompts). */
  activationCache(): Promise<void>;
  /** The read model's copy of edit content: rebuilt from the ledger after the key is destroyed. */
  readModel(): Promise<void>;
}
