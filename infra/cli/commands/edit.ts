// `editledger edit <submit|import|retract|reinstate|list|show>`: the edit ledger from the command line.
import type { CliCommand } from '../command.ts';
import { importEdits } from '../edit/import.ts';
import { list } from '../edit/list.ts';
import { reinstate } from '../edit/reinstate.ts';
import { retract } from '../edit/retract.ts';
import { show } from '../edit/show.ts';
import { submit } from '../edit/submit.ts';
import { subcommandGroup } from '../subcommand.ts';
import type { SubcommandSpec } from '../subcommand.ts';

const subcommands: Record<string, SubcommandSpec> = { submit, import: importEdits, retract, reinstate, list, show };

const usage = `usage: editledger edit <command> [options]

commands:
  submit             record one fact correction
  import FILE        import a ZsRE / CounterFact dataset (JSON or JSONL)
  retract EDIT_ID    retract an active edit
  reinstate EDIT_ID  make a retracted or superseded edit active again
  list [--at POS]    the active edit set as of a ledger position
  show EDIT_ID       one edit and its history

Run "editledger edit <command> --help" for its options. Every command accepts --home DIR and --json.
Exit codes: 0 ok, 1 failure, 2 usage, 3 invalid input, 4 not found, 5 conflict.
`;

export const command: CliCommand = subcommandGroup({
  name: 'edit',
  summary: 'submit, import, retract, reinstate, list and show edits',
  usage,
  noun: 'command',
  subcommands,
});
