// What the HTTP API calls: the same use cases the CLI calls (the edit use cases of LedgerService, the model use
// cases of trainer/consumer/model-use-cases.ts, the read-side queries), wired once by `editledger serve`.
import type { EventStore } from '../../domain/ports/event-store.ts';
import type { VersionRecord } from '../../projections/versions.ts';
import type { IndexedEditSet } from '../readmodel/edit-index.ts';
import type { ModelServices } from '../../trainer/consumer/model-use-cases.ts';
import type { LedgerService } from '../../domain/edit-use-cases.ts';
import type { TokenStore } from '../auth/token-store.ts';
import type { JobRegistry } from './jobs.ts';
import type { ServerMetrics } from './metrics.ts';
import type { AuditReport } from '../audit/audit-report.ts';

/** The edit index, caught up with the ledger on every read (another process may have written since). */
export interface EditReads {
  factKeyOf(editId: string): Promise<string | undefined>;
  editSetAt(position?: number): Promise<IndexedEditSet>;
}

export interface GenerateRequest {
  readonly prompts: readonly string[];
  readonly maxTokens: number;
  readonly temperature: number;
  readonly seed: number;
}

export interface Completion {
  readonly prompt: string;
  readonly completion: string;
  readonly finishReason: string;
}

export interface TrainerStatus {
  readonly running: boolean;
  readonly cursor: number;
  readonly pendingEdits: number;
}

export interface IngestionCounters {
  accepted: number;
  rejected: number;
  duplicates: number;
  /** Dead letters removed by the dead-letter file's caps (rotation), since start. */
  deadLettersDropped: number;
}

import type { ErasureRequest, ErasureResult } from '../../trainer/consumer/erasure.ts';

export interface ApiServices {
  readonly store: EventStore;
  readonly ledger: LedgerService;
  readonly edits: EditReads;
  /** Absent when no base model is registered yet; model routes answer 503 until then. */
  readonly models: ModelServices;
  readonly generate: (version: VersionRecord, request: GenerateRequest) => Promise<Completion[]>;
  readonly tokens: TokenStore;
  readonly jobs: JobRegistry;
  readonly metrics: ServerMetrics;
  readonly trainer: () => Promise<TrainerStatus>;
  readonly ingestion: IngestionCounters;
  /** The chain and signature verification of `editledger audit verify` (infra/audit/audit-report.ts). */
  readonly audit: () => Promise<AuditReport>;
  /** Sign the ledger head now (after a materialized version, on a timer); undefined without an audit key. */
  readonly signHead?: () => Promise<void>;
  /** False while starting or stopping: /readyz answers 503 and writes are refused. */
  readonly ready: () => boolean;
  /** Erasure of a data subject (trainer/consumer/erasure.ts), in this process so its caches forget at once. */
  readonly erase?: (request: ErasureRequest, actor: string) => Promise<ErasureResult>;
}
