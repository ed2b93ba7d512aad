// The compliance report as ONE self-contained HTML file: inline CSS (with a print stylesheet, so "Print to PDF"
// gives clean pages), inline SVG charts and no script. Every string from the ledger goes through `esc`: a prompt
// holding `<script>` is shown as text, never run.
import type { ComplianceReport } from '../../projections/compliance-report.ts';
import { editsChart, metricsChart } from './charts.ts';
import { periodText, SECTION_TITLES, verificationText } from './format.ts';
import {
  articlesTable,
  editsTable,
  pinReleasesTable,
  servingChangesTable,
  summaryTable,
  versionIdentityTable,
  versionMetricsTable,
} from './rows.ts';
import type { Cell, ReportTable } from './rows.ts';

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const CSS = `
body { font: 13px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1b1b; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; border-bottom: 2px solid #4269d0; padding-bottom: .2rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0; font-size: 12px; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #eef2fb; }
td.mono, span.mono { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 11px; word-break: break-all; }
.flag { color: #b00020; font-weight: 600; }
.ok { color: #1b7f3b; font-weight: 600; }
.meta { color: #555; }
.chart { margin: .6rem 0; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10px; }
  section.major { break-before: page; }
  h2 { break-after: avoid; }
  table { font-size: 9px; }
  thead { display: table-header-group; }
  tr, .chart, figure { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
`;

function cell({ text, mark }: Cell): string {
  switch (mark) {
    case undefined:
      return `<td>${esc(text)}</td>`;
    case 'mono':
      return `<td class="mono">${esc(text)}</td>`;
    case 'unflagged':
      return `<td class="">${esc(text)}</td>`;
    default:
      return `<td class=""><span class="${mark}">${esc(text)}</span></td>`;
  }
}

function table({ headers, rows }: ReportTable): string {
  if (rows.length === 0) return '<p class="meta">None in this period.</p>';
  return `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map(cell).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function section(title: string, body: string, major = false): string {
  return `<section${major ? ' class="major"' : ''}><h2>${esc(title)}</h2>${body}</section>`;
}

function versionsTables(report: ComplianceReport): string {
  const metrics = table(versionMetricsTable(report, false));
  const identity = table(versionIdentityTable(report, 'full'));
  return `${metrics}<div class="chart">${metricsChart(report)}</div><h3>Identity and provenance</h3>${identity}`;
}

function servingTable(report: ComplianceReport): string {
  const releases = report.pinReleases.length === 0 ? '' : `<h3>Pin releases</h3>${table(pinReleasesTable(report))}`;
  return table(servingChangesTable(report)) + releases;
}

export function renderHtml(report: ComplianceReport): string {
  const summary = table(summaryTable(report));
  const v = report.verification;
  const verification = `<p class="${v.status === 'intact' ? 'ok' : v.status === 'broken' ? 'flag' : 'meta'}">${esc(verificationText(v))}</p>${
    v.status === 'not_available' || v.warnings.length === 0
      ? ''
      : `<ul>${v.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`
  }`;
  const erasures = `<p>erasures: ${report.erasures.count}</p>${
    report.erasures.dates.length === 0
      ? ''
      : `<ul>${report.erasures.dates.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>`
  }`;
  const body = [
    `<h1>Compliance report</h1><p class="meta">Period: ${esc(periodText(report))}. Generated ${esc(report.generatedAt)}. Ledger head position ${report.ledger.headPosition} (${report.ledger.events} events, ${report.ledger.eventsInPeriod} in the period).</p>`,
    section(SECTION_TITLES.summary, summary),
    section(SECTION_TITLES.governance, `<p>${esc(report.governance.description)}</p>`),
    section(SECTION_TITLES.edits, `<div class="chart">${editsChart(report)}</div>${table(editsTable(report))}`, true),
    section(SECTION_TITLES.versions, versionsTables(report), true),
    section(SECTION_TITLES.serving, servingTable(report), true),
    section(SECTION_TITLES.erasures, erasures),
    section(SECTION_TITLES.verification, verification),
    section(SECTION_TITLES.retention, `<p>${esc(report.retention.statement)}</p>`),
    section(SECTION_TITLES.articles, table(articlesTable(report)), true),
  ].join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Compliance report ${esc(periodText(report))}</title><style>${CSS}</style></head>
<body>
${body}
</body></html>
`;
}
