// The materializer: ledger position P -> model version.
//
//   edit set at P  ->  version id = hash(base, training content of the edit set, policy)
//     already recorded and its artifact intact  -> nothing to do ("existing")
//     already recorded, artifact missing/corrupt -> retrain, check the bytes equal the recorded sha256 ("artifact-rebuilt")
//     new -> LocFT-BF replay of ALL active edits onto the BASE (never onto an earlier version, so a version does not
//            depend on history) -> artifact (atomic, content-addressed) -> evaluation on the edits' own probes and
//            capability -> ModelVersionMaterialized, whose event id is derived from the version id.
//
// Crash safety: the artifact is renamed into place only when complete, and the event is appended only after the
// artifact is durable. A process killed anywhere leaves either nothing visible, or an artifact without an event
// (harmless: the retry produces the same bytes and reuses it), or both. Two trainers racing on the same edit set
// both train, but the decider lets only one ModelVersionMaterialized through (see model-ledger.ts).
import { defineError, InvalidFieldError } from '../../domain/errors.ts';
import { automaticPromotionBlock } from '../../domain/governance.ts';
import type { BaseModelRegisteredData } from '../../domain/events.ts';
import { activeTraining } from '../../domain/model-lifecycle.ts';
import { BaseModelNotRegisteredError, ModelVersionNotFoundError } from '../../domain/model-errors.ts';
import {
  artifactFilesHashOf,
  shortVersionId,
  trainingOrder,
  trainingSetHashOf,
  versionIdOf,
} from '../../domain/model-version.ts';
import type { EventStore } from '../../domain/ports/event-store.ts';
import type { VersionRecord } from '../../projections/versions.ts';
import type { ChainScope } from '../../domain/chain.ts';
import type { CommandContext, ModelLedgerSnapshot } from './model-ledger.ts';
import { commandMetadata, executeModelCommand, readModelLedger } from './model-ledger.ts';
import type { Metrics } from '../../domain/model-version.ts';
import type { ArtifactRepository, StoredArtifact } from '../../domain/ports/artifacts.ts';
import type { EvalPhase, TrainProgress, VersionEditor } from '../../domain/ports/model-editor.ts';
import type { EditSetSource, Logger } from '../../domain/ports/trainer.ts';
import { rebuildVersion } from './rebuild-version.ts';
import { trainingSetAt, verifiedBaseDir } from './trusted-inputs.ts';

export interface MaterializerDeps {
  readonly store: EventStore;
  readonly editSets: EditSetSource;
  readonly artifacts: ArtifactRepository;
  readonly editor: VersionEditor;
  readonly context: CommandContext;
  readonly log?: Logger;
  readonly onProgress?: (progress: TrainProgress & { readonly versionId: string; readonly edits: number }) => void;
  /** How the store chains its events ('stream' for EventStoreDB); default 'all'. */
  readonly chainScope?: ChainScope;
  /** Progress of the evaluation that follows training. */
  readonly onEvalPhase?: (phase: EvalPhase & { readonly versionId: string }) => void;
}

export interface MaterializeOptions {
  /** Ledger position whose edit set to materialize; default the head. */
  readonly position?: number;
  /** Move the serving pointer to the version (new or existing) with this reason. */
  readonly promoteReason?: string;
  /** Who asks (recorded as the events' actor); default the materializer's own context. */
  readonly actor?: string;
  /** The trainer consumer promotes: governance may hold the version back, and no pin is set. */
  readonly automatic?: boolean;
}

export interface ServeOptions {
  /** The trainer consumer asks (no pin; governance may refuse quietly). */
  readonly automatic?: boolean;
  /** A human accepts serving a version outside the change envelope (flagged in the ledger). */
  readonly acceptOutsideEnvelope?: boolean;
}

export type MaterializeOutcome = 'materialized' | 'existing' | 'artifact-rebuilt';

export interface MaterializeResult {
  readonly outcome: MaterializeOutcome;
  readonly version: VersionRecord;
  /** The position asked for (the recorded version may carry the earlier position it was first built at). */
  readonly position: number;
  readonly promoted: boolean;
  readonly durationMs: number;
}

export class PositionBeyondHeadError extends defineError(
  'position_beyond_head',
  'invalid_input',
  (position: number, head: number) => ({
    message: `position: ${position} is beyond the ledger head ${head}`,
    field: 'position',
    position,
    head,
  }),
) {}

/** A rebuild produced other bytes than the ones recorded: the inputs or the backend differ. */
export class RebuildMismatchError extends defineError(
  'rebuild_mismatch',
  'internal',
  (versionId: string, expected: string, actual: string, differences: readonly string[]) => ({
    message: `version ${shortVersionId(versionId)}: rebuilt artifact sha256 ${actual.slice(0, 12)} differs from the recorded ${expected.slice(0, 12)} (${differences.join('; ') || 'same recorded inputs: nondeterministic backend?'})`,
    versionId,
    expected,
    actual,
    differences,
  }),
) {}

