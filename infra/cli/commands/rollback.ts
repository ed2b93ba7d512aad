// `editledger rollback --to-version V | --to-position P --reason TEXT`: serve an earlier model state.
// A position whose edit set was materialized before reuses that version's artifact (only a hash check and one
// event); otherwise the edit set at P is materialized first.
import { shortVersionId } from '../../../domain/model-version.ts';
import { ExitCode } from '../command.ts';
import { UsageError, writeJson } from '../format.ts';
import { actorFrom } from '../ledger-session.ts';
import { modelExitCode, withModels } from '../model-session.ts';
import { rollback } from '../../../trainer/consumer/model-use-cases.ts';
import { byFlag, positionFlag, REQUIRED_REASON } from '../shared-flags.ts';
import { defineCommand } from '../subcommand.ts';

// The use case lives with the other model use cases; re-exported for the demo.
export { rollback } from '../../../trainer/consumer/model-use-cases.ts';
export type { RollbackResult } from '../../../trainer/consumer/model-use-cases.ts';

export const command = defineCommand({
  name: 'rollback',
  summary: 'serve an earlier model version or the edit set at an earlier position',
  synopsis: '(--to-version V | --to-position P) --reason TEXT [--by NAME] [options]',
  description: `
Serves the model as it was: version V (id, unique id prefix, or #N), or the edit set at ledger position P.
If that edit set was materialized before, its artifact is reused (target: <= 1 s); otherwise it is rebuilt
from the base with LocFT-BF first. A rollback pins the serving version: the trainer consumer leaves the pointer
alone until \`editledger unpin\`.`,
  flags: {
    'to-version': { type: 'string', placeholder: 'V', description: 'the version to serve' },
    'to-position': { ...positionFlag('serve the edit set at this ledger position'), placeholder: 'P' },
    reason: REQUIRED_REASON,
    by: byFlag('who rolls back'),
    'accept-outside-envelope': {
      type: 'boolean',
      description: 'serve it although it is outside the change envelope (recorded and flagged in reports)',
    },
  },
  exitCodeOf: modelExitCode,
  async run({ flags, home, json }, io) {
    const { 'to-version': version, 'to-position': position, reason } = flags;
    if ((version === undefined) === (position === undefined))
      throw new UsageError('give exactly one of --to-version V or --to-position P');
    const actor = actorFrom(flags.by, io.env);
    return withModels(io, home, { actor, channel: 'cli' }, async (session) => {
      const result = await rollback(
        session,
        version !== undefined ? { version } : { position: position! },
        reason,
        actor,
        { acceptOutsideEnvelope: flags['accept-outside-envelope'] },
      );
      if (json) writeJson(io, result);
      else
        io.stdout.write(
          `${result.changed ? 'now serving' : 'already serving'} #${result.ordinal} ${shortVersionId(result.versionId)} (${result.reused ? 'artifact reused' : 'rebuilt'}, ${result.seconds.toFixed(2)} s)\n`,
        );
      return ExitCode.ok;
    });
  },
});
