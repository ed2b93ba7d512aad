// `editledger trainer [--every N] [--idle SECONDS] [--once]`: the trainer consumer.
import { join } from 'node:path';
import { shortVersionId } from '../../../domain/model-version.ts';
import type { CliCommand } from '../command.ts';
import { ExitCode } from '../command.ts';
import { UsageError, writeJson } from '../format.ts';
import { guardModelErrors, withModels } from '../model-session.ts';
import { COMMON_USAGE, optionalString, runSubcommand } from '../subcommand.ts';
import type { SubcommandSpec } from '../subcommand.ts';

const usage = `usage: editledger trainer [--every N] [--idle SECONDS] [--once] [options]

Follows the ledger (catch-up subscription) and materializes a model version of ALL active edits when N new edit
events arrived, when none arrived for SECONDS, or on demand (send SIGUSR1; or run \`editledger materialize\`).
Each new version is served unless --no-promote. The subscription position is checkpointed durably in
<home>/trainer/<name>.checkpoint.json: a restarted (or killed) trainer resumes and records each version once.
Logs go to stderr and <home>/logs/trainer.log. Stop with Ctrl-C (SIGINT) or SIGTERM.

Options:
  --every N        materialize after N new edit events (default 100)
  --idle SECONDS   materialize when edits are pending and none arrived for SECONDS (default 10)
  --once           catch up, materialize pending edits once, and exit
  --no-promote     do not serve the versions it materializes
  --name NAME      checkpoint name, for several trainers with separate positions (default: default)
  --by NAME        actor recorded on its events (default: trainer)
${COMMON_USAGE}`;

function positive(raw: string | undefined, flag: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0)
    throw new UsageError(`${flag}: must be a number > 0, got "${raw}"`);
  return value;
}

const spec: SubcommandSpec = {
  title: 'editledger trainer',
  usage,
  options: {
    every: { type: 'string' },
    idle: { type: 'string' },
    once: { type: 'boolean', default: false },
    'no-promote': { type: 'boolean', default: false },
    name: { type: 'string' },
    by: { type: 'string' },
  },
  positionals: { min: 0, max: 0, names: '' },
  async run(flags, io) {
    return guardModelErrors(spec.title, io, flags.json, async () => {
      const everyEdits = Math.floor(positive(optionalString(flags, 'every'), '--every', 100));
      const idleMs = positive(optionalString(flags, 'idle'), '--idle', 10) * 1000;
      const name = optionalString(flags, 'name') ?? 'default';
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(name))
        throw new UsageError(`--name: "${name}" must be 1-64 letters, digits, - or _`);
      const actor = optionalString(flags, 'by') ?? 'trainer';
      const { TrainerConsumer } = await import('../../../trainer/consumer/trainer-consumer.ts');
      const { FileCheckpointStore } = await import('../../../trainer/consumer/checkpoint-file.ts');
      return withModels(io, flags.home, { actor, source: 'trainer' }, async (session) => {
        const rounds: Array<{ outcome: string; versionId: string; ordinal: number; position: number }> = [];
        const consumer = new TrainerConsumer({
          store: session.ledger.store,
          materializer: session.materializer,
          checkpoint: new FileCheckpointStore(join(session.home, 'trainer', `${name}.checkpoint.json`)),
          policy: { everyEdits, idleMs, promote: flags.values['no-promote'] !== true },
          log: session.log,
          onRound: (r) => {
            rounds.push({
              outcome: r.outcome,
              versionId: r.version.versionId,
              ordinal: r.version.ordinal,
              position: r.position,
            });
            if (!flags.json)
              io.stdout.write(
                `${r.outcome === 'materialized' ? 'materialized' : 'reused'} version #${r.version.ordinal} ${shortVersionId(r.version.versionId)} for the edit set at ${r.position} (${r.version.editIds.length} edits)${r.promoted ? ', now serving' : ''}\n`,
              );
          },
        });
        if (flags.values['once'] === true) {
          await consumer.runOnce();
        } else {
          const controller = new AbortController();
          const stop = () => controller.abort();
          const demand = () => consumer.requestNow();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
          process.on('SIGUSR1', demand);
          session.log({
            level: 'info',
            msg: `trainer "${name}" running: every ${everyEdits} edits or ${idleMs / 1000} s idle (Ctrl-C to stop)`,
          });
          try {
            await consumer.run(controller.signal);
          } finally {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            process.off('SIGUSR1', demand);
          }
        }
        if (flags.json) writeJson(io, { rounds });
        return ExitCode.ok;
      });
    });
  },
};

export const command: CliCommand = {
  name: 'trainer',
  summary: 'run the trainer consumer (materializes versions as edits arrive)',
  usage,
  run: (argv, io) => runSubcommand(spec, argv, io),
};
