// `editledger edit list [--at POSITION]`: the active edit set as of a ledger position.
import { ExitCode } from '../command.ts';
import { renderTable, writeJson } from '../format.ts';
import { withLedgerReadOnly } from '../ledger-session.ts';
import { positionFlag } from '../shared-flags.ts';
import { defineCommand } from '../subcommand.ts';

export const list = defineCommand({
  name: 'edit list',
  summary: 'the active edit set as of a ledger position',
  description: `
Show the active edit set (submitted, not retracted, not superseded) as of a ledger position, in canonical
order (fact key, then edit id), with its editSetHash: the exact set a model version at that position trains on.`,
  flags: { at: positionFlag('a past ledger position (default: the head)') },
  async run({ flags, home, json }, io) {
    const set = await withLedgerReadOnly(io, home, async (session) => (await session.index()).editSetAt(flags.at));
    if (json) {
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
});
