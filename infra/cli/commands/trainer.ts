// `editledger trainer [--every N] [--idle SECONDS] [--once]`: the trainer consumer.
import { join } from 'node:path';
import { shortVersionId } from '../../../domain/model-version.ts';
import { ExitCode } from '../command.ts';
import { UsageError, writeJson } from '../format.ts';
import type { NumberRule } from '../flag-spec.ts';
import { modelExitCode, withModels } from '../model-session.ts';
import { defineCommand } from '../subcommand.ts';
import { versionSigner } from '../../audit/version-signer.ts';

const POSITIVE: NumberRule = { ok: (n) => n > 0, rule: 'a number > 0' };

export const command = defineCommand({
  name: 'trainer',
  summary: 'run the trainer consumer (materializes versions as edits arrive)',
  description: `
Follows the ledger (catch-up subscription) and materializes a model version of ALL active edits when N new edit
events arrived, when none arrived for SECONDS, or on demand (send SIGUSR1; or run \`editledger materialize\`).
Each new version is served unless --no-promote. The trainer's cursor (its ledger position) is saved durably in
<home>/trainer/<name>.checkpoint.json: a restarted (or killed) trainer resumes and records each version once.
Logs go to stderr and <home>/logs/trainer.log. Stop with Ctrl-C (SIGINT) or SIGTERM.`,
  flags: {
    every: {
      type: 'number',
      placeholder: 'N',
      default: 100,
      check: POSITIVE,
      description: 'materialize after N new edit events',
    },
    idle: {
      type: 'number',
      placeholder: 'SECONDS',
      default: 10,
      check: POSITIVE,
      description: 'materialize when edits are pending and none arrived for SECONDS',
    },
    once: { type: 'boolean', description: 'catch up, materialize pending edits once, and exit' },
    'no-promote': { type: 'boolean', description: 'do not serve the versions it materializes' },
    name: {
      type: 'string',
      placeholder: 'NAME',
      default: 'default',
      description: 'cursor name, for several trainers with separate positions',
    },
    by: { type: 'string', placeholder: 'NAME', default: 'trainer', description: 'actor recorded on its events' },
  },
  exitCodeOf: modelExitCode,
  async run({ flags, home, json }, io) {
    const everyEdits = Math.floor(flags.every);
    const idleMs = flags.idle * 1000;
    const { name } = flags;
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(name))
      throw new UsageError(`--name: "${name}" must be 1-64 letters, digits, - or _`);
    const actor = flags.by;
    const { TrainerConsumer } = await import('../../../trainer/consumer/trainer-consumer.ts');
    const { FileCursorStore } = await import('../../../trainer/consumer/cursor-file.ts');
    return withModels(io, home, { actor, channel: 'trainer' }, async (session) => {
      const rounds: Array<{ outcome: string; versionId: string; ordinal: number; position: number }> = [];
      const consumer = new TrainerConsumer({
        store: session.ledger.store,
        materializer: session.materializer,
        cursor: new FileCursorStore(join(session.home, 'trainer', `${name}.checkpoint.json`)),
        policy: { everyEdits, idleMs, promote: !flags['no-promote'] },
        log: session.log,
        // With an audit key in the home, every materialized version's position is covered by a signed checkpoint.
        afterVersion: versionSigner(session.home, io.env, io.cwd, session.ledger.store, session.log),
        onRound: (r) => {
          rounds.push({
            outcome: r.outcome,
            versionId: r.version.versionId,
            ordinal: r.version.ordinal,
            position: r.position,
          });
          if (!json)
            io.stdout.write(
              `${r.outcome === 'materialized' ? 'materialized' : 'reused'} version #${r.version.ordinal} ${shortVersionId(r.version.versionId)} for the edit set at ${r.position} (${r.version.editIds.length} edits)${r.promoted ? ', now serving' : ''}\n`,
            );
        },
      });
      if (flags.once) {
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
      if (json) writeJson(io, { rounds });
      return ExitCode.ok;
    });
  },
});
