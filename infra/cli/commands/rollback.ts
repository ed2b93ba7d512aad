// `editledger rollback --to-version V | --to-position P --reason TEXT`: serve an earlier model state.
// A position whose edit set was materialized before reuses that version's artifact (only a hash check and one
// event); otherwise the edit set at P is materialized first.
import { shortVersionId } from '../../../domain/model-version.ts';
import type { CliCommand } from '../command.ts';
import { ExitCode } from '../command.ts';
import { UsageError, parsePositionFlag, writeJson } from '../format.ts';
import { actorFrom } from '../ledger-session.ts';
import { guardModelErrors, resolveVersion, withModels } from '../model-session.ts';
import type { ModelSession } from '../model-session.ts';
import { COMMON_USAGE, optionalString, requireString, runSubcommand } from '../subcommand.ts';
import type { SubcommandSpec } from '../subcommand.ts';

const usage = `usage: editledger rollback (--to-version V | --to-position P) --reason TEXT [--by NAME]

Serves the model as it was: version V (id, unique id prefix, or #N), or the edit set at ledger position P.
If that edit set was materialized before, its artifact is reused (target: <= 1 s); otherwise it is rebuilt
from the base with LocFT-BF first.
${COMMON_USAGE}`;

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
  let reused = true;
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

const spec: SubcommandSpec = {
  title: 'editledger rollback',
  usage,
  options: {
    'to-version': { type: 'string' },
    'to-position': { type: 'string' },
    reason: { type: 'string' },
    by: { type: 'string' },
  },
  positionals: { min: 0, max: 0, names: '' },
  async run(flags, io) {
    return guardModelErrors(spec.title, io, flags.json, async () => {
      const version = optionalString(flags, 'to-version');
      const position = parsePositionFlag(optionalString(flags, 'to-position'), '--to-position');
      if ((version === undefined) === (position === undefined))
        throw new UsageError('give exactly one of --to-version V or --to-position P');
      const reason = requireString(flags, 'reason');
      const actor = actorFrom(optionalString(flags, 'by'), io.env);
      return withModels(io, flags.home, { actor, source: 'cli' }, async (session) => {
        const result = await rollback(
          session,
          version !== undefined ? { version } : { position: position! },
          reason,
          actor,
        );
        if (flags.json) writeJson(io, result);
        else
          io.stdout.write(
            `${result.changed ? 'now serving' : 'already serving'} #${result.ordinal} ${shortVersionId(result.versionId)} (${result.reused ? 'artifact reused' : 'rebuilt'}, ${result.seconds.toFixed(2)} s)\n`,
          );
        return ExitCode.ok;
      });
    });
  },
};

export const command: CliCommand = {
  name: 'rollback',
  summary: 'serve an earlier model version or the edit set at an earlier position',
  usage,
  run: (argv, io) => runSubcommand(spec, argv, io),
};
