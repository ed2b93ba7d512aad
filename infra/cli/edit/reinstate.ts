// `editledger edit reinstate ID --reason TEXT`: bring a retracted or superseded edit back.
import { LedgerService } from '../../ledger/ledger-service.ts';
import { ExitCode } from '../command.ts';
import type { CliIO } from '../command.ts';
import { writeJson } from '../format.ts';
import { actorFrom, withLedger } from '../ledger-session.ts';
import type { ParsedFlags, SubcommandSpec } from '../subcommand.ts';
import { COMMON_USAGE, optionalString, requireString } from '../subcommand.ts';

const usage = `usage: editledger edit reinstate EDIT_ID --reason TEXT [--by NAME]

Make a retracted or superseded edit active again, as a recorded decision (an EditReinstated event with who
and why). If its fact has another active edit now, the reinstated one supersedes it. Re-submitting or
re-importing a correction never does this: a redelivery of a known upstream id changes nothing.

Options:
  --reason TEXT   why (kept in the ledger)
  --by NAME       who reinstates it (default: $EDITLEDGER_ACTOR, else $USER)
${COMMON_USAGE}`;

export const reinstate: SubcommandSpec = {
  title: 'editledger edit reinstate',
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
      return service.reinstateEdit({ editId, reason, by }, { actor: by, source: 'cli' });
    });
    if (flags.json) writeJson(io, result);
    else {
      const superseding = result.supersededEditId === undefined ? '' : `, superseding ${result.supersededEditId}`;
      io.stdout.write(
        `reinstated edit ${result.editId} (fact ${result.factKey}) at position ${result.position}${superseding}\n`,
      );
    }
    return ExitCode.ok;
  },
};
