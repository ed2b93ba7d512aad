// `editledger report`: the compliance report (issue 13) of a period, as HTML (one self-contained file that prints
// to PDF), Markdown or JSON (validated against the published schema); `--schema` prints that schema.
import { chmodSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidFieldError } from '../../../domain/errors.ts';
import { buildComplianceReport, complianceReportJsonSchema } from '../../../projections/compliance-report.ts';
import { loadPublicKey } from '../../audit/keys.ts';
import { readLedgerEvents, verifyForReport } from '../../report/load.ts';
import { parseReportPeriod } from '../../report/period.ts';
import { REPORT_FORMATS, renderReport } from '../../report/render.ts';
import type { ReportFormat } from '../../report/render.ts';
import { ExitCode } from '../command.ts';
import { UsageError } from '../format.ts';
import { withLedgerReadOnly } from '../ledger-session.ts';
import { defineCommand } from '../subcommand.ts';
import { chainScopeOf } from '../../eventstore/open.ts';

function usageErrorOf(error: unknown): unknown {
  return error instanceof InvalidFieldError ? new UsageError(error.message) : error;
}

export const command = defineCommand({
  name: 'report',
  summary: 'the compliance report of a period (html, md or json) with its published JSON schema',
  synopsis: '[--from DATE] [--to DATE] --format html|json|md [--out FILE] [--public-key FILE] | --schema',
  description: `
Everything an auditor files for a period [--from, --to) (by the events' recorded time): a summary; every edit with
its provenance; every model version with its edit set, base and policy hashes, artifact sha256, metrics against
the base, envelope verdict and serving periods; serving changes and rollbacks; erasures (counts and dates); the
chain and signature verification; the retention; and a table mapping these records to the EU AI Act.`,
  flags: {
    from: {
      type: 'string',
      placeholder: 'DATE',
      description: 'start of the period, inclusive (YYYY-MM-DD or ISO timestamp)',
    },
    to: {
      type: 'string',
      placeholder: 'DATE',
      description: 'end of the period, exclusive (YYYY-MM-DD or ISO timestamp)',
    },
    format: { type: 'string', choices: REPORT_FORMATS, placeholder: 'FORMAT', description: 'html, json or md' },
    out: { type: 'string', placeholder: 'FILE', description: 'write the report to FILE (mode 0644) instead of stdout' },
    'public-key': {
      type: 'string',
      placeholder: 'FILE',
      description: "the auditor's public key (PEM): the verification also checks every checkpoint's signature",
    },
    schema: { type: 'boolean', description: 'print the JSON Schema of the JSON report and exit' },
  },
  async run({ flags, home, json }, io) {
    if (flags.schema === true) {
      io.stdout.write(`${JSON.stringify(complianceReportJsonSchema(), null, 2)}\n`);
      return ExitCode.ok;
    }
    const format = (flags.format ?? (json ? 'json' : undefined)) as ReportFormat | undefined;
    if (format === undefined) throw new UsageError('--format: required (html, json or md), or --schema');
    let period;
    try {
      period = parseReportPeriod(flags.from, flags.to, { from: '--from', to: '--to' });
    } catch (error) {
      throw usageErrorOf(error);
    }
    const publicKey =
      flags['public-key'] === undefined ? undefined : loadPublicKey(flags['public-key'], '--public-key');
    const text = await withLedgerReadOnly(io, home, async (session) => {
      const events = await readLedgerEvents(session.store);
      const verification = await verifyForReport(session.store, {
        scope: chainScopeOf(session.config.eventStore),
        ...(publicKey === undefined ? {} : { publicKey }),
      });
      return renderReport(buildComplianceReport(events, { period, verification, generatedAt: new Date() }), format);
    });
    if (flags.out === undefined) io.stdout.write(text);
    else {
      const path = resolve(io.cwd, flags.out);
      writeFileSync(path, text, { mode: 0o644 });
      chmodSync(path, 0o644); // the umask may have narrowed it; the report is meant to be handed on
      io.stderr.write(`report written to ${path}\n`);
    }
    return ExitCode.ok;
  },
});
