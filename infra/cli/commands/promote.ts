// `editledger promote VERSION --reason TEXT`: serve a version (ServingVersionChanged with actor and reason).
import { shortVersionId } from '../../../domain/model-version.ts';
import { ExitCode } from '../command.ts';
import { writeJson } from '../format.ts';
import { actorFrom } from '../ledger-session.ts';
import { modelExitCode, withModels } from '../model-session.ts';
import { promoteVersion } from '../../../trainer/consumer/model-use-cases.ts';
import { byFlag, REQUIRED_REASON } from '../shared-flags.ts';
import { defineCommand } from '../subcommand.ts';

export const command = defineCommand({
  name: 'promote',
  summary: 'serve a model version',
  description: `
Moves the serving pointer to VERSION (id, unique id prefix, or #N). Its artifact is verified first (and rebuilt
from the ledger if corrupted). Promoting the version already served is a no-op.
A promote is a human decision: it pins the serving version, and the trainer consumer leaves the pointer alone
until \`editledger unpin\`.`,
  flags: {
    reason: REQUIRED_REASON,
    by: byFlag('who serves it'),
    'accept-outside-envelope': {
      type: 'boolean',
      description: 'serve it although it is outside the change envelope (recorded and flagged in reports)',
    },
  },
  positionals: { placeholder: 'VERSION', min: 1, max: 1 },
  exitCodeOf: modelExitCode,
  async run({ flags, positionals, home, json }, io) {
    const { reason } = flags;
    const actor = actorFrom(flags.by, io.env);
    return withModels(io, home, { actor, channel: 'cli' }, async (session) => {
      const result = await promoteVersion(session, positionals[0]!, reason, actor, {
        acceptOutsideEnvelope: flags['accept-outside-envelope'],
      });
      if (json) writeJson(io, result);
      else
        io.stdout.write(
          `${result.changed ? 'now serving' : 'already serving'} #${result.ordinal} ${shortVersionId(result.versionId)}\n`,
        );
      return ExitCode.ok;
    });
  },
});
