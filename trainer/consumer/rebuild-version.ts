// Rebuilding a version from the ledger alone: the recorded position, base and policy are replayed and the inputs
// and the bytes compared with what the version recorded (`verify`, and the repair of a missing artifact).
import { BaseModelNotRegisteredError } from '../../domain/model-errors.ts';
import { policyHashOf, trainingOrder, trainingSetHashOf, versionIdOf } from '../../domain/model-version.ts';
import type { VersionRecord } from '../../projections/versions.ts';
import { HOST_STEP_SUFFIX } from '../locft/config.ts';
import { engineDifference, recordedEngineDetail } from './engine-difference.ts';
import { readModelLedger } from './model-ledger.ts';
import type { MaterializerDeps, RebuildReport } from './materializer.ts';
import { trainingSetAt, verifiedBaseDir } from './trusted-inputs.ts';

/** Rebuilds a version from the ledger alone (its recorded position, base and policy) and compares the bytes. */
export async function rebuildVersion(
  deps: MaterializerDeps,
  version: VersionRecord,
): Promise<RebuildReport & { files: ReadonlyMap<string, Uint8Array>; primary: string }> {
  const started = Date.now();
  const snapshot = await readModelLedger(deps.store);
  const base = snapshot.state.bases.get(version.baseModelId);
  if (base === undefined) throw new BaseModelNotRegisteredError(version.baseModelId);
  const differences: string[] = [];
  const editSet = await trainingSetAt(deps, version.position, version.approvedOnly === true);
  if (editSet.editSetHash !== version.editSetHash)
    differences.push(
      `edit set at position ${version.position} hashes to ${editSet.editSetHash.slice(0, 12)}, recorded ${version.editSetHash.slice(0, 12)}`,
    );
  const ids = editSet.edits.map((e) => e.editId);
  if (ids.join() !== version.editIds.join())
    differences.push(`edit ids differ (${ids.length} now, ${version.editIds.length} recorded)`);
  if (base.baseHash !== version.baseHash)
    differences.push(`base hash ${base.baseHash.slice(0, 12)} != recorded ${version.baseHash.slice(0, 12)}`);
  const trainingSetHash = trainingSetHashOf(editSet.edits);
  if (
    versionIdOf({ baseHash: version.baseHash, trainingSetHash, policyHash: policyHashOf(version.policy) }) !==
    version.versionId
  ) {
    differences.push(
      'the version id does not follow from the recorded base, the edit set at the recorded position and the recorded policy',
    );
  }
  const baseDir = await verifiedBaseDir(deps.artifacts, base);
  const trained = await deps.editor.train({
    baseDir,
    baseHash: base.baseHash,
    trainingSetHash,
    edits: trainingOrder(editSet.edits),
    policy: version.policy,
    // The engine the version was built with (its recorded backend says which): the engines' bits differ.
    engine: version.backend.endsWith(HOST_STEP_SUFFIX) ? 'host' : 'tfjs',
    onProgress: (p) => deps.onProgress?.({ ...p, versionId: version.versionId, edits: editSet.edits.length }),
  });
  const bytes = trained.files.get(trained.primary)!;
  const { createHash } = await import('node:crypto');
  const rebuiltSha256 = createHash('sha256').update(bytes).digest('hex');
  const recordedBackend = version.backend;
  if (recordedBackend !== trained.backend)
    differences.push(`backend ${trained.backend} != recorded ${recordedBackend}`);
  const identical = rebuiltSha256 === version.artifactSha256;
  if (!identical) {
    const engine = engineDifference(await storedEngineDetail(deps, version), recordedEngineDetail(trained.files));
    if (engine !== undefined) differences.push(engine);
  }
  return {
    version,
    identical,
    rebuiltSha256,
    differences,
    backend: trained.backend,
    recordedBackend,
    durationMs: Date.now() - started,
    files: trained.files,
    primary: trained.primary,
  };
}

/** The engine the stored artifact's manifest records; undefined when the artifact is missing or does not verify. */
async function storedEngineDetail(deps: MaterializerDeps, version: VersionRecord): Promise<string | undefined> {
  try {
    // load checks every file against its hash: a stored artifact is read and hashed once.
    return recordedEngineDetail((await deps.artifacts.load(version.artifactSha256)).files);
  } catch (error) {
    // Missing or corrupted: nothing recorded to compare with. Any other failure is the caller's, as before.
    if (!(await deps.artifacts.verify(version.artifactSha256)).ok) return undefined;
    throw error;
  }
}
