// `editledger edit list [--at POSITION]`: the active edit set as of a ledger position.
import { ExitCode } from '../command.ts';
import type { CliIO } from '../command.ts';
import { parsePositionFlag, renderTable, writeJson } from '../format.ts';
import { withLedgerReadOnly } from '../ledger-session.ts';
import type { ParsedFlags, SubcommandSpec } from '../subcommand.ts';
import { COMMON_USAGE, optionalString } from '../subcommand.ts';

const usage = `usage: editledger edit list [--at POSITION]

Show the active edit set (submitted, not retracted, not superseded) as of a ledger position, in canonical
order (fact key, then edit id), with its editSetHash: the exact set a model version at that position trains on.

Options:
  --at POSITION   a past ledger position (default: the head)
${COMMON_USAGE}`;

export const list: SubcommandSpec = {
  title: 'editledger edit list',
  usage,
  options: { at: { type: 'string' } },
  positionals: { min: 0, max: 0, names: '' },
  async run(flags: ParsedFlags, io: CliIO): Promise<number> {
    const at = parsePositionFlag(optionalString(flags, 'at'), '--at');
    const set = await withLedgerReadOnly(io, flags.home, async (session) => (await session.index()).editSetAt(at));
    if (flags.json) {
      const edits = set.edits.map((edit, i) => ({ ...edit, submittedAt: set.submittedAt[i] }));
      writeJson(io, { position: set.position, editSetHash: set.editSetHash, count: set.edits.length, edits });
      return ExitCode.ok;
    }
    io.stdout.write(
      `edit set at position ${set.position}: ${set.edits.length} active edit(s), editSetHash ${set.editSetHash}\n`,
    );
    if (set.edits.length === 0) return ExitCode.ok;
    const columns = [
      { header: 'EDIT ID' },
      { header: 'FACT KEY', maxWidth: 48 },
      { header: 'PROMPT', maxWidth: 48 },
      { header: 'TARGET', maxWidth: 32 },
      { header: 'SUBMITTED AT', align: 'right' as const },
    ];
    const rows = set.edits.map((e, i) => [e.editId, e.factKey, e.prompt, e.target, String(set.submittedAt[i])]);
    io.stdout.write(`\n${renderTable(columns, rows)}`);
    return ExitCode.ok;
  },
};
