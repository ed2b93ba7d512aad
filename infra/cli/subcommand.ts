// Every `editledger` command is declared one way, as a CommandSpec: name, summary, description, typed flags and
// positionals, and a body. `defineCommand` turns the declaration into a CliCommand: it parses strictly (with the
// common --home, --json and --help), converts and checks flag values, prints the generated help on --help, and
// turns any error into a message plus a trustworthy exit code. `commandGroup` makes `editledger edit <command>`.
import { parseArgs } from 'node:util';
import type { CliCommand, CliIO } from './command.ts';
import { ExitCode } from './command.ts';
import { attachNegativeValues } from './flags.ts';
import { COMMON_FLAGS, parserOptions, typedValues } from './flag-spec.ts';
import type { FlagSpecs, FlagValues } from './flag-spec.ts';
import { reportFailure } from './failure.ts';
import type { FailureReport } from './failure.ts';
import { UsageError } from './format.ts';
import { alignedRows, defaultSynopsis, positionalSynopsis, renderHelp } from './help.ts';

export interface PositionalSpec {
  /** Its name on the usage line, e.g. EDIT_ID. */
  readonly placeholder: string;
  readonly min: number;
  readonly max: number;
  /** Completes "expects ..." when the count is wrong (default: "exactly one EDIT_ID", "at least one PROMPT"). */
  readonly expects?: string;
}

export interface CommandArgs<F extends FlagSpecs> {
  readonly flags: FlagValues<F>;
  readonly positionals: readonly string[];
  readonly home: string | undefined;
  readonly json: boolean;
}

export interface CommandSpec<F extends FlagSpecs> {
  /** The words after "editledger", e.g. "edit submit"; the last one is its name inside a group. */
  readonly name: string;
  readonly summary: string;
  /** The arguments on the usage line when the generated one (positionals, required flags) says too little. */
  readonly synopsis?: string;
  readonly description?: string;
  readonly flags: F;
  readonly positionals?: PositionalSpec;
  /** false: the command does not read a ledger, so it takes no --home. */
  readonly home?: false;
  /** Text after the options: defaults explained, environment variables. */
  readonly notes?: string;
  /** Exit codes for the command's own errors (model commands: unknown versions, bad checkpoints). */
  readonly exitCodeOf?: FailureReport['exitCodeOf'];
  run(args: CommandArgs<F>, io: CliIO): Promise<number>;
}

/** A CliCommand made from a declaration, with what a group lists about it. */
export interface DeclaredCommand extends CliCommand {
  /** e.g. "import FILE": its name in the group and its arguments. */
  readonly listing: string;
}

function commonFlags(spec: CommandSpec<FlagSpecs>): FlagSpecs {
  const common: Record<string, (typeof COMMON_FLAGS)[keyof typeof COMMON_FLAGS]> = { ...COMMON_FLAGS };
  if (spec.home === false) delete common['home'];
  for (const name of Object.keys(spec.flags)) delete common[name];
  return common;
}

function checkPositionals(spec: PositionalSpec | undefined, positionals: readonly string[]): void {
  const { min = 0, max = 0 } = spec ?? {};
  if (positionals.length >= min && positionals.length <= max) return;
  if (spec === undefined || max === 0) throw new UsageError(`takes no arguments, got "${positionals.join(' ')}"`);
  const count = (n: number) => (n === 1 ? 'one' : String(n));
  const expects =
    spec.expects ??
    (min === max
      ? `exactly ${count(min)} ${spec.placeholder}`
      : max === Infinity
        ? `at least ${count(min)} ${spec.placeholder}`
        : `${min} to ${max} ${spec.placeholder}`);
  throw new UsageError(`expects ${expects}`);
}

export function defineCommand<const F extends FlagSpecs>(spec: CommandSpec<F>): DeclaredCommand {
  const generic = spec as unknown as CommandSpec<FlagSpecs>;
  const common = commonFlags(generic);
  const usage = renderHelp({
    name: spec.name,
    synopsis: spec.synopsis ?? defaultSynopsis(spec.flags, spec.positionals),
    flags: spec.flags,
    common,
    ...(spec.description === undefined ? {} : { description: spec.description }),
    ...(spec.notes === undefined ? {} : { notes: spec.notes }),
  });
  const options = parserOptions({ ...common, ...spec.flags });
  const report = (json: boolean): FailureReport => ({
    title: `editledger ${spec.name}`,
    usage,
    json,
    ...(spec.exitCodeOf === undefined ? {} : { exitCodeOf: spec.exitCodeOf }),
  });
  const name = spec.name.split(' ').at(-1)!;
  return {
    name,
    summary: spec.summary,
    usage,
    listing:
      spec.positionals === undefined || spec.positionals.max === 0
        ? name
        : `${name} ${positionalSynopsis(spec.positionals)}`,
    async run(argv: readonly string[], io: CliIO): Promise<number> {
      let parsed: CommandArgs<F>;
      try {
        const { values, positionals } = parseArgs({
          args: attachNegativeValues(argv, options),
          options,
          allowPositionals: true,
          strict: true,
        });
        if (values['help'] === true) {
          io.stdout.write(usage);
          return ExitCode.ok;
        }
        checkPositionals(spec.positionals, positionals);
        const home = values['home'];
        parsed = {
          flags: typedValues(spec.flags, values),
          positionals,
          home: typeof home === 'string' ? home : undefined,
          json: values['json'] === true,
        };
      } catch (error) {
        return reportFailure(io, error, report(argv.includes('--json')));
      }
      try {
        return await spec.run(parsed, io);
      } catch (error) {
        return reportFailure(io, error, report(parsed.json));
      }
    },
  };
}

/**
 * A command made of named sub-commands (`editledger edit submit ...`): no name or --help prints the usage, an
 * unknown name is a usage error naming it as a `noun` (e.g. "source"), anything else runs that sub-command.
 */
export function commandGroup(spec: {
  readonly name: string;
  readonly summary: string;
  readonly noun: string;
  readonly commands: readonly DeclaredCommand[];
  readonly notes?: string;
}): CliCommand {
  const { name, summary, noun, commands } = spec;
  const usage =
    `usage: editledger ${name} <${noun}> [options]\n\n${noun}s:\n` +
    alignedRows(commands.map((c) => [c.listing, c.summary])) +
    `\nRun "editledger ${name} <${noun}> --help" for its options.\n` +
    (spec.notes === undefined ? '' : `${spec.notes.trim()}\n`);
  const byName = new Map(commands.map((c) => [c.name, c]));
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
      const found = byName.get(sub);
      if (found === undefined) {
        io.stderr.write(`editledger ${name}: unknown ${noun} "${sub}"\n\n${usage}`);
        return ExitCode.usage;
      }
      return found.run(rest, io);
    },
  };
}
