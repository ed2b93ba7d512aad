// The report's charts, drawn server-side with Observable Plot into a linkedom document and serialised as inline
// SVG: no script runs in the report, so it opens (and prints) the same way everywhere, offline.
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import type { ComplianceReport } from '../../projections/compliance-report.ts';

export const METRICS_CHART_LABEL = 'metrics per version';
export const EDITS_CHART_LABEL = 'edits per day';

const CHARTED = ['reliability', 'generalization', 'locality', 'capability'] as const;

// Plot's and linkedom's typings name the DOM's Document and SVGElement, which this project (no DOM lib) cannot
// resolve; these two narrow views are all the charts need from them.
interface Rendered {
  readonly outerHTML: string;
}
const parseDocument = parseHTML as unknown as (html: string) => { readonly document: object };
const plotWith = Plot.plot as unknown as (options: Record<string, unknown>) => Rendered;

/** The frame every report chart shares, so they line up on the page. */
const FRAME = { width: 680, marginLeft: 48, style: { fontSize: '11px' } } as const;

/** Plot.plot in the report's frame, drawn into a fresh server-side document (linkedom implements what Plot touches). */
function plot(options: Omit<Plot.PlotOptions, 'document'>): string {
  const { document } = parseDocument('<!doctype html><html><head></head><body></body></html>');
  return plotWith({ ...FRAME, ...options, document }).outerHTML;
}

/** Reliability, generalization, locality and capability of every version in the report, as lines with dots. */
export function metricsChart(report: ComplianceReport): string {
  const points = report.versions.flatMap((v) =>
    CHARTED.flatMap((metric) => {
      const value = v.metrics[metric];
      return value === undefined ? [] : [{ version: v.ordinal, metric, value }];
    }),
  );
  return plot({
    ariaLabel: METRICS_CHART_LABEL,
    height: 260,
    x: { label: 'version #', ticks: report.versions.map((v) => v.ordinal), tickFormat: (d: number) => `#${d}` },
    y: { label: 'share', domain: [0, 1], grid: true, tickFormat: '.0%' },
    color: { legend: true, domain: [...CHARTED] },
    marks: [
      Plot.ruleY([0]),
      Plot.lineY(points, { x: 'version', y: 'value', stroke: 'metric' }),
      Plot.dot(points, { x: 'version', y: 'value', fill: 'metric', r: 3 }),
    ],
  });
}

/** Edits submitted per day of the period, as bars. */
export function editsChart(report: ComplianceReport): string {
  return plot({
    ariaLabel: EDITS_CHART_LABEL,
    height: 220,
    x: { label: 'day', type: 'band' },
    y: { label: 'edits submitted', grid: true },
    marks: [Plot.barY(report.editsPerDay, { x: 'day', y: 'submitted', fill: '#4269d0' }), Plot.ruleY([0])],
  });
}
