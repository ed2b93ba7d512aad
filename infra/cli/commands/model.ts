// `editledger model register DIR` and `editledger model show`: the base checkpoint versions are trained from, and
// the LocFT-BF policy they are trained with.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidFieldError } from '../../../domain/errors.ts';
import type { TrainingPolicy } from '../../../domain/events.ts';
import { toInvalidFieldError } from '../../../domain/events.ts';
import { describeGovernance, GovernanceSchema } from '../../../domain/governance.ts';
import type { Governance } from '../../../domain/governance.ts';
import type { CliCommand } from '../command.ts';
import { ExitCode } from '../command.ts';
import { withDefaultNotes } from '../flag-spec.ts';
import type { FlagSpecs, FlagValues } from '../flag-spec.ts';
import { writeJson } from '../format.ts';
import { actorFrom } from '../ledger-session.ts';
import { modelExitCode, withModels } from '../model-session.ts';
import { registerBase } from '../../../trainer/consumer/register-base.ts';
import { byFlag } from '../shared-flags.ts';
import { commandGroup, defineCommand } from '../subcommand.ts';

/**
 * The LocFT-BF policy flags. Number flags: not a number is a usage error (exit 2); a number outside the policy's
 * range is left to the TrainingPolicy schema, so `--lr 0`, `--lr -1` and `--lr 1e300` all fail the same way (exit 3
 * naming lr). Their defaults depend on the command (register: the checkpoint's editing.json; demo: its own).
 */
export const POLICY_FLAGS = {
  name: { type: 'string', placeholder: 'NAME', description: 'human name' },
  layer: { type: 'integer', placeholder: 'L', description: 'transformer block of the tuned matrix' },
  module: { type: 'string', placeholder: 'M', description: 'matrix inside the block' },
  lr: { type: 'number', description: 'Adam learning rate' },
  'batch-size': { type: 'integer', description: 'mini-batch size' },
  epochs: { type: 'integer', description: 'epoch budget' },
  'stop-loss': { type: 'number', description: 'stop when the epoch mean loss is below X; skip batches below X' },
  seed: { type: 'integer', placeholder: 'S', description: 'shuffle seed' },
} as const satisfies FlagSpecs;

export type PolicyFlagValues = FlagValues<typeof POLICY_FLAGS>;

/** A --governance file, checked against the schema (errors name the field inside the file). */
async function readGovernance(path: string): Promise<Governance> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new InvalidFieldError('governance', `${path}: ${(error as Error).message}`);
  }
  const parsed = GovernanceSchema.safeParse(value);
  if (!parsed.success) throw toInvalidFieldError(parsed.error, ['governance']);
  return parsed.data;
}

export function policyOverrides(flags: PolicyFlagValues): Partial<TrainingPolicy> & { name?: string } {
  // Named one by one: the command's other flags (--by, demo's --base) are not policy fields.
  const { name, layer, module, lr, 'batch-size': batchSize, epochs, 'stop-loss': stopLoss, seed } = flags;
  const all = { name, layer, module, lr, batchSize, epochs, stopLoss, skipBatchLoss: stopLoss, seed };
  // Only what was given: an absent flag leaves the default (editing.json, then DEFAULT_POLICY) in place.
  return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined));
}

const register = defineCommand({
  name: 'model register',
  summary: 'register a base checkpoint and the LocFT-BF training policy',
  description: `
Registers the Hugging Face checkpoint folder DIR (config.json, model.safetensors, tokenizer.json,
tokenizer_config.json) as the base model, with the LocFT-BF policy new versions are trained with. The
checkpoint is copied into the artifact store. Registering the same checkpoint and policy again is a no-op;
another policy (e.g. --layer) replaces the active one.`,
  flags: {
    ...withDefaultNotes(POLICY_FLAGS, {
      name: 'the folder name',
      layer: "DIR/editing.json's, else the middle one",
      module: "DIR/editing.json's, else mlp.down_proj",
      lr: "DIR/editing.json's, else 5e-4",
      'batch-size': "DIR/editing.json's, else 100",
      epochs: "DIR/editing.json's, else 25",
      'stop-loss': '1e-2',
      seed: '0',
    }),
    by: byFlag('who registers'),
    governance: {
      type: 'string',
      placeholder: 'FILE',
      description:
        'a JSON file: the change envelope and promotion rules ({envelope: {minReliability, minGeneralization, minLocality, maxPerplexityIncrease, maxUneditedFactDrop, maxEditsPerVersion}, autoPromote: never|within-envelope|always, requireApproval}); default DIR/editing.json\'s "governance"',
    },
  },
  positionals: { placeholder: 'DIR', min: 1, max: 1, expects: 'exactly one checkpoint folder DIR' },
  exitCodeOf: modelExitCode,
  async run({ flags, positionals, home, json }, io) {
    const actor = actorFrom(flags.by, io.env);
    const governance =
      flags.governance === undefined ? undefined : await readGovernance(resolve(io.cwd, flags.governance));
    const result = await withModels(io, home, { actor, channel: 'cli', echoLog: false }, (session) =>
      registerBase(session, resolve(io.cwd, positionals[0]!), {
        ...policyOverrides(flags),
        ...(governance !== undefined && { governance }),
      }),
    );
    if (json) writeJson(io, result);
    else {
      const p = result.policy;
      io.stdout.write(
        `${result.appended === 0 ? 'already registered' : 'registered'}: base ${result.baseModelId} (sha256 ${result.baseHash.slice(0, 12)})\n` +
          `policy: LocFT-BF on model.layers.${p.layer}.${p.module}, Adam lr ${p.lr}, batch ${p.batchSize}, <= ${p.epochs} epochs, stop < ${p.stopLoss}, seed ${p.seed}\n` +
          `governance: ${describeGovernance(result.governance)}\n`,
      );
    }
    return ExitCode.ok;
  },
});

const show = defineCommand({
  name: 'model show',
  summary: 'the active base model and policy',
  description: 'The active base model and training policy.',
  flags: {},
  exitCodeOf: modelExitCode,
  async run({ home, json }, io) {
    return withModels(io, home, { actor: 'cli', channel: 'cli', echoLog: false }, async (session) => {
      const { versions } = await session.materializer.readModels();
      const active = versions.active;
      const base = active === undefined ? undefined : versions.bases.get(active.baseModelId);
      if (active === undefined || base === undefined) {
        io.stderr.write('editledger model show: no base model registered; run `editledger model register DIR`\n');
        return ExitCode.notFound;
      }
      if (json) writeJson(io, { base, policy: active.policy, policyHash: active.policyHash });
      else
        io.stdout.write(
          `base ${base.baseModelId}: ${base.architecture}, ${base.parameterCount.toLocaleString('en-US')} parameters, sha256 ${base.baseHash}\npolicy ${active.policyHash.slice(0, 12)}: ${JSON.stringify(active.policy)}\n`,
        );
      return ExitCode.ok;
    });
  },
});

export const command: CliCommand = commandGroup({
  name: 'model',
  summary: 'register the base checkpoint and training policy',
  noun: 'command',
  commands: [register, show],
});
