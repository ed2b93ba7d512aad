// The model use cases every entry point calls (CLI commands, `editledger serve`, the demo): resolve a version,
// promote it, roll back to a version or a position, and verify a version by rebuilding it. They run over the
// materializer and the artifact port only, so the CLI and the HTTP API reach exactly the same code.
import { VersionRetiredError } from '../../domain/erasure-errors.ts';
import type { VersionRecord } from '../../projections/versions.ts';
import { resolveVersionRef } from '../../projections/versions.ts';
import type { Materializer } from './materializer.ts';
import type { ArtifactRepository } from '../../domain/ports/artifacts.ts';

export interface ModelServices {
  readonly materializer: Materializer;
  readonly artifacts: ArtifactRepository;
}

/** Resolves `ref` (full id, unique prefix, #N) against the ledger. */
export async function resolveVersion(
  services: Pick<ModelServices, 'materializer'>,
  ref: string,
): Promise<VersionRecord> {
  const snapshot = await services.materializer.readModels();
  return resolveVersionRef(snapshot.versions, ref);
}

/** A version that may be served or checked out: refuses one retired by an erasure (its weights encode erased data). */
export function assertNotRetired(version: VersionRecord): VersionRecord {
  if (version.retired !== undefined) throw new VersionRetiredError(version.versionId, version.ordinal);
  return version;
}

/** What a human serving decision may add: accepting a version outside the change envelope (flagged). */
export interface HumanServeOptions {
  readonly acceptOutsideEnvelope?: boolean;
}

/** Let the trainer consumer move the serving pointer again after a human decision pinned it. */
export async function releasePin(
  services: Pick<ModelServices, 'materializer'>,
  reason: string,
  actor: string,
): Promise<{ released: boolean }> {
  return { released: await services.materializer.releasePin(reason, actor) };
}

export interface PromoteResult {
  readonly versionId: string;
  readonly ordinal: number;
  readonly changed: boolean;
  readonly artifactRebuilt: boolean;
}

/** Serve a version; its artifact is verified first (and rebuilt from the ledger if corrupted). */
export async function promoteVersion(
  services: ModelServices,
  ref: string,
  reason: string,
  actor: string,
  options: HumanServeOptions = {},
): Promise<PromoteResult> {
  const version = assertNotRetired(await resolveVersion(services, ref));
  const { rebuilt } = await services.materializer.ensureArtifact(version);
  const changed = await services.materializer.serve(version.versionId, reason, actor, options);
  return { versionId: version.versionId, ordinal: version.ordinal, changed, artifactRebuilt: rebuilt };
}

export interface RollbackResult {
  readonly versionId: string;
  readonly ordinal: number;
  readonly reused: boolean;
  readonly changed: boolean;
  readonly seconds: number;
}

export type RollbackTarget = { readonly version: string } | { readonly position: number };

/** Serve an earlier version, or the edit set at an earlier position (materialized first if it never was). */
export async function rollback(
  services: ModelServices,
  target: RollbackTarget,
  reason: string,
  actor: string,
  options: HumanServeOptions = {},
): Promise<RollbackResult> {
  const started = performance.now();
  let version;
  let reused: boolean;
  if ('version' in target) {
    version = assertNotRetired(await resolveVersion(services, target.version));
    reused = !(await services.materializer.ensureArtifact(version)).rebuilt;
  } else {
    const result = await services.materializer.materialize({ position: target.position, actor });
    version = result.version;
    reused = result.outcome === 'existing';
  }
  const changed = await services.materializer.serve(version.versionId, reason, actor, options);
  return {
    versionId: version.versionId,
    ordinal: version.ordinal,
    reused,
    changed,
    seconds: (performance.now() - started) / 1000,
  };
}

export interface VerifyOutcome {
  readonly versionId: string;
  readonly ordinal: number;
  readonly identical: boolean;
  readonly recordedSha256: string;
  readonly rebuiltSha256: string;
  readonly differences: readonly string[];
  readonly backend: string;
  readonly storedArtifact: 'intact' | 'repaired' | 'missing' | 'corrupted' | 'deleted';
  readonly seconds: number;
  /** The version was retired by an erasure: its inputs are gone, so it cannot be rebuilt (not a failure). */
  readonly inputsErased?: boolean;
}

/** Rebuild a version from the ledger alone; a missing or corrupted stored artifact is repaired when it matches. */
export async function verifyVersion(services: ModelServices, ref: string): Promise<VerifyOutcome> {
  const version = await resolveVersion(services, ref);
  if (version.retired !== undefined)
    return {
      versionId: version.versionId,
      ordinal: version.ordinal,
      identical: false,
      recordedSha256: version.artifactSha256,
      rebuiltSha256: '',
      differences: [],
      backend: '',
      storedArtifact: 'deleted',
      seconds: 0,
      inputsErased: true,
    };
  const before = await services.artifacts.verify(version.artifactSha256);
  const report = await services.materializer.rebuild(version);
  let storedArtifact: VerifyOutcome['storedArtifact'] = before.ok ? 'intact' : before.missing ? 'missing' : 'corrupted';
  if (!before.ok && report.identical) {
    await services.artifacts.put({ primary: report.primary, files: report.files });
    storedArtifact = 'repaired';
  }
  return {
    versionId: version.versionId,
    ordinal: version.ordinal,
    identical: report.identical,
    recordedSha256: version.artifactSha256,
    rebuiltSha256: report.rebuiltSha256,
    differences: report.differences,
    backend: report.backend,
    storedArtifact,
    seconds: report.durationMs / 1000,
  };
}
