// `editledger verify --version V`: rebuild a version from the ledger alone (its edit set at its position, the
// registered base, its recorded policy) and report whether the result is bit-identical to the recorded artifact,
// and which inputs differ when it is not. A missing or corrupted stored artifact is repaired when the rebuild
// matches the recorded sha256.
import { shortVersionId } from '../../../domain/model-version.ts';
import { ExitCode } from '../command.ts';
import { writeJson } from '../format.ts';
import { modelExitCode, resolveVersion, withModels } from '../model-session.ts';
import type { ModelSession } from '../model-session.ts';
import { defineCommand } from '../subcommand.ts';

export interface VerifyOutcome {
  readonly versionId: string;
  readonly ordinal: number;
  readonly identical: boolean;
  readonly recordedSha256: string;
  readonly rebuiltSha256: string;
  readonly differences: readonly string[];
  readonly backend: string;
  readonly storedArtifact: 'intact' | 'repaired' | 'missing' | 'corrupted';
  readonly seconds: number;
}

export async function verifyVersion(session: ModelSession, ref: string): Promise<VerifyOutcome> {
  const version = await resolveVersion(session, ref);
  const before = await session.artifacts.verify(version.artifactSha256);
  const report = await session.materializer.rebuild(version);
  let storedArtifact: VerifyOutcome['storedArtifact'] = before.ok ? 'intact' : before.missing ? 'missing' : 'corrupted';
  if (!before.ok && report.identical) {
    await session.artifacts.put({ primary: report.primary, files: report.files });
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

export const command = defineCommand({
  name: 'verify',
  summary: 'rebuild a model version from the ledger and check it is bit-identical',
  description: `
Rebuilds version V (id, unique id prefix, or #N) from the ledger alone and compares its weights with the
recorded artifact sha256. Exit code 0 when bit-identical, 1 otherwise (the differing inputs are listed).`,
  flags: { version: { type: 'string', required: true, placeholder: 'V', description: 'the version to rebuild' } },
  exitCodeOf: modelExitCode,
  async run({ flags, home, json }, io) {
    return withModels(io, home, { actor: 'cli', source: 'cli' }, async (session) => {
      const outcome = await verifyVersion(session, flags.version);
      if (json) writeJson(io, outcome);
      else {
        io.stdout.write(
          `version #${outcome.ordinal} ${shortVersionId(outcome.versionId)}: ${outcome.identical ? 'bit-identical rebuild' : 'rebuild DIFFERS'} ` +
            `(recorded ${outcome.recordedSha256.slice(0, 12)}, rebuilt ${outcome.rebuiltSha256.slice(0, 12)}, backend ${outcome.backend}, ${outcome.seconds.toFixed(1)} s; stored artifact ${outcome.storedArtifact})\n`,
        );
        for (const d of outcome.differences) io.stdout.write(`  differs: ${d}\n`);
      }
      return outcome.identical ? ExitCode.ok : ExitCode.failure;
    });
  },
});
