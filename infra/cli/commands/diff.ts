// `editledger diff V1 V2`: edits added and removed between two versions, and how their metrics moved.
import { shortVersionId } from '../../../domain/model-version.ts';
import { diffVersions } from '../../../projections/versions.ts';
import { ExitCode } from '../command.ts';
import { renderTable, writeJson } from '../format.ts';
import { modelExitCode, resolveVersion, withModels } from '../model-session.ts';
import { defineCommand } from '../subcommand.ts';

export const command = defineCommand({
  name: 'diff',
  summary: 'edits and metric changes between two model versions',
  synopsis: 'V1 V2 [options]',
  description: `
Compares two model versions (id, unique id prefix, or #N): edits added in V2, edits removed from V1 (with their
prompt and target), whether base and policy are the same, and each metric's change.`,
  flags: {},
  positionals: { placeholder: 'V', min: 2, max: 2, expects: 'two versions V1 V2' },
  exitCodeOf: modelExitCode,
  async run({ positionals, home, json }, io) {
    return withModels(io, home, { actor: 'cli', channel: 'cli', echoLog: false }, async (session) => {
      const from = await resolveVersion(session, positionals[0]!);
      const to = await resolveVersion(session, positionals[1]!);
      const diff = diffVersions(from, to);
      // Edit content from the edit index, as of each version's own position.
      const index = await session.ledger.index();
      const describe = (position: number, ids: readonly string[]) => {
        const set = new Map(index.editSetAt(position).edits.map((e) => [e.editId, e]));
        return ids.map((id) => ({
          editId: id,
          prompt: set.get(id)?.prompt ?? '',
          target: set.get(id)?.target ?? '',
          factKey: set.get(id)?.factKey ?? '',
        }));
      };
      const byFact = (a: { factKey: string }, b: { factKey: string }) =>
        a.factKey < b.factKey ? -1 : a.factKey > b.factKey ? 1 : 0;
      const added = describe(to.position, diff.added).sort(byFact);
      const removed = describe(from.position, diff.removed).sort(byFact);
      if (json) {
        writeJson(io, {
          from: from.versionId,
          to: to.versionId,
          added,
          removed,
          unchanged: diff.unchanged,
          sameBase: diff.sameBase,
          samePolicy: diff.samePolicy,
          metrics: diff.metrics,
        });
        return ExitCode.ok;
      }
      io.stdout.write(
        `#${from.ordinal} ${shortVersionId(from.versionId)} (edit set at ${from.position}) -> #${to.ordinal} ${shortVersionId(to.versionId)} (edit set at ${to.position})\n`,
      );
      io.stdout.write(
        `${diff.added.length} added, ${diff.removed.length} removed, ${diff.unchanged} unchanged; base ${diff.sameBase ? 'same' : 'DIFFERENT'}, policy ${diff.samePolicy ? 'same' : 'DIFFERENT'}\n`,
      );
      const edits = [
        ...added.map((e) => ['+', e.factKey, e.prompt, e.target]),
        ...removed.map((e) => ['-', e.factKey, e.prompt, e.target]),
      ];
      if (edits.length > 0)
        io.stdout.write(
          renderTable(
            [
              { header: '' },
              { header: 'fact', maxWidth: 40 },
              { header: 'prompt', maxWidth: 50 },
              { header: 'target', maxWidth: 30 },
            ],
            edits,
          ),
        );
      const fmt = (v: number | undefined) => (v === undefined ? '-' : Number.isInteger(v) ? String(v) : v.toFixed(4));
      io.stdout.write(
        renderTable(
          [
            { header: 'metric' },
            { header: 'from', align: 'right' },
            { header: 'to', align: 'right' },
            { header: 'change', align: 'right' },
          ],
          diff.metrics.map((m) => [
            m.name,
            fmt(m.from),
            fmt(m.to),
            m.delta === undefined ? '-' : `${m.delta >= 0 ? '+' : ''}${fmt(m.delta)}`,
          ]),
        ),
      );
      return ExitCode.ok;
    });
  },
});
