// The --help text of a declared command: usage line, description, an aligned options table made from the flag
// declarations (defaults included), the common options, and closing notes.
import type { FlagSpec, FlagSpecs } from './flag-spec.ts';

/** Help lines wrap at this width, so the text reads in an 120-column terminal with room to spare. */
const WIDTH = 116;

export interface HelpSource {
  /** The command after "editledger", e.g. "edit submit". */
  readonly name: string;
  /** The arguments on the usage line; default: positionals, required flags and "[options]". */
  readonly synopsis: string;
  readonly description?: string;
  readonly flags: FlagSpecs;
  readonly common: FlagSpecs;
  readonly notes?: string;
}

function placeholder(flag: FlagSpec): string {
  if (flag.type === 'boolean') return '';
  return ` ${flag.placeholder ?? (flag.type === 'string' ? 'TEXT' : flag.type === 'number' ? 'X' : 'N')}`;
}

function label(name: string, flag: FlagSpec): string {
  return `${flag.short === undefined ? '' : `-${flag.short}, `}--${name}${placeholder(flag)}`;
}

function explanation(flag: FlagSpec): string {
  const repeat = flag.type === 'string' && flag.multiple === true ? ' (repeatable)' : '';
  const value = flag.type === 'boolean' ? undefined : flag.default;
  return `${flag.description}${repeat}${value === undefined ? '' : ` (default: ${value})`}`;
}

/** `text` cut into lines of at most `width` characters at spaces (a longer word keeps its own line). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return line === '' ? lines : [...lines, line];
}

/** Rows of (left, right) with the right column aligned and wrapped under itself. */
export function alignedRows(rows: ReadonlyArray<readonly [string, string]>): string {
  const column = Math.max(...rows.map(([left]) => left.length)) + 4;
  return rows
    .map(([left, right]) =>
      wrap(right, WIDTH - column)
        .map((text, i) => `${(i === 0 ? `  ${left}` : '').padEnd(column)}${text}`)
        .join('\n'),
    )
    .map((line) => `${line}\n`)
    .join('');
}

function optionsTable(flags: FlagSpecs): string {
  return alignedRows(Object.entries(flags).map(([name, flag]) => [label(name, flag), explanation(flag)]));
}

/** "FILE", "[FILE]", "PROMPT ...": how the positionals read on a usage line. */
export function positionalSynopsis(positionals: {
  readonly placeholder: string;
  readonly min: number;
  readonly max: number;
}): string {
  const one = positionals.min === 0 ? `[${positionals.placeholder}]` : positionals.placeholder;
  return positionals.max > 1 ? `${one} ...` : one;
}

/** The synopsis made from the declaration: positionals, required flags with their placeholder, "[options]". */
export function defaultSynopsis(
  flags: FlagSpecs,
  positionals: { readonly placeholder: string; readonly min: number; readonly max: number } | undefined,
): string {
  const words = positionals === undefined || positionals.max === 0 ? [] : [positionalSynopsis(positionals)];
  for (const [name, flag] of Object.entries(flags))
    if (flag.type === 'string' && flag.required === true) words.push(`--${name}${placeholder(flag)}`);
  return [...words, '[options]'].join(' ');
}

export function renderHelp(source: HelpSource): string {
  const parts = [`usage: editledger ${source.name} ${source.synopsis}\n`];
  if (source.description !== undefined) parts.push(`${source.description.trim()}\n`);
  if (Object.keys(source.flags).length > 0) parts.push(`Options:\n${optionsTable(source.flags)}`);
  if (Object.keys(source.common).length > 0) parts.push(`Common options:\n${optionsTable(source.common)}`);
  if (source.notes !== undefined) parts.push(`${source.notes.trim()}\n`);
  return parts.join('\n');
}
