// Erasure of a data subject (GDPR Art. 17) by crypto-shredding, the one use case every entry point calls
// (`editledger erase`, and the service). In this order, so a crash at any step is mended by running it again:
//   1. retract every still-active edit about the subject (each retraction recorded, reason sealed with the edit);
//   2. if a version was built from them, materialize the edit set without them, and serve it if the serving version
//      was one of those (an erasure overrides the change envelope and any pin: serving erased data is not an option);
//   3. record DataSubjectErased (the subject's key id, its edits, the versions retired: never served again);
//   4. delete what was derived from the erased data: the retired versions' artifacts and checkouts, the activation
//      cache (activations of the erased prompts);
//   5. destroy the key: every field sealed under it now reads [erased], in this and (on reading step 3's event)
//      every other process; the hash chain is over ciphertext and stays valid;
//   6. rebuild the read model from the ledger, so its copy of the erased content is gone too.
import { commandMetadata } from '../../domain/commands.ts';
import type { CommandContext } from '../../domain/commands.ts';
import { evolveFact, initialFactState } from '../../domain/edit-decider.ts';
import { DataSubjectNotFoundError } from '../../domain/erasure-errors.ts';
import { parseRecordedEvent } from '../../domain/events.ts';
import { factStreamName } from '../../domain/fact-key.ts';
import type { DataSubjectKeys } from '../../domain/ports/data-subject-keys.ts';
import type { EventStore } from '../../domain/ports/event-store.ts';
import type { VersionRecord } from '../../projections/versions.ts';
import type { Materializer } from './materializer.ts';
import { executeModelCommand } from './model-ledger.ts';
import type { DerivedDataPurge, EditRetractor } from '../../domain/ports/trainer.ts';

export interface ErasurePorts {
  /**
   * The sealing store: forget() drops the destroyed key in this process at once; `unsealed` is the store underneath,
   * for the scan that needs only the plain key id and fact key of each submission (nothing decrypted).
   */
  readonly store: EventStore & { forget(keyId: string): void; readonly unsealed: EventStore };
  readonly keys: DataSubjectKeys;
  readonly ledger: EditRetractor;
  /** Absent in a ledger without a registered base model: no versions to retire or re-train. */
  readonly materializer?: Materializer;
  readonly purge: DerivedDataPurge;
  readonly context: CommandContext;
}

export interface ErasureRequest {
  readonly dataSubject: string;
  readonly reason: string;
}

export interface ErasureResult {
  readonly keyId: string;
  readonly erasedEditIds: readonly string[];
  readonly retracted: number;
  readonly retiredVersions: ReadonlyArray<{ readonly versionId: string; readonly ordinal: number }>;
  /** API token records that named the subject (an actor `token:<name>`), now under a pseudonym. */
  readonly redactedTokens: number;
  /** The version served after the erasure, when the one served before was retired. */
  readonly nowServing?: { readonly versionId: string; readonly ordinal: number; readonly reused: boolean };
}

export async function eraseDataSubject(ports: ErasurePorts, request: ErasureRequest): Promise<ErasureResult> {
  const { store, keys, context } = ports;
  const keyId = await keys.keyIdOf(request.dataSubject);
  if (keyId === undefined) throw new DataSubjectNotFoundError();
  const reason = `erasure of data subject ${keyId}: ${request.reason}`;

  // 1. The subject's edits, and which are still active.
  const edits = await editsAbout(store, keyId);
  let retracted = 0;
  for (const edit of edits)
    if (edit.active) {
      await ports.ledger.retractEdit(
        { editId: edit.editId, factKey: edit.factKey, reason, by: context.actor },
        context,
      );
      retracted += 1;
    }
  const erasedEditIds = edits.map((edit) => edit.editId);
  const erased = new Set(erasedEditIds);

  // 2. + 3. Versions built from them are retired; the serving one is replaced first.
  let retired: VersionRecord[] = [];
  let nowServing: ErasureResult['nowServing'];
  if (ports.materializer !== undefined) {
    const materializer = ports.materializer;
    const snapshot = await materializer.readModels();
    retired = snapshot.versions.versions.filter((v) => v.editIds.some((id) => erased.has(id)));
    const serving = snapshot.versions.serving;
    // Their data was trained: the edit set without them becomes a version now, served if the serving one held them.
    if (retired.length > 0) {
      const result = await materializer.materialize({ actor: context.actor });
      if (serving !== null && retired.some((v) => v.versionId === serving)) {
        await materializer.serve(result.version.versionId, reason, context.actor, { acceptOutsideEnvelope: true });
        nowServing = {
          versionId: result.version.versionId,
          ordinal: result.version.ordinal,
          reused: result.outcome === 'existing',
        };
      }
    }
  }
  await executeModelCommand(store, () => ({
    type: 'EraseDataSubject',
    data: {
      keyId,
      erasedEditIds,
      retiredVersionIds: retired.map((v) => v.versionId),
      erasedBy: context.actor,
      reason: request.reason,
    },
    metadata: commandMetadata(context),
  }));

  // 4. - 6.
  await ports.purge.retiredVersions(retired);
  await ports.purge.activationCache();
  await keys.destroy(keyId);
  store.forget(keyId);
  await ports.purge.readModel();
  const redactedTokens = await ports.purge.credentials(request.dataSubject);
  return {
    keyId,
    erasedEditIds,
    retracted,
    redactedTokens,
    retiredVersions: retired.map((v) => ({ versionId: v.versionId, ordinal: v.ordinal })),
    ...(nowServing !== undefined && { nowServing }),
  };
}

interface SubjectEdit {
  readonly editId: string;
  readonly factKey: string;
  readonly active: boolean;
}

/** Every edit submitted about the subject (its key id), with whether it is active now. */
async function editsAbout(store: ErasurePorts['store'], keyId: string): Promise<SubjectEdit[]> {
  const facts = new Set<string>();
  for await (const recorded of store.unsealed.readAll({ filter: { eventTypes: ['EditSubmitted'] } })) {
    const data = recorded.data as { subjectKeyId?: unknown; factKey?: unknown };
    if (data.subjectKeyId === keyId && typeof data.factKey === 'string') facts.add(data.factKey);
  }
  const edits: SubjectEdit[] = [];
  for (const factKey of [...facts].sort()) {
    let state = initialFactState();
    for (const recorded of await store.readStream(factStreamName(factKey)))
      state = evolveFact(state, parseRecordedEvent(recorded).event);
    for (const [editId, edit] of state.edits) edits.push({ editId, factKey, active: edit.status === 'active' });
  }
  return edits;
}
