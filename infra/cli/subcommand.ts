// One way to run a ledger (sub-)command: parse flags strictly (with --home, --json and --help everywhere),
// print usage on --help, and turn any error into a message plus a trustworthy exit code.
import { parseArgs } from 'node:util';
import { attachNegativeValues } from './flags.ts';
import type { ParseArgsConfig } from 'node:util';
import type { CliCommand, CliIO } from './command.ts';
import { ExitCode } from './command.ts';
import { reportError, UsageError } from './format.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

const COMMON: Options = {
  home: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

export const COMMON_USAGE = `
Common options:
  --home DIR   where editledger keeps its files (default: $EDITLEDGER_HOME, else ./.editledger)
  --json       machine-readable output on stdout
  -h, --help   show this help
`;

export interface ParsedFlags {
  readonly values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  readonly positionals: string[];
  readonly home: string | undefined;
  readonly json: boolean;
}

export interface SubcommandSpec {
  /** e.g. "editledger edit submit" */
  readonly title: string;
  readonly usage: string;
  readonly options: Options;
  readonly positionals: { readonly min: number; readonly max: number; readonly names: string };
  run(flags: ParsedFlags, io: CliIO): Promise<number>;
}

export async function runSubcommand(spec: SubcommandSpec, argv: readonly string[], io: CliIO): Promise<number> {
  const json = argv.includes('--json');
  let flags: ParsedFlags;
  try {
    const { values, positionals } = parseArgs({
      args: attachNegativeValues(argv, { ...COMMON, ...spec.options }),
      options: { ...COMMON, ...spec.options },
      allowPositionals: true,
      strict: true,
    });
    if (values.help === true) {
      io.stdout.write(spec.usage);
      return ExitCode.ok;
    }
    const { min, max, names } = spec.positionals;
    if (positionals.length < min || positionals.length > max) {
      throw new UsageError(max === 0 ? `takes no arguments, got "${positionals.join(' ')}"` : `expects ${names}`);
    }
    flags = { values, positionals, home: values.home as string | undefined, json: values.json === true };
  } catch (error) {
    return reportError(io, spec.title, error, json, spec.usage);
  }
  try {
    return await spec.run(flags, io);
  } catch (error) {
    return reportError(io, spec.title, error, flags.json, spec.usage);
  }
}

/** A string flag's value, or a UsageError naming the flag when it is required and missing. */
export function requireString(flags: ParsedFlags, name: string): string {
  const value = flags.values[name];
  if (typeof value !== 'string') throw new UsageError(`--${name} is required`);
  return value;
}

export function optionalString(flags: ParsedFlags, name: string): string | undefined {
  const value = flags.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function stringList(flags: ParsedFlags, name: string): string[] {
  const value = flags.values[name];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * A command made of named sub-commands (`editledger edit submit ...`): no name or --help prints the usage, an
 * unknown name is a usage error naming it as a `noun` (e.g. "source"), anything else runs that sub-command.
 */
export function subcommandGroup(spec: {
  name: string;
  summary: string;
  usage: string;
  noun: string;
  subcommands: Record<string, SubcommandSpec>;
}): CliCommand {
  const { name, summary, usage, noun, subcommands } = spec;
  return {
    name,
    summary,
    usage,
    async run(argv: readonly string[], io: CliIO): Promise<number> {
      const [sub, ...rest] = argv;
      if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
        io.stdout.write(usage);
        return sub === undefined ? ExitCode.usage : ExitCode.ok;
      }
      const found = Object.hasOwn(subcommands, sub) ? subcommands[sub] : undefined;
      if (found === undefined) {
        io.stderr.write(`editledger ${name}: unknown ${noun} "${sub}"\n\n${usage}`);
        return ExitCode.usage;
      }
      return runSubcommand(found, rest, io);
    },
  };
}
