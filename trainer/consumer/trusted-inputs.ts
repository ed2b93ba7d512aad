// The inputs of training, trusted only once checked against the ledger (issue 12): the edit set a version is trained
// on (the hash chain walked, the read model's set compared with a fold of the ledger's own events) and the base
// checkpoint folder (hashed again against its registration).
import { EditErasedError } from '../../domain/erasure-errors.ts';
import { isErasedContent } from '../../domain/personal-data.ts';
import type { BaseModelRegisteredData } from '../../domain/events.ts';
import { foldEditSetAt, makeEditSet } from '../../projections/edit-set.ts';
import { chainPages, walkChain } from '../../domain/chain-walk.ts';
import { LedgerTamperedError } from '../../domain/chain.ts';
import { parseRecordedEvent } from '../../domain/events.ts';
import type { PositionedEvent } from '../../domain/events.ts';
import { FACT_STREAM_PREFIX } from '../../domain/fact-key.ts';
import type { EditSet } from '../../domain/active-edits.ts';
import { checkpointHash } from '../checkpoint/hf-checkpoint.ts';
import type { ArtifactRepository } from '../../domain/ports/artifacts.ts';
import type { MaterializerDeps } from './materializer.ts';

/** What checking the inputs reads. */
export type TrustedInputDeps = Pick<MaterializerDeps, 'store' | 'editSets' | 'chainScope' | 'log'>;

/** The registered base checkpoint folder, verified against its recorded hash. */
export async function verifiedBaseDir(artifacts: ArtifactRepository, base: BaseModelRegisteredData): Promise<string> {
  const sha = /^sha256:([0-9a-f]{64})$/.exec(base.artifactUri)?.[1];
  if (sha === undefined)
    throw new Error(
      `artifactUri: base model ${base.baseModelId} is at "${base.artifactUri}", not in the artifact store`,
    );
  const artifact = await artifacts.load(sha);
  const actual = await checkpointHash(artifact.dir);
  if (actual !== base.baseHash)
    throw new Error(
      `baseHash: the stored base ${base.baseModelId} hashes to ${actual.slice(0, 12)}, registered ${base.baseHash.slice(0, 12)}`,
    );
  return artifact.dir;
}

/**
 * The edit set a version at `position` is trained on: the active edits, and under four-eyes review only those an
 * approver approved at or before `position` (pending and rejected edits are not trained).
 */
export async function trainingSetAt(deps: TrustedInputDeps, position: number, approvedOnly: boolean): Promise<EditSet> {
  const editSet = await checkedEditSetAt(deps, position);
  // An edit active at `position` whose data subject was erased since: its content is gone, and so is any
  // version that would contain it.
  const erased = editSet.edits.find((edit) => isErasedContent(edit));
  if (erased !== undefined) throw new EditErasedError(erased.editId);
  if (!approvedOnly) return editSet;
  const approved = new Set<string>();
  for await (const event of deps.store.readAll({ filter: { eventTypes: ['EditApproved'] } })) {
    if (event.position > position) break;
    approved.add((event.data as { editId: string }).editId);
  }
  return makeEditSet(
    position,
    editSet.edits.filter((edit) => approved.has(edit.editId)),
  );
}

/**
 * Nothing derived is trusted (issue 12): the ledger's hash chain is walked up to `position` (a forged or deleted
 * event stops training and verification, naming its position), and the edit set the read model gives is checked
 * against a fold of the ledger's own events. A read model that disagrees is not used: the ledger's set is, and
 * the disagreement is logged.
 */
async function checkedEditSetAt(deps: TrustedInputDeps, position: number): Promise<EditSet> {
  const { store } = deps;
  const chain = await walkChain(chainPages(store), { upTo: position, scope: deps.chainScope ?? 'all' });
  if (!chain.intact && chain.firstBreak !== undefined)
    throw new LedgerTamperedError(chain.firstBreak.position, `${chain.firstBreak.kind}: ${chain.firstBreak.detail}`);
  const indexed = await deps.editSets.editSetAt(position);
  const events: PositionedEvent[] = [];
  for await (const recorded of store.readAll({ filter: { streamPrefixes: [FACT_STREAM_PREFIX] } })) {
    if (recorded.position > position) break;
    events.push(parseRecordedEvent(recorded));
  }
  const fromLedger = foldEditSetAt(events, position);
  if (fromLedger.editSetHash === indexed.editSetHash) return indexed;
  deps.log?.({
    level: 'warn',
    msg: `the edit index disagrees with the ledger at position ${position} (set ${indexed.editSetHash.slice(0, 12)}, ledger ${fromLedger.editSetHash.slice(0, 12)}): using the ledger's edit set; rebuild the index by deleting readmodel.db`,
    position,
  });
  return fromLedger;
}
