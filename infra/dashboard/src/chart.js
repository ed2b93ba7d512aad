// @ts-check
/* global ResizeObserver -- browser globals (the root ESLint config knows Node's only) */
// The metrics of every version as a line chart (uPlot, bundled): x is the version number, one line per metric. The
// versions table next to it carries the same numbers for screen readers and keyboard users.
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { METRICS, pct } from './format.js';

/** Colours that stay apart for the common colour-vision deficiencies (Okabe-Ito). */
const COLOURS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7'];
const HEIGHT = 260;

/** @param {{ versions: import('./api.js').Version[] }} props */
export function MetricsChart({ versions }) {
  const box = useRef(/** @type {HTMLDivElement | null} */ (null));
  useEffect(() => {
    const element = box.current;
    if (element === null || versions.length === 0) return;
    /** @type {uPlot.AlignedData} */
    const data = [
      versions.map((v) => v.ordinal),
      ...METRICS.map(([key]) => versions.map((v) => v.metrics[key] ?? null)),
    ];
    /** @type {uPlot.Options} */
    const options = {
      width: Math.max(280, element.clientWidth),
      height: HEIGHT,
      scales: { x: { time: false }, y: { range: (_u, min, max) => [Math.min(0, min), Math.max(1, max)] } },
      axes: [
        {
          label: 'version',
          incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
          values: (_u, splits) => splits.map((s) => (Number.isInteger(s) ? `#${s}` : '')),
        },
        { values: (_u, splits) => splits.map((s) => `${Math.round(s * 100)}%`), size: 56 },
      ],
      series: [
        { label: 'version', value: (_u, v) => (v === null ? '—' : `#${v}`) },
        ...METRICS.map(([, label], i) => ({
          label,
          stroke: COLOURS[i],
          width: 2,
          points: { show: true, size: 7 },
          value: (/** @type {uPlot} */ _u, /** @type {number | null} */ v) => pct(v),
        })),
      ],
    };
    const plot = new uPlot(options, data, element);
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(280, element.clientWidth), height: HEIGHT }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [versions]);
  const summary = `Metrics of ${versions.length} version(s): ${METRICS.map(([, l]) => l).join(', ')}; the table below has the numbers.`;
  return html`<figure class="chart">
    <div ref=${box} class="chart-box" role="img" aria-label=${summary}></div>
    <figcaption>Reliability, generalization, locality and capability by version (higher is better).</figcaption>
  </figure>`;
}