export interface RebuildReport {
  readonly version: VersionRecord;
  readonly identical: boolean;
  readonly rebuiltSha256: string;
  /** Inputs that differ from what the version recorded (empty when only the bytes differ). */
  readonly differences: readonly string[];
  readonly backend: string;
  readonly recordedBackend: string;
  readonly durationMs: number;
}

export const DELTA_MANIFEST = 'manifest.json';

export class Materializer {
  constructor(private readonly deps: MaterializerDeps) {}

  /** The materializer's context with another actor (a caller of the HTTP API, an approver). */
  private contextOf(actor: string | undefined): CommandContext {
    return actor === undefined ? this.deps.context : { ...this.deps.context, actor };
  }

  readModels(): Promise<ModelLedgerSnapshot> {
    return readModelLedger(this.deps.store);
  }

  async materialize(options: MaterializeOptions = {}): Promise<MaterializeResult> {
    const started = Date.now();
    const { store, artifacts, log } = this.deps;
    const snapshot = await readModelLedger(store);
    const training = activeTraining(snapshot.state);
    if (training === undefined) throw new BaseModelNotRegisteredError(undefined);
    const head = await store.headPosition();
    const position = options.position ?? head;
    if (!Number.isSafeInteger(position) || position < 0)
      throw new InvalidFieldError('position', `must be an integer >= 0, got ${position}`);
    if (position > head) throw new PositionBeyondHeadError(position, head);

    const approvedOnly = snapshot.state.governance.requireApproval;
    const editSet = await trainingSetAt(this.deps, position, approvedOnly);
    const trainingSetHash = trainingSetHashOf(editSet.edits);
    const versionId = versionIdOf({
      baseHash: training.base.baseHash,
      trainingSetHash,
      policyHash: training.policyHash,
    });
    const known = snapshot.versions.byId.get(versionId);
    let outcome: MaterializeOutcome;
    let version: VersionRecord;
    if (known !== undefined) {
      const check = await artifacts.verify(known.artifactSha256);
      if (check.ok) {
        log?.({
          level: 'info',
          msg: `edit set at ${position} is version #${known.ordinal} ${shortVersionId(versionId)}: already materialized`,
          versionId,
          position,
        });
        outcome = 'existing';
      } else {
        log?.({
          level: 'warn',
          msg: `artifact of version ${shortVersionId(versionId)} ${check.missing ? 'is missing' : `is corrupted (${check.problem})`}; rebuilding it`,
          versionId,
        });
        await this.repairArtifact(known);
        outcome = 'artifact-rebuilt';
      }
      version = known;
    } else {
      log?.({
        level: 'info',
        msg: `materializing ${editSet.edits.length} edits at position ${position} as version ${shortVersionId(versionId)}`,
        versionId,
        position,
        edits: editSet.edits.length,
      });
      const baseDir = await this.baseDir(training.base);
      const trained = await this.deps.editor.train({
        baseDir,
        baseHash: training.base.baseHash,
        trainingSetHash,
        edits: trainingOrder(editSet.edits),
        policy: training.policy,
        onProgress: (p) => this.deps.onProgress?.({ ...p, versionId, edits: editSet.edits.length }),
      });
      const put = await artifacts.put({ primary: trained.primary, files: trained.files });
      const artifact = await artifacts.load(put.sha256);
      const evaluated = await this.deps.editor.evaluate({
        baseDir,
        edits: editSet.edits,
        artifact,
        onPhase: (p) => this.deps.onEvalPhase?.({ ...p, versionId }),
      });
      const metrics: Metrics = {
        ...evaluated,
        edits: editSet.edits.length,
        epochs: trained.epochs,
        ...(trained.finalLoss === undefined || !Number.isFinite(trained.finalLoss)
          ? {}
          : { finalLoss: trained.finalLoss }),
      };
      const result = await executeModelCommand(store, () => ({
        type: 'MaterializeVersion',
        data: {
          baseModelId: training.base.baseModelId,
          baseHash: training.base.baseHash,
          position,
          editSetHash: editSet.editSetHash,
          trainingSetHash,
          editIds: editSet.edits.map((e) => e.editId),
          policy: training.policy,
          backend: trained.backend,
          artifactSha256: put.sha256,
          artifactUri: `sha256:${put.sha256}`,
          artifactFilesSha256: artifactFilesHashOf(trained.files),
          metrics,
          durationMs: Date.now() - started,
          ...(approvedOnly && { approvedOnly: true as const }),
        },
        metadata: commandMetadata(this.contextOf(options.actor)),
      }));
      version = result.snapshot.versions.byId.get(versionId)!;
      outcome = result.events.length > 0 ? 'materialized' : 'existing';
      if (outcome === 'existing')
        log?.({
          level: 'info',
          msg: `version ${shortVersionId(versionId)} was recorded by another trainer meanwhile; not recording it twice`,
          versionId,
        });
      else
        log?.({
          level: 'info',
          msg: `recorded version #${version.ordinal} ${shortVersionId(versionId)}`,
          versionId,
          metrics,
          artifactSha256: put.sha256,
        });
    }
    const promoted =
      options.promoteReason === undefined
        ? false
        : await this.serve(versionId, options.promoteReason, options.actor, {
            ...(options.automatic === true && { automatic: true }),
          });
    return { outcome, version, position, promoted, durationMs: Date.now() - started };
  }

