// `editledger edit show ID`: one edit, its status and every event that touched it.
import { showEdit } from '../../../projections/edit-queries.ts';
import type { EditDetails } from '../../../projections/edit-history.ts';
import { ExitCode } from '../command.ts';
import { renderTable, terminalSafe, writeJson } from '../format.ts';
import { withLedgerReadOnly } from '../ledger-session.ts';
import { defineCommand } from '../subcommand.ts';

function human(details: EditDetails): string {
  const s = details.submitted;
  const lines = [
    `edit        ${details.editId}`,
    `status      ${details.status}${details.supersededBy ? ` (by ${details.supersededBy})` : ''}`,
    `fact key    ${details.factKey}`,
    `prompt      ${s.prompt}`,
    `target      ${s.target}`,
    ...(s.subject === undefined ? [] : [`subject     ${s.subject}`]),
    ...s.rephrase.map((r, i) => `${i === 0 ? 'rephrase    ' : '            '}${r}`),
    ...s.locality.map(
      (l, i) =>
        `${i === 0 ? 'locality    ' : '            '}${l.prompt}${l.answer === undefined ? '' : ` -> ${l.answer}`}`,
    ),
    `source      ${s.source.system} ${s.source.ref}`,
    `submitted   by ${s.submittedBy} at position ${details.submittedAt}: ${s.reason}`,
    ...(s.evidenceUrl === undefined ? [] : [`evidence    ${s.evidenceUrl}`]),
    ...(details.endedAt === undefined ? [] : [`active      positions [${details.submittedAt}, ${details.endedAt})`]),
    ...details.reinstatements.map((r) => `reinstated  by ${r.by} at position ${r.position}: ${r.reason}`),
  ];
  const history = renderTable(
    [
      { header: 'POSITION', align: 'right' },
      { header: 'EVENT' },
      { header: 'AT' },
      { header: 'ACTOR' },
      { header: 'WHAT', maxWidth: 80 },
    ],
    details.history.map((h) => [String(h.position), h.type, h.at, h.actor, h.summary]),
  );
  // Every field is ledger text: escape control characters line by line (the table escapes its own cells).
  return `${lines.map(terminalSafe).join('\n')}\n\n${history}`;
}

export const show = defineCommand({
  name: 'edit show',
  summary: 'one edit and its history',
  description: 'Show one edit: its content, status (active, retracted, superseded) and history.',
  flags: {},
  positionals: { placeholder: 'EDIT_ID', min: 1, max: 1 },
  async run({ positionals, home, json }, io) {
    const details = await withLedgerReadOnly(io, home, async (session) => {
      const index = await session.index();
      return showEdit(session.store, (id) => index.factKeyOf(id), positionals[0]!);
    });
    if (json) writeJson(io, details);
    else io.stdout.write(human(details));
    return ExitCode.ok;
  },
});
