// `editledger materialize [--at POSITION]`: materialize the edit set at a position now (on demand).
import { shortVersionId } from '../../../domain/model-version.ts';
import { ExitCode } from '../command.ts';
import { writeJson } from '../format.ts';
import { actorFrom } from '../ledger-session.ts';
import { modelExitCode, withModels } from '../model-session.ts';
import { byFlag, positionFlag } from '../shared-flags.ts';
import { defineCommand } from '../subcommand.ts';

export const command = defineCommand({
  name: 'materialize',
  summary: 'materialize the edit set at a ledger position as a model version',
  description: `
Replays ALL edits active at POSITION (default: the ledger head) onto the base model with LocFT-BF and records
the model version (ModelVersionMaterialized). If that edit set was materialized before, its version is reused
(and its artifact rebuilt if it is missing or corrupted). Progress on stderr.`,
  flags: {
    at: positionFlag('ledger position of the edit set (default: head)'),
    promote: { type: 'boolean', description: 'also serve the version (ServingVersionChanged)' },
    reason: { type: 'string', default: 'materialized on demand', description: 'reason recorded with --promote' },
    by: byFlag('who asks'),
  },
  exitCodeOf: modelExitCode,
  async run({ flags, home, json }, io) {
    const position = flags.at;
    const actor = actorFrom(flags.by, io.env);
    const promoteReason = flags.promote ? flags.reason : undefined;
    const result = await withModels(io, home, { actor, channel: 'cli' }, (session) =>
      session.materializer.materialize({
        ...(position === undefined ? {} : { position }),
        ...(promoteReason === undefined ? {} : { promoteReason }),
      }),
    );
    if (json)
      writeJson(io, {
        outcome: result.outcome,
        versionId: result.version.versionId,
        ordinal: result.version.ordinal,
        position: result.position,
        editSetHash: result.version.editSetHash,
        edits: result.version.editIds.length,
        artifactSha256: result.version.artifactSha256,
        metrics: result.version.metrics,
        promoted: result.promoted,
        durationMs: result.durationMs,
      });
    else {
      const what =
        result.outcome === 'materialized'
          ? 'materialized'
          : result.outcome === 'existing'
            ? 'already materialized'
            : 'artifact rebuilt for';
      io.stdout.write(
        `${what} version #${result.version.ordinal} ${shortVersionId(result.version.versionId)} (${result.version.editIds.length} edits, edit set at ${result.position})${result.promoted ? ', now serving' : ''}\n`,
      );
    }
    return ExitCode.ok;
  },
});
