// `editledger versions`: every materialized model version with its metrics, and which one is served.
import { describeFailing } from '../../../domain/governance.ts';
import { shortVersionId } from '../../../domain/model-version.ts';
import type { VersionRecord, VersionsReadModel } from '../../../projections/versions.ts';
import { ExitCode } from '../command.ts';
import { renderTable, writeJson } from '../format.ts';
import { modelExitCode, withModels } from '../model-session.ts';
import { defineCommand } from '../subcommand.ts';

export function percent(value: number | undefined): string {
  return value === undefined ? '-' : `${(value * 100).toFixed(1)}%`;
}

/** The versions table shared by `versions` and `demo`. */
export function renderVersionsTable(model: VersionsReadModel): string {
  const rows = model.versions.map((v: VersionRecord) => [
    `${model.serving === v.versionId ? '*' : ' '}#${v.ordinal}`,
    shortVersionId(v.versionId),
    String(v.position),
    String(v.editIds.length),
    percent(v.metrics['reliability']),
    percent(v.metrics['generalization']),
    percent(v.metrics['locality']),
    percent(v.metrics['capability']),
    v.metrics['epochs'] === undefined ? '-' : String(v.metrics['epochs']),
    `${(v.durationMs / 1000).toFixed(1)} s`,
    v.verdict === undefined ? '-' : v.verdict.within ? 'within' : 'OUTSIDE',
    v.retired === undefined ? v.artifactSha256.slice(0, 12) : 'RETIRED',
  ]);
  return renderTable(
    [
      { header: 'version' },
      { header: 'id' },
      { header: 'at', align: 'right' },
      { header: 'edits', align: 'right' },
      { header: 'Reliability', align: 'right' },
      { header: 'Generalization', align: 'right' },
      { header: 'Locality', align: 'right' },
      { header: 'Capability', align: 'right' },
      { header: 'epochs', align: 'right' },
      { header: 'time', align: 'right' },
      { header: 'envelope' },
      { header: 'artifact' },
    ],
    rows,
  );
}

export const command = defineCommand({
  name: 'versions',
  summary: 'list model versions with their metrics and the serving pointer',
  description: `
Lists model versions in the order they were materialized: ledger position of their edit set, number of edits,
Reliability / Generalization / Locality / Capability, the verdict against the change envelope, and which version\nis served (*) and whether a human decision pinned it.`,
  flags: {},
  exitCodeOf: modelExitCode,
  async run({ home, json }, io) {
    return withModels(io, home, { actor: 'cli', channel: 'cli', echoLog: false }, async (session) => {
      const { versions } = await session.materializer.readModels();
      if (json) {
        writeJson(io, {
          serving: versions.serving,
          versions: versions.versions,
          servingHistory: versions.servingHistory,
          pinned: versions.pinned,
          governance: versions.governance,
        });
        return ExitCode.ok;
      }
      if (versions.versions.length === 0) {
        io.stdout.write('no model versions yet: run `editledger materialize` or `editledger trainer`\n');
        return ExitCode.ok;
      }
      io.stdout.write(renderVersionsTable(versions));
      io.stdout.write(
        versions.serving === null
          ? 'no version is served yet\n'
          : `* serving #${versions.byId.get(versions.serving)?.ordinal} ${shortVersionId(versions.serving)}${versions.pinned ? ' (pinned by a human decision: `editledger unpin` lets the trainer serve new versions)' : ''}\n`,
      );
      for (const v of versions.versions)
        if (v.verdict !== undefined && !v.verdict.within)
          io.stdout.write(`  #${v.ordinal} is outside the change envelope: ${describeFailing(v.verdict)}\n`);
      for (const v of versions.versions)
        if (v.retired !== undefined)
          io.stdout.write(
            `  #${v.ordinal} is retired: built from data erased at position ${v.retired.position} (its artifact is deleted; it is never served again)\n`,
          );
      return ExitCode.ok;
    });
  },
});
