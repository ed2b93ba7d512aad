// `editledger edit <submit|import|retract|reinstate|list|show>`: the edit ledger from the command line.
import type { CliCommand } from '../command.ts';
import { importEdits } from '../edit/import.ts';
import { list } from '../edit/list.ts';
import { reinstate } from '../edit/reinstate.ts';
import { retract } from '../edit/retract.ts';
import { show } from '../edit/show.ts';
import { submit } from '../edit/submit.ts';
import { commandGroup } from '../subcommand.ts';
import { approve, reject } from '../edit/review.ts';

export const command: CliCommand = commandGroup({
  name: 'edit',
  summary: 'submit, import, retract, reinstate, approve, reject, list and show edits',
  noun: 'command',
  commands: [submit, importEdits, retract, reinstate, approve, reject, list, show],
  notes: `Every command accepts --home DIR and --json.
Exit codes: 0 ok, 1 failure, 2 usage, 3 invalid input, 4 not found, 5 conflict.`,
});
