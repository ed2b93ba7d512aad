// `editledger promote VERSION --reason TEXT`: serve a version (ServingVersionChanged with actor and reason).
import { shortVersionId } from '../../../domain/model-version.ts';
import type { CliCommand } from '../command.ts';
import { ExitCode } from '../command.ts';
import { writeJson } from '../format.ts';
import { actorFrom } from '../ledger-session.ts';
import { guardModelErrors, resolveVersion, withModels } from '../model-session.ts';
import { COMMON_USAGE, optionalString, requireString, runSubcommand } from '../subcommand.ts';
import type { SubcommandSpec } from '../subcommand.ts';

const usage = `usage: editledger promote VERSION --reason TEXT [--by NAME]

Moves the serving pointer to VERSION (id, unique id prefix, or #N). Its artifact is verified first (and rebuilt
from the ledger if corrupted). Promoting the version already served is a no-op.
${COMMON_USAGE}`;

const spec: SubcommandSpec = {
  title: 'editledger promote',
  usage,
  options: { reason: { type: 'string' }, by: { type: 'string' } },
  positionals: { min: 1, max: 1, names: 'exactly one VERSION' },
  async run(flags, io) {
    return guardModelErrors(spec.title, io, flags.json, async () => {
      const reason = requireString(flags, 'reason');
      const actor = actorFrom(optionalString(flags, 'by'), io.env);
      return withModels(io, flags.home, { actor, source: 'cli' }, async (session) => {
        const version = await resolveVersion(session, flags.positionals[0]!);
        const { rebuilt } = await session.materializer.ensureArtifact(version);
        const changed = await session.materializer.serve(version.versionId, reason, actor);
        if (flags.json)
          writeJson(io, { versionId: version.versionId, ordinal: version.ordinal, changed, artifactRebuilt: rebuilt });
        else
          io.stdout.write(
            `${changed ? 'now serving' : 'already serving'} #${version.ordinal} ${shortVersionId(version.versionId)}\n`,
          );
        return ExitCode.ok;
      });
    });
  },
};

export const command: CliCommand = {
  name: 'promote',
  summary: 'serve a model version',
  usage,
  run: (argv, io) => runSubcommand(spec, argv, io),
};
