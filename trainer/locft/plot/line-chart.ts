// Small-multiples line chart (one panel per metric, one coloured line per series, shared legend), drawn on our
// Canvas and returned as PNG bytes. Used by the location sweep (the paper's Figure 5 layout: metric vs layer).
import { Canvas } from './canvas.ts';
import type { Rgb } from './canvas.ts';

export interface ChartSeries {
  readonly name: string;
  /** [x, y] pairs; y null = not measured (the line breaks there). */
  readonly points: readonly (readonly [number, number | null])[];
}

export interface ChartPanel {
  readonly title: string;
  readonly series: readonly ChartSeries[];
}

export interface PanelChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly panels: readonly ChartPanel[];
  readonly yMin?: number;
  readonly yMax?: number;
  readonly columns?: number;
}

const PALETTE: readonly Rgb[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];
const INK: Rgb = [30, 30, 30];
const GRID: Rgb = [225, 225, 225];
const GRID_TEXT: Rgb = [150, 150, 150];

const PANEL_W = 340;
const PANEL_H = 250;
const MARGIN_L = 44;
const MARGIN_B = 34;
const MARGIN_T = 22;
const MARGIN_R = 12;

export function renderPanelChart(spec: PanelChartSpec): Buffer {
  if (spec.panels.length === 0) throw new Error('renderPanelChart: no panels');
  const yMin = spec.yMin ?? 0;
  const yMax = spec.yMax ?? 1;
  const columns = Math.min(spec.columns ?? 2, spec.panels.length);
  const rows = Math.ceil(spec.panels.length / columns);
  const names = [...new Set(spec.panels.flatMap((p) => p.series.map((s) => s.name)))];
  const colorOf = new Map(names.map((n, i) => [n, PALETTE[i % PALETTE.length] ?? INK]));
  const legendRows = Math.ceil(names.length / 4);
  const width = columns * PANEL_W;
  const height = 30 + rows * PANEL_H + 16 + legendRows * 14;
  const canvas = new Canvas(width, height);
  canvas.text((width - Canvas.textWidth(spec.title, 2)) / 2, 8, spec.title, INK, 2);

  const xs = spec.panels.flatMap((p) => p.series.flatMap((s) => s.points.map(([x]) => x)));
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const xTicks = [...new Set(xs)].sort((a, b) => a - b);

  spec.panels.forEach((panel, index) => {
    const ox = (index % columns) * PANEL_W;
    const oy = 30 + Math.floor(index / columns) * PANEL_H;
    const left = ox + MARGIN_L;
    const top = oy + MARGIN_T;
    const w = PANEL_W - MARGIN_L - MARGIN_R;
    const h = PANEL_H - MARGIN_T - MARGIN_B;
    const px = (x: number) => left + (xMax === xMin ? w / 2 : ((x - xMin) / (xMax - xMin)) * w);
    const py = (y: number) => top + h - ((Math.min(Math.max(y, yMin), yMax) - yMin) / (yMax - yMin)) * h;

    canvas.text(left + (w - Canvas.textWidth(panel.title)) / 2, oy + 6, panel.title, INK);
    for (let k = 0; k <= 4; k++) {
      const yv = yMin + ((yMax - yMin) * k) / 4;
      canvas.line(left, py(yv), left + w, py(yv), GRID);
      const label = yv.toFixed(2);
      canvas.text(left - 4 - Canvas.textWidth(label), py(yv) - 3, label, INK);
    }
    // Thin out x tick labels so they never overlap.
    const step = Math.max(1, Math.ceil((xTicks.length * Canvas.textWidth('00')) / (w * 0.8)));
    xTicks.forEach((x, i) => {
      canvas.line(px(x), top + h, px(x), top + h + 3, INK);
      if (i % step === 0) canvas.text(px(x) - Canvas.textWidth(String(x)) / 2, top + h + 6, String(x), INK);
    });
    canvas.line(left, top, left, top + h, INK);
    canvas.line(left, top + h, left + w, top + h, INK);
    canvas.text(left + (w - Canvas.textWidth(spec.xLabel)) / 2, top + h + 18, spec.xLabel, INK);

    const measured = panel.series.some((s) => s.points.some(([, y]) => y !== null && Number.isFinite(y)));
    if (!measured)
      canvas.text(left + (w - Canvas.textWidth('not measured')) / 2, top + h / 2 - 3, 'not measured', GRID_TEXT);
    for (const series of panel.series) {
      const color = colorOf.get(series.name) ?? INK;
      const pts = [...series.points].sort((a, b) => a[0] - b[0]);
      let prev: readonly [number, number] | undefined;
      for (const [x, y] of pts) {
        if (y === null || !Number.isFinite(y)) {
          prev = undefined;
          continue;
        }
        const cur = [px(x), py(y)] as const;
        if (prev) canvas.line(prev[0], prev[1], cur[0], cur[1], color, 2);
        canvas.marker(cur[0], cur[1], color);
        prev = cur;
      }
    }
  });

  const legendTop = 30 + rows * PANEL_H + 8;
  names.forEach((name, i) => {
    const x = 20 + (i % 4) * Math.floor((width - 40) / 4);
    const y = legendTop + Math.floor(i / 4) * 14;
    canvas.fillRect(x, y + 1, 14, 6, colorOf.get(name) ?? INK);
    canvas.text(x + 20, y, name, INK);
  });
  return canvas.toPng();
}