  /** Moves the serving pointer; false when the version was already served. */
  async serve(
    versionId: string,
    reason: string,
    changedBy = this.deps.context.actor,
    options: ServeOptions = {},
  ): Promise<boolean> {
    const result = await executeModelCommand(this.deps.store, () => ({
      type: 'ChangeServingVersion',
      data: { versionId, changedBy, reason, ...options },
      metadata: commandMetadata(this.contextOf(changedBy)),
    }));
    if (result.events.length === 0 && options.automatic === true) {
      const { state } = result.snapshot;
      const block = automaticPromotionBlock(state.governance, state.versions.get(versionId)?.verdict, state.pinned);
      if (block !== undefined)
        this.deps.log?.({
          level: 'info',
          msg: `version ${shortVersionId(versionId)} held back, not served: ${block}`,
          versionId,
        });
    }
    // Who and why stay in the ledger, sealed (domain/personal-data.ts): a log file must not keep them in clear.
    if (result.events.length > 0)
      this.deps.log?.({ level: 'info', msg: `serving version ${shortVersionId(versionId)}`, versionId });
    return result.events.length > 0;
  }

  /** Release the pin a human promote or rollback set; false when nothing was pinned. */
  async releasePin(reason: string, releasedBy = this.deps.context.actor): Promise<boolean> {
    const result = await executeModelCommand(this.deps.store, () => ({
      type: 'ReleaseServingPin',
      data: { releasedBy, reason },
      metadata: commandMetadata(this.contextOf(releasedBy)),
    }));
    return result.events.length > 0;
  }

  /** The version's artifact, verified; rebuilt from the ledger first when it is missing or corrupted. */
  async ensureArtifact(version: VersionRecord): Promise<{ artifact: StoredArtifact; rebuilt: boolean }> {
    const check = await this.deps.artifacts.verify(version.artifactSha256);
    if (check.ok) {
      const artifact = await this.deps.artifacts.load(version.artifactSha256);
      // The store's descriptor could be re-hashed after a file was forged: the ledger's own record decides.
      if (
        version.artifactFilesSha256 === undefined ||
        artifactFilesHashOf(artifact.files) === version.artifactFilesSha256
      )
        return { artifact, rebuilt: false };
      this.deps.log?.({
        level: 'warn',
        msg: `artifact of version ${shortVersionId(version.versionId)} does not match the ledger's record of its files (${[...artifact.files.keys()].join(', ')}): a file was changed; rebuilding it from the ledger`,
        versionId: version.versionId,
      });
      await this.deps.artifacts.quarantine(version.artifactSha256);
      await this.repairArtifact(version);
      return { artifact: await this.deps.artifacts.load(version.artifactSha256), rebuilt: true };
    }
    this.deps.log?.({
      level: 'warn',
      msg: `artifact of version ${shortVersionId(version.versionId)} ${check.missing ? 'is missing' : `is corrupted (${check.problem})`}; rebuilding it from the ledger`,
      versionId: version.versionId,
    });
    await this.repairArtifact(version);
    return { artifact: await this.deps.artifacts.load(version.artifactSha256), rebuilt: true };
  }

  /** The registered base checkpoint folder, verified against its recorded hash. */
  baseDir(base: BaseModelRegisteredData): Promise<string> {
    return verifiedBaseDir(this.deps.artifacts, base);
  }

  /** Rebuilds a version from the ledger alone (its recorded position, base and policy) and compares the bytes. */
  rebuild(
    version: VersionRecord,
  ): Promise<RebuildReport & { files: ReadonlyMap<string, Uint8Array>; primary: string }> {
    return rebuildVersion(this.deps, version);
  }

  private async repairArtifact(version: VersionRecord): Promise<void> {
    const report = await this.rebuild(version);
    if (!report.identical)
      throw new RebuildMismatchError(
        version.versionId,
        version.artifactSha256,
        report.rebuiltSha256,
        report.differences,
      );
    await this.deps.artifacts.put({ primary: report.primary, files: report.files });
    this.deps.log?.({
      level: 'info',
      msg: `rebuilt the artifact of version ${shortVersionId(version.versionId)} bit-identically`,
      versionId: version.versionId,
    });
  }

  /** A version by id; a typed error when it is unknown. */
  async version(versionId: string): Promise<VersionRecord> {
    const snapshot = await readModelLedger(this.deps.store);
    const record = snapshot.versions.byId.get(versionId);
    if (record === undefined) throw new ModelVersionNotFoundError(versionId);
    return record;
  }
}
