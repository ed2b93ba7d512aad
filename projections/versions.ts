// The versions read model: every materialized model version (in the order the ledger recorded them), the serving
// pointer and its history, folded from the model-lifecycle stream. Plus the two questions users ask of it:
// "which version do you mean" (full id, unique prefix, or #N) and "what changed between two versions".
import { EditledgerError } from '../domain/errors.ts';
import type { ErrorKind } from '../domain/errors.ts';
import type { BaseModelRegisteredData, ModelVersionMaterializedData, TrainingPolicy } from '../domain/events.ts';
import type { ModelLifecycleEvent } from '../domain/model-lifecycle.ts';
import { policyHashOf, versionIdOf } from '../domain/model-version.ts';
import { DEFAULT_GOVERNANCE } from '../domain/governance.ts';
import type { Governance } from '../domain/governance.ts';

export interface PositionedModelEvent {
  readonly event: ModelLifecycleEvent;
  /** Ledger position of the event itself. */
  readonly position: number;
}

export interface VersionRecord extends ModelVersionMaterializedData {
  /** 1-based, in ledger order: `#3` in tables and on the command line. */
  readonly ordinal: number;
  readonly policyHash: string;
  /** Ledger position of the ModelVersionMaterialized event (the edit set is as of `position`). */
  readonly recordedAtPosition: number;
  readonly recordedAt: string;
  readonly recordedBy: string;
  /** Built from data since erased (DataSubjectErased at that position): never served, rolled back to or checked out. */
  readonly retired?: { readonly position: number; readonly recordedAt: string };
}

export interface ServingChange {
  readonly versionId: string;
  readonly previousVersionId: string | null;
  readonly changedBy: string;
  readonly reason: string;
  readonly position: number;
  readonly recordedAt: string;
  /** The trainer moved it (absent: a human decision, which pins the pointer). */
  readonly automatic?: boolean;
  readonly outsideEnvelope?: boolean;
}

/** A release of the serving pin. */
export interface PinRelease {
  readonly versionId: string;
  readonly releasedBy: string;
  readonly reason: string;
  readonly position: number;
  readonly recordedAt: string;
}

export interface VersionsReadModel {
  readonly versions: readonly VersionRecord[];
  readonly byId: ReadonlyMap<string, VersionRecord>;
  readonly serving: string | null;
  readonly servingHistory: readonly ServingChange[];
  readonly bases: ReadonlyMap<string, BaseModelRegisteredData>;
  /** The base and policy new versions are trained with (the latest TrainingPolicyRegistered). */
  readonly active:
    { readonly baseModelId: string; readonly policy: TrainingPolicy; readonly policyHash: string } | undefined;
  /** The change envelope and promotion rules in force (DEFAULT_GOVERNANCE when none was declared). */
  readonly governance: Governance;
  /** A human decision pins the serving version until a release. */
  readonly pinned: boolean;
  readonly pinReleases: readonly PinRelease[];
}

export function foldVersions(events: Iterable<PositionedModelEvent>): VersionsReadModel {
  const versions: VersionRecord[] = [];
  const byId = new Map<string, VersionRecord>();
  const servingHistory: ServingChange[] = [];
  const bases = new Map<string, BaseModelRegisteredData>();
  let serving: string | null = null;
  let active: VersionsReadModel['active'];
  let governance: Governance = DEFAULT_GOVERNANCE;
  let pinned = false;
  const pinReleases: PinRelease[] = [];
  for (const { event, position } of events) {
    switch (event.type) {
      case 'BaseModelRegistered':
        bases.set(event.data.baseModelId, event.data);
        break;
      case 'TrainingPolicyRegistered':
        active = { baseModelId: event.data.baseModelId, policy: event.data.policy, policyHash: event.data.policyHash };
        governance = event.data.governance ?? DEFAULT_GOVERNANCE;
        break;
      case 'ModelVersionMaterialized': {
        if (byId.has(event.data.versionId)) break;
        const record: VersionRecord = {
          ...event.data,
          ordinal: versions.length + 1,
          policyHash: policyHashOf(event.data.policy),
          recordedAtPosition: position,
          recordedAt: event.metadata.recordedAt,
          recordedBy: event.metadata.actor,
        };
        versions.push(record);
        byId.set(record.versionId, record);
        break;
      }
      case 'ServingVersionChanged': {
        serving = event.data.versionId;
        pinned = event.data.automatic !== true;
        const { schemaVersion: _v, ...change } = event.data;
        servingHistory.push({ ...change, position, recordedAt: event.metadata.recordedAt });
        break;
      }
      case 'ServingPinReleased': {
        pinned = false;
        const { schemaVersion: _v, ...release } = event.data;
        pinReleases.push({ ...release, position, recordedAt: event.metadata.recordedAt });
        break;
      }
      case 'DataSubjectErased':
        for (const versionId of event.data.retiredVersionIds) {
          const record = byId.get(versionId);
          if (record === undefined || record.retired !== undefined) continue;
          const retiredRecord: VersionRecord = {
            ...record,
            retired: { position, recordedAt: event.metadata.recordedAt },
          };
          byId.set(versionId, retiredRecord);
          versions[record.ordinal - 1] = retiredRecord;
        }
        break;
    }
  }
  return { versions, byId, serving, servingHistory, bases, active, governance, pinned, pinReleases };
}

