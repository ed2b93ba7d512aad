// `editledger materialize [--at POSITION]`: materialize the edit set at a position now (on demand).
import { shortVersionId } from '../../../domain/model-version.ts';
import type { CliCommand } from '../command.ts';
import { ExitCode } from '../command.ts';
import { parsePositionFlag, writeJson } from '../format.ts';
import { actorFrom } from '../ledger-session.ts';
import { guardModelErrors, withModels } from '../model-session.ts';
import { COMMON_USAGE, optionalString, runSubcommand } from '../subcommand.ts';
import type { SubcommandSpec } from '../subcommand.ts';

const usage = `usage: editledger materialize [--at POSITION] [options]

Replays ALL edits active at POSITION (default: the ledger head) onto the base model with LocFT-BF and records
the model version (ModelVersionMaterialized). If that edit set was materialized before, its version is reused
(and its artifact rebuilt if it is missing or corrupted). Progress on stderr.

Options:
  --at POSITION   ledger position of the edit set (default: head)
  --promote       also serve the version (ServingVersionChanged)
  --reason TEXT   reason recorded with --promote (default: "materialized on demand")
  --by NAME       who asks (default: $EDITLEDGER_ACTOR, else $USER)
${COMMON_USAGE}`;

const spec: SubcommandSpec = {
  title: 'editledger materialize',
  usage,
  options: {
    at: { type: 'string' },
    promote: { type: 'boolean', default: false },
    reason: { type: 'string' },
    by: { type: 'string' },
  },
  positionals: { min: 0, max: 0, names: '' },
  async run(flags, io) {
    return guardModelErrors(spec.title, io, flags.json, async () => {
      const position = parsePositionFlag(optionalString(flags, 'at'), '--at');
      const actor = actorFrom(optionalString(flags, 'by'), io.env);
      const promoteReason =
        flags.values['promote'] === true ? (optionalString(flags, 'reason') ?? 'materialized on demand') : undefined;
      const result = await withModels(io, flags.home, { actor, source: 'cli' }, (session) =>
        session.materializer.materialize({
          ...(position === undefined ? {} : { position }),
          ...(promoteReason === undefined ? {} : { promoteReason }),
        }),
      );
      if (flags.json)
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
    });
  },
};

export const command: CliCommand = {
  name: 'materialize',
  summary: 'materialize the edit set at a ledger position as a model version',
  usage,
  run: (argv, io) => runSubcommand(spec, argv, io),
};
