// The compliance report as Markdown (for a ticket, a wiki or `less`). Ledger text goes into table cells, so pipes,
// line breaks and HTML-significant characters are neutralised: a prompt cannot break the table or inject markup.
import type { ComplianceReport } from '../../projections/compliance-report.ts';
import { periodText, SECTION_TITLES, verificationText } from './format.ts';
import {
  articlesTable,
  editsTable,
  servingChangesTable,
  summaryTable,
  versionIdentityTable,
  versionMetricsTable,
} from './rows.ts';
import type { ReportTable } from './rows.ts';

/** One table cell: no line breaks, no pipes, no `<` that could open a tag or comment (a `<` before a
// space or digit, as in `0.5 < 0.9`, cannot, and stays readable). */
export function mdCell(text: string): string {
  return text
    .replace(/\r?\n|\r/g, ' ')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/<(?=[A-Za-z/!?])/g, '&lt;');
}

/** A table as Markdown: the cells' text only (Markdown has no marks). */
function table({ headers, rows }: ReportTable): string {
  if (rows.length === 0) return '_none in this period_\n';
  const line = (cells: readonly string[]) => `| ${cells.map(mdCell).join(' | ')} |`;
  const body = rows.map((row) => line(row.map((c) => c.text)));
  return `${[line(headers), `|${headers.map(() => ' --- ').join('|')}|`, ...body].join('\n')}\n`;
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
  out.push(table(summaryTable(report)));

  h2(SECTION_TITLES.governance);
  out.push(`${mdCell(report.governance.description)}\n`);

  h2(SECTION_TITLES.edits);
  out.push(table(editsTable(report)));

  h2(SECTION_TITLES.versions);
  out.push(table(versionMetricsTable(report, true)));
  out.push('\n');
  out.push(table(versionIdentityTable(report, 'short')));

  h2(SECTION_TITLES.serving);
  out.push(table(servingChangesTable(report)));

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
  out.push(table(articlesTable(report)));
  return out.join('');
}