export class VersionRefError extends EditledgerError {
  override readonly name = 'VersionRefError';
  readonly code = 'version_ref';
  override readonly field = 'version';
  get kind(): ErrorKind {
    return this.problem === 'not_found' ? 'not_found' : 'invalid_input';
  }
  constructor(
    readonly ref: string,
    readonly problem: 'not_found' | 'ambiguous',
    detail: string,
  ) {
    super(`version: ${detail}`);
  }
}

/** A version by full id, by a unique id prefix of at least 4 characters, or by `#N` (its ordinal). */
export function resolveVersionRef(model: VersionsReadModel, ref: string): VersionRecord {
  const wanted = ref.trim().toLowerCase();
  const ordinal = /^#(\d+)$/.exec(wanted);
  if (ordinal) {
    const record = model.versions[Number(ordinal[1]) - 1];
    if (!record) throw new VersionRefError(ref, 'not_found', `no version ${ref}; there are ${model.versions.length}`);
    return record;
  }
  const exact = model.byId.get(wanted);
  if (exact) return exact;
  if (!/^[0-9a-f]{4,64}$/.test(wanted))
    throw new VersionRefError(
      ref,
      'not_found',
      `"${ref}" is neither a version id (or a prefix of at least 4 hex characters) nor #N`,
    );
  const hits = model.versions.filter((v) => v.versionId.startsWith(wanted));
  if (hits.length === 0) throw new VersionRefError(ref, 'not_found', `no version id starts with "${ref}"`);
  if (hits.length > 1)
    throw new VersionRefError(
      ref,
      'ambiguous',
      `"${ref}" matches ${hits.length} versions (${hits.map((h) => `#${h.ordinal}`).join(', ')}); give more characters`,
    );
  return hits[0]!;
}

/** The materialized version for these inputs, if any: the same training content under the same base and policy. */
export function findVersion(
  model: VersionsReadModel,
  inputs: { baseHash: string; trainingSetHash: string; policyHash: string },
): VersionRecord | undefined {
  return model.byId.get(versionIdOf(inputs));
}

export interface MetricChange {
  readonly name: string;
  readonly from: number | undefined;
  readonly to: number | undefined;
  /** to - from when both exist. */
  readonly delta: number | undefined;
}

export interface VersionDiff {
  readonly from: VersionRecord;
  readonly to: VersionRecord;
  /** Edit ids in `to` but not in `from`, and the reverse, sorted. */
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly unchanged: number;
  readonly sameBase: boolean;
  readonly samePolicy: boolean;
  readonly metrics: readonly MetricChange[];
}

export function diffVersions(from: VersionRecord, to: VersionRecord): VersionDiff {
  const before = new Set(from.editIds);
  const after = new Set(to.editIds);
  const added = to.editIds.filter((id) => !before.has(id)).sort();
  const removed = from.editIds.filter((id) => !after.has(id)).sort();
  const names = [...new Set([...Object.keys(from.metrics), ...Object.keys(to.metrics)])].sort();
  const metrics = names.map((name) => {
    const a = from.metrics[name];
    const b = to.metrics[name];
    return { name, from: a, to: b, delta: a !== undefined && b !== undefined ? b - a : undefined };
  });
  return {
    from,
    to,
    added,
    removed,
    unchanged: from.editIds.length - removed.length,
    sameBase: from.baseHash === to.baseHash,
    samePolicy: from.policyHash === to.policyHash,
    metrics,
  };
}
