// One table format for every benchmark: a Markdown pipe table, readable in a terminal and pasteable into notes.

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${widths.map((w, i) => (cells[i] ?? '').padEnd(w)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** One measured quantity next to its same-process baseline. */
export interface BenchRow {
  readonly metric: string;
  readonly unit: string;
  readonly editledger: number;
  readonly raw: number;
  /** How many times better editledger is than the baseline (higher is better, whatever the unit). */
  readonly ratio: number;
  readonly target?: string;
}

/** A positive integer from the environment (benchmark sizes), else the fallback. */
export function envInt(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isSafeInteger(value) && value > 0 ? value : fallback;
}
