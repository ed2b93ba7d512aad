// What the trainer consumer needs from the outside besides the event store, the artifact store and the model
// editor (./event-store.ts, ./artifacts.ts, ./model-editor.ts): the edit set as of a position (the persisted edit
// index in production, a pure fold in tests), a durable place for its cursor, a log, and for erasure a way to
// retract edits and to purge what was derived from erased data.
import type { EditSet } from '../active-edits.ts';
import type { CommandContext } from '../commands.ts';
import type { ModelVersionMaterializedData } from '../events/model-events.ts';

export interface EditSetSource {
  /** The active edit set as of `position` (must be <= the ledger head). */
  editSetAt(position: number): Promise<EditSet>;
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
  retiredVersions(
    versions: ReadonlyArray<Pick<ModelVersionMaterializedData, 'versionId' | 'artifactSha256'>>,
  ): Promise<void>;
  /** Cached activations (computed from the erased prompts). */
  activationCache(): Promise<void>;
  /** The read model's copy of edit content: rebuilt from the ledger after the key is destroyed. */
  readModel(): Promise<void>;
  /**
   * Credentials naming the erased subject when it is an actor (an API token's `token:<name>`): the name is replaced by
   * a pseudonym wherever the credential store keeps it. Returns how many records changed.
   */
  credentials(dataSubject: string): Promise<number>;
}
