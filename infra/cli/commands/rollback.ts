// `editledger rollback --to-version V | --to-position P --reason TEXT`: serve an earlier model state.
// A position whose edit set was materialized before reuses that version's artifact (only a hash check and one
// event); otherwise the edit set at P is materialized first.
import { shortVersionId } from '../../../domain/model-version.ts';
import { ExitCode } from '../command.ts';
import { UsageError, writeJson } from '../format.ts';
import { actorFrom } from '../ledger-session.ts';
import { modelExitCode, resolveVersion, withModels } from '../model-session.ts';
import type { ModelSession } from '../model-session.ts';
import { byFlag, positionFlag, REQUIRED_REASON } from '../shared-flags.ts';
import { defineCommand } from '../subcommand.ts';

export interface RollbackResult {
  readonly versionId: string;
  readonly ordinal: number;
  readonly reused: boolean;
  readonly changed: boolean;
  readonly seconds: number;
}

export async function rollback(
  session: ModelSession,
  target: { version?: string; position?: number },
  reason: string,
  actor: string,
): Promise<RollbackResult> {
  const started = performance.now();
  let version;
  let reused: boolean;
  if (target.version !== undefined) {
    version = await resolveVersion(session, target.version);
    reused = !(await session.materializer.ensureArtifact(version)).rebuilt;
  } else {
    const result = await session.materializer.materialize({ position: target.position! });
    version = result.version;
    reused = result.outcome === 'existing';
  }
  const changed = await session.materializer.serve(version.versionId, reason, actor);
  return {
    versionId: version.versionId,
    ordinal: version.ordinal,
    reused,
    changed,
    seconds: (performance.now() - started) / 1000,
  };
}

export const command = defineCommand({
  name: 'rollback',
  summary: 'serve an earlier model version or the edit set at an earlier position',
  synopsis: '(--to-version V | --to-position P) --reason TEXT [--by NAME] [options]',
  description: `
Serves the model as it was: version V (id, unique id prefix, or #N), or the edit set at ledger position P.
If that edit set was materialized before, its artifact is reused (target: <= 1 s); otherwise it is rebuilt
from the base with LocFT-BF first.`,
  flags: {
    'to-version': { type: 'string', placeholder: 'V', description: 'the version to serve' },
    'to-position': { ...positionFlag('serve the edit set at this ledger position'), placeholder: 'P' },
    reason: REQUIRED_REASON,
    by: byFlag('who rolls back'),
  },
  exitCodeOf: modelExitCode,
  async run({ flags, home, json }, io) {
    const { 'to-version': version, 'to-position': position, reason } = flags;
    if ((version === undefined) === (position === undefined))
      throw new UsageError('give exactly one of --to-version V or --to-position P');
    const actor = actorFrom(flags.by, io.env);
    return withModels(io, home, { actor, source: 'cli' }, async (session) => {
      const result = await rollback(
        session,
        version !== undefined ? { version } : { position: position! },
        reason,
        actor,
      );
      if (json) writeJson(io, result);
      else
        io.stdout.write(
          `${result.changed ? 'now serving' : 'already serving'} #${result.ordinal} ${shortVersionId(result.versionId)} (${result.reused ? 'artifact reused' : 'rebuilt'}, ${result.seconds.toFixed(2)} s)\n`,
        );
      return ExitCode.ok;
    });
  },
});
