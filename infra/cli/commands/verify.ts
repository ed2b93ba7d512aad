// `editledger verify --version V`: rebuild a version from the ledger alone (its edit set at its position, the
// registered base, its recorded policy) and report whether the result is bit-identical to the recorded artifact,
// and which inputs differ when it is not. A missing or corrupted stored artifact is repaired when the rebuild
// matches the recorded sha256.
import { shortVersionId } from '../../../domain/model-version.ts';
import { ExitCode } from '../command.ts';
import { writeJson } from '../format.ts';
import { modelExitCode, withModels } from '../model-session.ts';
import { verifyVersion } from '../../../trainer/consumer/model-use-cases.ts';
import { defineCommand } from '../subcommand.ts';

// The use case lives with the other model use cases; re-exported for the demo.
export { verifyVersion } from '../../../trainer/consumer/model-use-cases.ts';
export type { VerifyOutcome } from '../../../trainer/consumer/model-use-cases.ts';

export const command = defineCommand({
  name: 'verify',
  summary: 'rebuild a model version from the ledger and check it is bit-identical',
  description: `
Rebuilds version V (id, unique id prefix, or #N) from the ledger alone and compares its weights with the
recorded artifact sha256. Exit code 0 when bit-identical, 1 otherwise (the differing inputs are listed).`,
  flags: { version: { type: 'string', required: true, placeholder: 'V', description: 'the version to rebuild' } },
  exitCodeOf: modelExitCode,
  async run({ flags, home, json }, io) {
    return withModels(io, home, { actor: 'cli', channel: 'cli' }, async (session) => {
      const outcome = await verifyVersion(session, flags.version);
      if (json) writeJson(io, outcome);
      else if (outcome.inputsErased === true)
        io.stdout.write(
          `version #${outcome.ordinal} ${shortVersionId(outcome.versionId)}: inputs erased (retired by an erasure; its artifact is deleted and it cannot be rebuilt)\n`,
        );
      else {
        io.stdout.write(
          `version #${outcome.ordinal} ${shortVersionId(outcome.versionId)}: ${outcome.identical ? 'bit-identical rebuild' : 'rebuild DIFFERS'} ` +
            `(recorded ${outcome.recordedSha256.slice(0, 12)}, rebuilt ${outcome.rebuiltSha256.slice(0, 12)}, backend ${outcome.backend}, ${outcome.seconds.toFixed(1)} s; stored artifact ${outcome.storedArtifact})\n`,
        );
        for (const d of outcome.differences) io.stdout.write(`  differs: ${d}\n`);
      }
      // A retired version is not a failed check: its inputs were erased on purpose, and the ledger says so.
      return outcome.identical || outcome.inputsErased === true ? ExitCode.ok : ExitCode.failure;
    });
  },
});
