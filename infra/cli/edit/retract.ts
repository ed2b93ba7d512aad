// `editledger edit retract ID --reason TEXT`: end an active edit.
import { LedgerService } from '../../ledger/ledger-service.ts';
import { ExitCode } from '../command.ts';
import type { CliIO } from '../command.ts';
import { writeJson } from '../format.ts';
import { actorFrom, withLedger } from '../ledger-session.ts';
import type { ParsedFlags, SubcommandSpec } from '../subcommand.ts';
import { COMMON_USAGE, optionalString, requireString } from '../subcommand.ts';

const usage = `usage: editledger edit retract EDIT_ID --reason TEXT [--by NAME]

Retract an active edit: from the next position on it is no longer in the edit set. The edit it superseded,
if any, stays superseded. Retracting an unknown, retracted or superseded edit fails.

Options:
  --reason TEXT   why (kept in the ledger)
  --by NAME       who retracts it (default: $EDITLEDGER_ACTOR, else $USER)
${COMMON_USAGE}`;

export const retract: SubcommandSpec = {
  title: 'editledger edit retract',
  usage,
  options: { reason: { type: 'string' }, by: { type: 'string' } },
  positionals: { min: 1, max: 1, names: 'exactly one EDIT_ID' },
  async run(flags: ParsedFlags, io: CliIO): Promise<number> {
    const editId = flags.positionals[0]!.trim().toLowerCase();
    const reason = requireString(flags, 'reason');
    const by = actorFrom(optionalString(flags, 'by'), io.env);
    const result = await withLedger(io, flags.home, async (session) => {
      const index = await session.index();
      const service = new LedgerService(session.store, { locateEdit: async (id) => index.factKeyOf(id) });
      return service.retractEdit({ editId, reason, by }, { actor: by, source: 'cli' });
    });
    if (flags.json) writeJson(io, result);
    else io.stdout.write(`retracted edit ${result.editId} (fact ${result.factKey}) at position ${result.position}\n`);
    return ExitCode.ok;
  },
};
