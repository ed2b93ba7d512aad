// `editledger erase --data-subject ID --reason TEXT`: erasure of a person's data (GDPR Art. 17) by crypto-shredding
// (trainer/consumer/erasure.ts): their edits are retracted, a version without them is served if the serving one
// held them, the versions built from them are retired (artifacts and checkouts deleted), and their key is destroyed.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { shortVersionId } from '../../../domain/model-version.ts';
import { eraseDataSubject } from '../../../trainer/consumer/erasure.ts';
import type { DerivedDataPurge } from '../../../domain/ports/trainer.ts';
import { ExitCode } from '../command.ts';
import { writeJson } from '../format.ts';
import { actorFrom } from '../ledger-session.ts';
import { modelExitCode, withModels } from '../model-session.ts';
import type { ModelSession } from '../model-session.ts';
import { byFlag, REQUIRED_REASON } from '../shared-flags.ts';
import { defineCommand } from '../subcommand.ts';
import { LedgerService } from '../../../domain/edit-use-cases.ts';
import { TokenStore } from '../../auth/token-store.ts';
import { assertNoService } from '../service-marker.ts';

export const command = defineCommand({
  name: 'erase',
  summary: "erase a data subject's personal data: retract their edits, retire the versions built from them",
  description: `Erasure by crypto-shredding. Edits submitted with a data subject (\`edit submit --data-subject ID\`, a
"data_subject" key in ingested messages, "dataSubject" in the API) are stored sealed under that person's own key, as
are actors' names and free-text reasons. Erasing the subject records DataSubjectErased, retracts their edits,
materializes and serves a version without them when the serving version held them, retires every version built from
them (their artifacts, checkouts and the activation cache are deleted; serving, rolling back to or checking them out
is refused), destroys the key and rebuilds the read model. Erasing an actor (token:<name>) also renames the API
token records that name them to erased-<id>. The hash chain is over ciphertext and stays valid; what was sealed under
the key reads [erased] from then on. While \`editledger serve\` runs on the same home, erase refuses (exit 5): erase
through the service (POST /v1/erasures), or stop it first.`,
  flags: {
    'data-subject': {
      type: 'string',
      required: true,
      placeholder: 'ID',
      description: 'the data subject, as given when their edits were submitted',
    },
    reason: REQUIRED_REASON,
    by: byFlag('who carries out the erasure'),
  },
  exitCodeOf: modelExitCode,
  async run({ flags, home, json }, io) {
    const actor = actorFrom(flags.by, io.env);
    return withModels(io, home, { actor, channel: 'cli', echoLog: false }, async (session) => {
      // The running service caches keys and owns the read model: erasing beside it would leave both stale.
      assertNoService(session.home, 'erase');
      const result = await eraseDataSubject(
        {
          store: session.ledger.store,
          keys: session.ledger.keys,
          // The use case names each edit's fact key: no lookup in the index is needed.
          ledger: new LedgerService(session.ledger.store),
          materializer: session.materializer,
          purge: homePurge(session),
          context: { actor, channel: 'cli' },
        },
        { dataSubject: flags['data-subject'], reason: flags.reason },
      );
      if (json) writeJson(io, result);
      else {
        io.stdout.write(
          `erased data subject ${result.keyId}: ${result.erasedEditIds.length} edits (${result.retracted} retracted now), ${result.retiredVersions.length} versions retired${result.retiredVersions.length === 0 ? '' : ` (${result.retiredVersions.map((v) => `#${v.ordinal}`).join(', ')})`}${result.redactedTokens === 0 ? '' : `, ${result.redactedTokens} API token records renamed`}\n`,
        );
        if (result.nowServing !== undefined)
          io.stdout.write(
            `now serving version #${result.nowServing.ordinal} ${shortVersionId(result.nowServing.versionId)} (${result.nowServing.reused ? 'reused' : 'materialized'} without the erased edits)\n`,
          );
      }
      return ExitCode.ok;
    });
  },
});

/**
 * What erasure deletes from the home: retired versions' files, the activation cache; the read model is rebuilt.
 * `serialize` runs the rebuild where the caller keeps its index work in order (the service's catch-up queue).
 */
export function homePurge(
  session: ModelSession,
  serialize: (work: () => Promise<void>) => Promise<void> = (work) => work(),
): DerivedDataPurge {
  return {
    async retiredVersions(versions) {
      for (const version of versions) {
        await session.artifacts.remove(version.artifactSha256);
        await rm(join(session.home, 'checkouts', version.versionId), { recursive: true, force: true });
      }
    },
    async activationCache() {
      await rm(join(session.home, 'cache', 'activations'), { recursive: true, force: true });
    },
    readModel: () =>
      serialize(async () => {
        const index = await session.ledger.index();
        index.purge();
        await index.catchUp(session.ledger.store);
      }),
    // A running service re-reads the token file on its next request (token-store.ts), so it sees the new names.
    credentials: async (dataSubject) => TokenStore.open(session.home).redactActor(dataSubject),
  };
}
