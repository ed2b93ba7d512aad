// `edit retract` and `edit reinstate` are the same shape of command: a recorded decision about one edit (by id)
// with who and why, applied through the ledger service with the edit index locating the edit's fact.
import { LedgerService } from '../../../domain/edit-use-cases.ts';
import type { CommandContext } from '../../../domain/commands.ts';
import type { RetractEditInput, RetractEditResult } from '../../../domain/edit-use-cases.ts';
import { ExitCode } from '../command.ts';
import { writeJson } from '../format.ts';
import { actorFrom, withLedger } from '../ledger-session.ts';
import { byFlag, REQUIRED_REASON } from '../shared-flags.ts';
import type { DeclaredCommand } from '../subcommand.ts';
import { defineCommand } from '../subcommand.ts';

export interface EditDecision<R extends RetractEditResult> {
  readonly name: string;
  readonly summary: string;
  readonly description: string;
  /** For --by: "who retracts it". */
  readonly who: string;
  decide(service: LedgerService, input: RetractEditInput, context: CommandContext): Promise<R>;
  /** The one line printed without --json. */
  describe(result: R): string;
}

export function editDecisionCommand<R extends RetractEditResult>(decision: EditDecision<R>): DeclaredCommand {
  return defineCommand({
    name: decision.name,
    summary: decision.summary,
    description: decision.description,
    flags: { reason: REQUIRED_REASON, by: byFlag(decision.who) },
    positionals: { placeholder: 'EDIT_ID', min: 1, max: 1 },
    async run({ flags, positionals, home, json }, io) {
      const editId = positionals[0]!.trim().toLowerCase();
      const by = actorFrom(flags.by, io.env);
      const result = await withLedger(io, home, async (session) => {
        const index = await session.index();
        const service = new LedgerService(session.store, { locateEdit: async (id) => index.factKeyOf(id) });
        return decision.decide(service, { editId, reason: flags.reason, by }, { actor: by, channel: 'cli' });
      });
      if (json) writeJson(io, result);
      else io.stdout.write(`${decision.describe(result)}\n`);
      return ExitCode.ok;
    },
  });
}
