// The compliance report as Markdown (for a ticket, a wiki or `less`). Ledger text goes into table cells, so pipes,
// line breaks and HTML-significant characters are neutralised: a prompt cannot break the table or inject markup.
import type { ComplianceReport } from '../../projections/compliance-report.ts';
import {
  againstBase,
  approvalsText,
  historyText,
  pct,
  periodText,
  SECTION_TITLES,
  servedText,
  shortId,
  summaryRows,
  verdictText,
  verificationText,
} from './format.ts';

/** One table cell: no line breaks, no pipes, no `<` that could open a tag or comment (a `<` before a
// space or digit, as in `0.5 < 0.9`, cannot, and stays readable). */
export function mdCell(text: string): string {
  return text
    .replace(/\r?\n|\r/g, ' ')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/<(?=[A-Za-z/!?])/g, '&lt;');
}

function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  if (rows.length === 0) return '_none in this period_\n';
  const line = (cells: readonly string[]) => `| ${cells.map(mdCell).join(' | ')} |`;
  return `${[line(headers), `|${headers.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n')}\n`;
}

export function renderMarkdown(report: ComplianceReport): string {
  const out: string[] = [];
  const h2 = (title: string) => out.push(`\n## ${title}\n`);
  out.push(`# Compliance report\n`);
  out.push(`Period: ${mdCell(periodText(report))}. Generated ${report.generatedAt}. `);
  out.push(
    `Ledger head position ${report.ledger.headPosition} (${report.ledger.events} events, ${report.ledger.eventsInPeriod} in the period).\n`,
  );

  h2(SECTION_TITLES.summary);
  out.push(table(['Record', 'Count'], summaryRows(report)));

  h2(SECTION_TITLES.governance);
  out.push(`${mdCell(report.governance.description)}\n`);

  h2(SECTION_TITLES.edits);
  out.push(
    table(
      [
        'Edit',
        'Submitted',
        'Fact',
        'Prompt',
        'Target',
        'Source',
        'Submitter',
        'Reason',
        'Evidence',
        'Status',
        'Approvals',
        'History',
      ],
      report.edits.map((e) => [
        shortId(e.editId),
        e.submittedAt,
        e.factKey,
        e.prompt,
        e.target,
        `${e.source.system}:${e.source.ref}`,
        e.submittedBy,
        e.reason,
        e.evidenceUrl ?? '-',
        e.status,
        approvalsText(e),
        historyText(e),
      ]),
    ),
  );

  h2(SECTION_TITLES.versions);
  out.push(
    table(
      [
        'Version',
        'Id',
        'Recorded',
        'Edits',
        'Reliability',
        'Generalization',
        'Locality',
        'Perplexity',
        'Unedited facts',
        'Capability',
        'Envelope',
        'Served',
      ],
      report.versions.map((v) => [
        `#${v.ordinal}`,
        shortId(v.versionId),
        v.recordedAt,
        String(v.editCount),
        againstBase(v.metrics.reliability, v.metrics.reliabilityBase),
        pct(v.metrics.generalization),
        pct(v.metrics.locality),
        againstBase(v.metrics.perplexity, v.metrics.perplexityBase),
        againstBase(v.metrics.uneditedFactAccuracy, v.metrics.uneditedFactAccuracyBase),
        pct(v.metrics.capability),
        verdictText(v),
        servedText(v),
      ]),
    ),
  );
  out.push('\n');
  out.push(
    table(
      ['Version', 'Base hash', 'Policy hash', 'Policy', 'Artifact sha256', 'Edit ids'],
      report.versions.map((v) => [
        `#${v.ordinal}`,
        v.baseHash,
        v.policyHash,
        Object.entries(v.policy)
          .map(([k, x]) => `${k}=${String(x)}`)
          .join(' '),
        v.artifactSha256,
        v.editIds.map(shortId).join(' '),
      ]),
    ),
  );

  h2(SECTION_TITLES.serving);
  out.push(
    table(
      ['At', 'Position', 'Version', 'From', 'By', 'Reason', 'Decision', 'Rollback', 'Outside envelope'],
      report.servingChanges.map((c) => [
        c.at,
        String(c.position),
        c.ordinal === null ? shortId(c.versionId) : `#${c.ordinal} ${shortId(c.versionId)}`,
        c.previousVersionId === null ? '-' : shortId(c.previousVersionId),
        c.changedBy,
        c.reason,
        c.automatic ? 'automatic' : 'human',
        c.rollback ? 'ROLLBACK' : '-',
        c.outsideEnvelope ? 'OUTSIDE' : '-',
      ]),
    ),
  );

  h2(SECTION_TITLES.erasures);
  out.push(
    `erasures: ${report.erasures.count}${report.erasures.dates.length ? ` (${report.erasures.dates.join(', ')})` : ''}\n`,
  );

  h2(SECTION_TITLES.verification);
  out.push(`${mdCell(verificationText(report.verification))}\n`);
  const v = report.verification;
  if (v.status !== 'not_available') for (const w of v.warnings) out.push(`\n- warning: ${mdCell(w)}`);
  out.push('\n');

  h2(SECTION_TITLES.retention);
  out.push(`${mdCell(report.retention.statement)}\n`);

  h2(SECTION_TITLES.articles);
  out.push(
    table(
      ['Provision', 'What it asks', 'Where this report shows it'],
      report.articles.map((a) => [a.article, a.asks, a.where]),
    ),
  );
  return out.join('');
}
