// `editledger unpin --reason TEXT`: release the pin a human promote or rollback set, so the trainer consumer may
// move the serving pointer again (ServingPinReleased, with actor and reason).
import { ExitCode } from '../command.ts';
import { writeJson } from '../format.ts';
import { actorFrom } from '../ledger-session.ts';
import { modelExitCode, withModels } from '../model-session.ts';
import { byFlag, REQUIRED_REASON } from '../shared-flags.ts';
import { defineCommand } from '../subcommand.ts';
import { releasePin } from '../../../trainer/consumer/model-use-cases.ts';

export const command = defineCommand({
  name: 'unpin',
  summary: 'let the trainer consumer serve new versions again after a manual promote or rollback',
  flags: { reason: REQUIRED_REASON, by: byFlag('who releases the pin') },
  exitCodeOf: modelExitCode,
  async run({ flags, home, json }, io) {
    const actor = actorFrom(flags.by, io.env);
    return withModels(io, home, { actor, channel: 'cli', echoLog: false }, async (session) => {
      const result = await releasePin(session, flags.reason, actor);
      if (json) writeJson(io, result);
      else
        io.stdout.write(
          result.released ? 'pin released: the trainer may serve new versions again\n' : 'nothing was pinned\n',
        );
      return ExitCode.ok;
    });
  },
});
