// Output helpers shared by the ledger commands: aligned tables, a progress bar for long imports, and the
// mapping from errors to exit codes and messages (so every command reports failures the same way).
import { EditledgerError } from '../../domain/errors.ts';
import type { ErrorKind } from '../../domain/errors.ts';
import type { CliIO } from './command.ts';
import { ExitCode } from './command.ts';

export interface TableColumn {
  readonly header: string;
  /** Longer cells are cut with an ellipsis. */
  readonly maxWidth?: number;
  /** Fixed width (pad and cut), so a table printed in chunks keeps its columns aligned. */
  readonly width?: number;
  readonly align?: 'left' | 'right';
}

/** C0 and C1 control characters and DEL: the bytes that make a terminal move, clear, beep or change title. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Text from the ledger as it may be shown on a terminal: every control character written as a visible escape
 * (`\x1b`, `\x07`, `\x00`), so an edit's text cannot clear the screen or forge output (issue 18.7). The stored
 * bytes are untouched; only what is printed changes. JSON output needs none of this (JSON escapes them).
 */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function fit(text: string, width: number | undefined): string {
  const oneLine = terminalSafe(text.replace(/[ \t\n\r\f\v]+/g, ' '));
  if (width === undefined || oneLine.length <= width) return oneLine;
  return `${oneLine.slice(0, Math.max(0, width - 1))}…`;
}

/** A plain-text table: header, a rule, one line per row; columns separated by two spaces. */
export function renderTable(
  columns: readonly TableColumn[],
  rows: ReadonlyArray<readonly string[]>,
  options: { header?: boolean } = {},
): string {
  const cells = rows.map((row) => columns.map((column, i) => fit(row[i] ?? '', column.width ?? column.maxWidth)));
  const widths = columns.map(
    (column, i) => column.width ?? Math.max(column.header.length, ...cells.map((row) => row[i]!.length)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((value, i) => (columns[i]?.align === 'right' ? value.padStart(widths[i]!) : value.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const header =
    options.header === false ? [] : [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w)))];
  const body = [...header, ...cells.map(line)];
  return body.length === 0 ? '' : `${body.join('\n')}\n`;
}

export interface ProgressBar {
  update(done: number, note?: string): void;
  finish(note?: string): void;
}

const BAR_WIDTH = 30;

/**
 * A progress bar on `stream`. On a terminal it redraws one line (at most every 100 ms); elsewhere (a log
 * file, a test) it writes a line at every 10% so the output stays short.
 */
export function createProgressBar(stream: NodeJS.WritableStream, label: string, total: number): ProgressBar {
  const tty = (stream as { isTTY?: boolean }).isTTY === true;
  let lastDraw = 0;
  let lastDecile = -1;
  const render = (done: number, note: string | undefined) => {
    const fraction = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}`;
    return `${label} [${bar}] ${done}/${total} ${(fraction * 100).toFixed(0).padStart(3)}%${note ? `  ${note}` : ''}`;
  };
  return {
    update(done, note) {
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < 100) return;
        lastDraw = now;
        stream.write(`\r${render(done, note)}\u001b[K`);
        return;
      }
      const decile = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (decile === lastDecile || decile >= 10) return;
      lastDecile = decile;
      stream.write(`${render(done, note)}\n`);
    },
    finish(note) {
      stream.write(`${tty ? '\r' : ''}${render(total, note)}${tty ? '\u001b[K' : ''}\n`);
    },
  };
}

/** Thrown by commands for bad flags/arguments; mapped to ExitCode.usage with the command's usage text. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The one mapping from error kinds (domain/errors.ts) to exit codes. */
export const EXIT_CODE_BY_KIND: Record<ErrorKind, ExitCode> = {
  invalid_input: ExitCode.invalidInput,
  not_found: ExitCode.notFound,
  conflict: ExitCode.conflict,
  unavailable: ExitCode.failure,
  internal: ExitCode.failure,
};

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof UsageError) return ExitCode.usage;
  if ((error as { code?: unknown })?.code?.toString().startsWith('ERR_PARSE_ARGS')) return ExitCode.usage;
  if (error instanceof EditledgerError) return EXIT_CODE_BY_KIND[error.kind];
  // Node's own "no such file" from reading a path the user named.
  if ((error as NodeJS.ErrnoException)?.code === 'ENOENT') return ExitCode.notFound;
  return ExitCode.failure;
}

/** Parse a non-negative integer flag (a position, a limit) or throw a UsageError naming the flag. */
export function parsePositionFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`${flag}: must be an integer >= 0, got "${value}"`);
  const parsed = Number(value.trim());
  if (!Number.isSafeInteger(parsed)) throw new UsageError(`${flag}: ${value} is too large`);
  return parsed;
}

export function writeJson(io: CliIO, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
