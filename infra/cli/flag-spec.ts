// A command's flags, declared once: their type, default and description. The parser options, the typed values a
// command's body receives and the options table of its --help all come from this declaration.
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './format.ts';

/** A range or shape a number flag must have; `rule` completes "--flag: must be ...". */
export interface NumberRule {
  readonly ok: (value: number) => boolean;
  readonly rule: string;
}

interface FlagBase {
  readonly description: string;
  /** The value's name in --help, e.g. DIR (default: TEXT for strings, X for numbers, N for integers). */
  readonly placeholder?: string;
  readonly short?: string;
}

export interface StringFlag extends FlagBase {
  readonly type: 'string';
  readonly multiple?: boolean;
  readonly required?: boolean;
  readonly default?: string;
  /** The only values accepted; anything else is a usage error naming the flag. */
  readonly choices?: readonly string[];
}

export interface BooleanFlag extends FlagBase {
  readonly type: 'boolean';
}

export interface NumberFlag extends FlagBase {
  readonly type: 'number' | 'integer';
  readonly default?: number;
  readonly check?: NumberRule;
}

export type FlagSpec = StringFlag | BooleanFlag | NumberFlag;
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** What a command's body gets for one declared flag. */
export type FlagValue<F> = F extends { readonly type: 'boolean' }
  ? boolean
  : F extends { readonly type: 'number' | 'integer' }
    ? F extends { readonly default: number }
      ? number
      : number | undefined
    : F extends { readonly multiple: true }
      ? string[]
      : F extends { readonly choices: readonly (infer C)[] }
        ? C
        : F extends { readonly default: string } | { readonly required: true }
          ? string
          : string | undefined;

export type FlagValues<F extends FlagSpecs> = { -readonly [K in keyof F]: FlagValue<F[K]> };

/** --home, --json and --help, on every command unless it redefines them (generate documents its own --home). */
export const COMMON_FLAGS = {
  home: {
    type: 'string',
    placeholder: 'DIR',
    description: 'where editledger keeps its files (default: $EDITLEDGER_HOME, else ./.editledger)',
  },
  json: { type: 'boolean', description: 'machine-readable output on stdout' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const satisfies FlagSpecs;

export const POSITION: NumberRule = { ok: (n) => Number.isSafeInteger(n) && n >= 0, rule: 'an integer >= 0' };
export const POSITIVE_INTEGER: NumberRule = { ok: (n) => n >= 1, rule: 'a positive integer' };

/** `flags` with "(default: ...)" added to the descriptions named in `notes`: one flag set, per-command defaults. */
export function withDefaultNotes<F extends FlagSpecs>(flags: F, notes: { readonly [K in keyof F]?: string }): F {
  const described = Object.entries(flags).map(([name, flag]) => {
    const note = notes[name as keyof F];
    return [name, note === undefined ? flag : { ...flag, description: `${flag.description} (default: ${note})` }];
  });
  return Object.fromEntries(described) as F;
}

type ParserOptions = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs options: numbers are read as strings and converted afterwards, to name the flag on error. */
export function parserOptions(flags: FlagSpecs): ParserOptions {
  const options: ParserOptions = {};
  for (const [name, flag] of Object.entries(flags)) {
    const short = flag.short === undefined ? {} : { short: flag.short };
    if (flag.type === 'boolean') options[name] = { type: 'boolean', default: false, ...short };
    else if (flag.type === 'string')
      options[name] = {
        type: 'string',
        ...short,
        ...(flag.multiple === true ? { multiple: true } : {}),
        ...(flag.default === undefined ? {} : { default: flag.default }),
      };
    else options[name] = { type: 'string', ...short };
  }
  return options;
}

/** A number flag's value from its text, or a UsageError naming the flag and the rule it breaks. */
export function numberValue(name: string, flag: NumberFlag, raw: string): number {
  const value = Number(raw);
  const shaped = raw.trim() !== '' && Number.isFinite(value) && (flag.type === 'number' || Number.isSafeInteger(value));
  if (!shaped || flag.check?.ok(value) === false) {
    const rule = flag.check?.rule ?? (flag.type === 'integer' ? 'an integer' : 'a number');
    throw new UsageError(`--${name}: must be ${rule}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function typedValue(name: string, flag: FlagSpec, raw: unknown): unknown {
  if (flag.type === 'boolean') return raw === true;
  if (flag.type !== 'string') return typeof raw === 'string' ? numberValue(name, flag, raw) : flag.default;
  if (flag.multiple === true) return Array.isArray(raw) ? raw : [];
  if (raw === undefined && flag.required === true) throw new UsageError(`--${name} is required`);
  if (typeof raw === 'string' && flag.choices !== undefined && !flag.choices.includes(raw))
    throw new UsageError(`--${name}: must be one of ${flag.choices.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw;
}

/** The parsed values as the declaration types them (numbers checked, required flags present). */
export function typedValues<F extends FlagSpecs>(flags: F, parsed: Readonly<Record<string, unknown>>): FlagValues<F> {
  const values: Record<string, unknown> = {};
  for (const [name, flag] of Object.entries(flags)) values[name] = typedValue(name, flag, parsed[name]);
  return values as FlagValues<F>;
}
