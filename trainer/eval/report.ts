// The evaluation report as a side-by-side text table (metric | n | base | edited | change) and as JSON.
import type { EvalReport, MetricName } from './metric-table.ts';
import { METRIC_LABELS, METRIC_NAMES } from './metric-table.ts';

function cell(v: number | null, metric: MetricName): string {
  if (v === null) return '-';
  return metric === 'perplexity' ? v.toFixed(2) : v.toFixed(3);
}

function change(base: number | null, edited: number | null, metric: MetricName): string {
  if (base === null || edited === null) return '';
  const d = edited - base;
  const s = metric === 'perplexity' ? d.toFixed(2) : d.toFixed(3);
  return d > 0 ? `+${s}` : s;
}

/** Rows with nothing measured (n = 0) are left out; `title` goes above the table. */
export function formatReportTable(report: EvalReport, title?: string): string {
  const header = ['metric', 'n', 'base', 'edited', 'change'];
  const rows = METRIC_NAMES.filter((m) => report.metrics[m].n > 0).map((m) => {
    const r = report.metrics[m];
    return [METRIC_LABELS[m], String(r.n), cell(r.base, m), cell(r.edited, m), change(r.base, r.edited, m)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cols: readonly string[]) =>
    cols
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [
    ...(title ? [title] : []),
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
    `${report.edits} edits evaluated in ${(report.durationMs / 1000).toFixed(1)} s`,
  ];
  return out.join('\n') + '\n';
}

/** Plain JSON (every metric present; null where not measured). */
export function reportJson(report: EvalReport): {
  edits: number;
  durationMs: number;
  metrics: Record<string, { label: string; n: number; base: number | null; edited: number | null }>;
} {
  const metrics: Record<string, { label: string; n: number; base: number | null; edited: number | null }> = {};
  for (const m of METRIC_NAMES) metrics[m] = { label: METRIC_LABELS[m], ...report.metrics[m] };
  return { edits: report.edits, durationMs: Math.round(report.durationMs), metrics };
}
