// `editledger model register DIR` and `editledger model show`: the base checkpoint versions are trained from, and
// the LocFT-BF policy they are trained with.
import type { TrainingPolicy } from '../../../domain/events.ts';
import type { CliCommand, CliIO } from '../command.ts';
import { ExitCode } from '../command.ts';
import { UsageError, writeJson } from '../format.ts';
import { actorFrom } from '../ledger-session.ts';
import { guardModelErrors, registerBase, withModels } from '../model-session.ts';
import { COMMON_USAGE, optionalString, runSubcommand } from '../subcommand.ts';
import type { ParsedFlags, SubcommandSpec } from '../subcommand.ts';

const registerUsage = `usage: editledger model register DIR [options]

Registers the Hugging Face checkpoint folder DIR (config.json, model.safetensors, tokenizer.json,
tokenizer_config.json) as the base model, with the LocFT-BF policy new versions are trained with. The
checkpoint is copied into the artifact store. Registering the same checkpoint and policy again is a no-op;
another policy (e.g. --layer) replaces the active one.

Options:
  --name NAME          human name (default: the folder name)
  --layer L            transformer block of the tuned matrix (default: DIR/editing.json's, else the middle one)
  --module M           matrix inside the block (default: DIR/editing.json's, else mlp.down_proj)
  --lr X               Adam learning rate (default: DIR/editing.json's, else 5e-4)
  --batch-size N       mini-batch size (default: DIR/editing.json's, else 100)
  --epochs N           epoch budget (default: DIR/editing.json's, else 25)
  --stop-loss X        stop when the epoch mean loss is below X; skip batches below X (default 1e-2)
  --seed S             shuffle seed (default 0)
  --by NAME            who registers (default: $EDITLEDGER_ACTOR, else $USER)
${COMMON_USAGE}`;

/**
 * A number flag: not a number is a usage error (exit 2); a number outside the policy's range is left to the
 * TrainingPolicy schema, so `--lr 0`, `--lr -1` and `--lr 1e300` all fail the same way (exit 3 naming lr).
 */
function numberFlag(flags: ParsedFlags, name: string, integer: boolean): number | undefined {
  const raw = optionalString(flags, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || (integer && !Number.isSafeInteger(value))) {
    throw new UsageError(`--${name}: must be ${integer ? 'an integer' : 'a number'}, got "${raw}"`);
  }
  return value;
}

export function policyOverrides(flags: ParsedFlags): Partial<TrainingPolicy> & { name?: string } {
  const out: Partial<TrainingPolicy> & { name?: string } = {};
  const name = optionalString(flags, 'name');
  if (name !== undefined) out.name = name;
  const layer = numberFlag(flags, 'layer', true);
  if (layer !== undefined) out.layer = layer;
  const module = optionalString(flags, 'module');
  if (module !== undefined) out.module = module;
  const lr = numberFlag(flags, 'lr', false);
  if (lr !== undefined) out.lr = lr;
  const batchSize = numberFlag(flags, 'batch-size', true);
  if (batchSize !== undefined) out.batchSize = batchSize;
  const epochs = numberFlag(flags, 'epochs', true);
  if (epochs !== undefined) out.epochs = epochs;
  const stopLoss = numberFlag(flags, 'stop-loss', false);
  if (stopLoss !== undefined) Object.assign(out, { stopLoss, skipBatchLoss: stopLoss });
  const seed = numberFlag(flags, 'seed', true);
  if (seed !== undefined) out.seed = seed;
  return out;
}

export const POLICY_OPTIONS = {
  name: { type: 'string' },
  layer: { type: 'string' },
  module: { type: 'string' },
  lr: { type: 'string' },
  'batch-size': { type: 'string' },
  epochs: { type: 'string' },
  'stop-loss': { type: 'string' },
  seed: { type: 'string' },
} as const;

const register: SubcommandSpec = {
  title: 'editledger model register',
  usage: registerUsage,
  options: { ...POLICY_OPTIONS, by: { type: 'string' } },
  positionals: { min: 1, max: 1, names: 'exactly one checkpoint folder DIR' },
  async run(flags, io) {
    return guardModelErrors(register.title, io, flags.json, async () => {
      const actor = actorFrom(optionalString(flags, 'by'), io.env);
      const dir = (await import('node:path')).resolve(io.cwd, flags.positionals[0]!);
      const result = await withModels(io, flags.home, { actor, source: 'cli', echoLog: false }, (session) =>
        registerBase(session, dir, policyOverrides(flags)),
      );
      if (flags.json) writeJson(io, result);
      else {
        const p = result.policy;
        io.stdout.write(
          `${result.appended === 0 ? 'already registered' : 'registered'}: base ${result.baseModelId} (sha256 ${result.baseHash.slice(0, 12)})\n` +
            `policy: LocFT-BF on model.layers.${p.layer}.${p.module}, Adam lr ${p.lr}, batch ${p.batchSize}, <= ${p.epochs} epochs, stop < ${p.stopLoss}, seed ${p.seed}\n`,
        );
      }
      return ExitCode.ok;
    });
  },
};

const show: SubcommandSpec = {
  title: 'editledger model show',
  usage: `usage: editledger model show [options]\n\nThe active base model and training policy.\n${COMMON_USAGE}`,
  options: {},
  positionals: { min: 0, max: 0, names: '' },
  async run(flags, io) {
    return guardModelErrors(show.title, io, flags.json, async () => {
      return withModels(io, flags.home, { actor: 'cli', source: 'cli', echoLog: false }, async (session) => {
        const { versions } = await session.materializer.readModels();
        const active = versions.active;
        const base = active === undefined ? undefined : versions.bases.get(active.baseModelId);
        if (active === undefined || base === undefined) {
          io.stderr.write('editledger model show: no base model registered; run `editledger model register DIR`\n');
          return ExitCode.notFound;
        }
        if (flags.json) writeJson(io, { base, policy: active.policy, policyHash: active.policyHash });
        else
          io.stdout.write(
            `base ${base.baseModelId}: ${base.architecture}, ${base.parameterCount.toLocaleString('en-US')} parameters, sha256 ${base.baseHash}\npolicy ${active.policyHash.slice(0, 12)}: ${JSON.stringify(active.policy)}\n`,
          );
        return ExitCode.ok;
      });
    });
  },
};

const usage = `usage: editledger model <register|show> [options]

  register DIR   register a base checkpoint and the LocFT-BF training policy
  show           the active base model and policy
`;

export const command: CliCommand = {
  name: 'model',
  summary: 'register the base checkpoint and training policy',
  usage,
  async run(argv: readonly string[], io: CliIO): Promise<number> {
    const [name, ...rest] = argv;
    const sub = name === 'register' ? register : name === 'show' ? show : undefined;
    if (sub === undefined) {
      if (name === '--help' || name === '-h') {
        io.stdout.write(usage);
        return ExitCode.ok;
      }
      io.stderr.write(
        `editledger model: ${name === undefined ? 'give a command' : `unknown command "${name}"`}\n\n${usage}`,
      );
      return ExitCode.usage;
    }
    return runSubcommand(sub, rest, io);
  },
};
