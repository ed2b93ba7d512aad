// The trainer consumer's signing hook (TrainerConsumerDeps.afterVersion): when the home has an audit key, sign the
// ledger head after every materialized version, so each version's position is covered by a signed checkpoint.
import { existsSync } from 'node:fs';
import type { EventStore } from '../../domain/ports/event-store.ts';
import type { Logger } from '../../domain/ports/trainer.ts';
import { checkpointsFile, signHeadCheckpoint } from './checkpoints.ts';
import { auditKeyPaths, loadPrivateKey } from './keys.ts';

/** The hook, or undefined when there is no audit key (nothing to sign with: the trainer runs as before). */
export function versionSigner(
  home: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  store: EventStore,
  log?: Logger,
): (() => Promise<void>) | undefined {
  const paths = auditKeyPaths(home, env, cwd);
  if (!existsSync(paths.privateKey)) return undefined;
  const privateKey = loadPrivateKey(paths.privateKey);
  return async () => {
    const signed = await signHeadCheckpoint({ store, privateKey, file: checkpointsFile(home), actor: 'trainer' });
    log?.({ level: 'info', msg: `signed checkpoint of position ${signed.position} (key ${signed.keyId})` });
  };
}
