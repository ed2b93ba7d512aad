// The use cases for edits (submit, import, retract, reinstate) over fact streams, through the one command
// handler (domain/command-handler.ts): a concurrent writer on the same fact makes the append fail with
// WrongExpectedRevisionError; the handler re-reads and decides again (the decider sees the other writer's edit
// and supersedes it, or recognises a redelivery), a few times before giving up with that error. Pure orchestration
// over the ports (event store, data-subject keys), so it lives with the domain; every entry point calls it.
import { RETRY_POLICY, decideCommand, handleCommand, handleDecision } from './command-handler.ts';
import type { HandleOptions, StreamTarget } from './command-handler.ts';
import type { EditRequest } from './dataset-formats.ts';
import type { CommandContext, CommandMetadata } from './commands.ts';
import { commandMetadata } from './commands.ts';
import type { DecideSubmitData, SubmitEditData } from './edit-commands.ts';
import { SubmitEditDataSchema } from './edit-commands.ts';
import { decideEdit, editDecider, evolveFact, initialFactState } from './edit-decider.ts';
import type { FactState } from './edit-decider.ts';
import { EditNotFoundError, InvalidFieldError, SourceConflictError } from './errors.ts';
import { pseudonymousFactKey } from './personal-data.ts';
import type { DataSubjectKeys } from './ports/data-subject-keys.ts';
import type { EditEvent, PositionedEvent } from './events.ts';
import { parseRecordedEvent, toInvalidFieldError, toNewEvent } from './events.ts';
import { assertFactKey, factStreamName } from './fact-key.ts';
import { canonicalJson, sha256Hex } from './canonical-json.ts';
import { editIdForSource } from './ids.ts';
import type { EventStore } from './ports/event-store.ts';

export type { CommandContext } from './commands.ts';

export type SubmitEditInput = SubmitEditData;

export interface SubmitEditResult {
  readonly editId: string;
  readonly factKey: string;
  /** `duplicate`: this upstream (system, ref) was already submitted; the fields describe that first submission. */
  readonly outcome: 'submitted' | 'duplicate';
  /** For a duplicate: what became of the first submission (a retracted edit comes back only by reinstatement). */
  readonly status?: 'active' | 'retracted' | 'superseded';
  /** The edit this submission superseded, if any. */
  readonly supersededEditId: string | undefined;
  /** Ledger position once the submission (and its supersession) was recorded: use it with `edit list --at`. */
  readonly position: number;
}

export interface RetractEditInput {
  readonly editId: string;
  readonly reason: string;
  readonly by: string;
  /** Saves a lookup when the caller knows it. */
  readonly factKey?: string;
}

export interface RetractEditResult {
  readonly editId: string;
  readonly factKey: string;
  readonly position: number;
}

export interface ReinstateEditResult extends RetractEditResult {
  /** The fact's active edit that the reinstated one superseded, if any. */
  readonly supersededEditId: string | undefined;
}

export interface ImportOptions {
  /** Upstream system recorded in each edit's source; refs are content hashes, so re-imports are no-ops. */
  readonly system: string;
  readonly submittedBy: string;
  readonly reason: string;
  readonly onProgress?: (progress: ImportProgress) => void;
}

export interface ImportProgress {
  readonly done: number;
  readonly total: number;
  readonly submitted: number;
  readonly duplicates: number;
  readonly superseded: number;
}

export interface ImportResult extends ImportProgress {
  /** Head position after the import (0 for an empty ledger that received nothing). */
  readonly position: number;
}

export interface LedgerServiceOptions {
  /** Attempts per command when another writer wins the race on the same fact stream. Default 5. */
  readonly maxAttempts?: number;
  /** Finds an edit's fact key (e.g. EditIndex.factKeyOf) for retractions that do not name it. */
  readonly locateEdit?: (editId: string) => Promise<string | undefined>;
  readonly clock?: () => Date;
  /** Where data subjects' keys live; without it a submission naming a data subject is refused. */
  readonly subjectKeys?: DataSubjectKeys;
}

/** A fact stream as the command handler reads and writes it. */
function factTarget(factKey: string): StreamTarget<FactState, EditEvent> {
  return {
    stream: factStreamName(factKey),
    evolve: evolveFact,
    initialState: initialFactState,
    parse: (recorded) => parseRecordedEvent(recorded).event as EditEvent,
    toNew: toNewEvent,
  };
}

/** The source ref of a dataset record: a hash of its normalized content, so the same record is the same edit. */
export function importRefOf(request: EditRequest): string {
  return `sha256:${sha256Hex(canonicalJson(request))}`;
}

export class LedgerService {
  private readonly maxAttempts: number;
  private readonly clock: () => Date;

  constructor(
    private readonly store: EventStore,
    private readonly options: LedgerServiceOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.clock = options.clock ?? (() => new Date());
  }

  async submitEdit(input: SubmitEditInput, context: CommandContext): Promise<SubmitEditResult> {
    const decided = await this.aboutDataSubject(input);
    const [result] = await this.submitToFact(assertFactKey(decided.factKey), [decided], context);
    return result!;
  }

  /**
   * A submission naming a data subject is recorded under that person's key: the fact key becomes a keyed pseudonym
   * (the stream name then names neither the person nor the fact) and the key id rides along for the store to seal
   * the content with (infra/eventstore/sealing-event-store.ts). The subject's own id is not recorded.
   */
  private async aboutDataSubject(input: SubmitEditInput): Promise<DecideSubmitData> {
    const { dataSubject, ...data } = input;
    if (dataSubject === undefined) return data;
    const keys = this.options.subjectKeys;
    if (keys === undefined)
      throw new InvalidFieldError('dataSubject', 'this entry point keeps no data-subject keys; submit without it');
    assertFactKey(data.factKey);
    const subjectKeyId = await keys.keyIdFor(dataSubject);
    const factKey = pseudonymousFactKey(subjectKeyId, await keys.pseudonym(subjectKeyId, data.factKey));
    return { ...data, factKey, subjectKeyId };
  }

  async retractEdit(input: RetractEditInput, context: CommandContext): Promise<RetractEditResult> {
    const { editId, factKey, position } = await this.endOrReinstate('RetractEdit', input, context);
    return { editId, factKey, position };
  }

  /** Four-eyes review: approve a submitted edit (under governance requireApproval only approved edits are trained). */
  async approveEdit(input: RetractEditInput, context: CommandContext): Promise<RetractEditResult> {
    const { editId, factKey, position } = await this.endOrReinstate('ApproveEdit', input, context);
    return { editId, factKey, position };
  }

  /** Four-eyes review: reject a submitted edit; it is never trained. */
  async rejectEdit(input: RetractEditInput, context: CommandContext): Promise<RetractEditResult> {
    const { editId, factKey, position } = await this.endOrReinstate('RejectEdit', input, context);
    return { editId, factKey, position };
  }

  /** Make a retracted or superseded edit active again; it supersedes the fact's active edit, if any. */
  async reinstateEdit(input: RetractEditInput, context: CommandContext): Promise<ReinstateEditResult> {
    return this.endOrReinstate('ReinstateEdit', input, context);
  }

  private async endOrReinstate(
    type: 'RetractEdit' | 'ReinstateEdit' | 'ApproveEdit' | 'RejectEdit',
    input: RetractEditInput,
    context: CommandContext,
  ): Promise<ReinstateEditResult> {
    const factKey = input.factKey ?? (await this.options.locateEdit?.(input.editId));
    if (factKey === undefined) throw new EditNotFoundError(input.editId);
    const metadata = this.metadata(context);
    const { editId, reason, by } = input;
    const handled = await handleCommand(
      this.store,
      factTarget(assertFactKey(factKey)),
      { decide: decideEdit },
      () => ({ type, data: { editId, factKey, reason, by }, metadata }),
      this.handleOptions(factKey),
    );
    const superseded = handled.events.find((e) => e.type === 'EditSuperseded');
    return {
      editId,
      factKey,
      position: handled.position ?? 0,
      supersededEditId: superseded?.type === 'EditSuperseded' ? superseded.data.oldEditId : undefined,
    };
  }

  /**
   * Submit many requests: grouped by fact key (file order within a fact), one append per fact stream.
   * Re-importing the same records appends nothing: each record's source ref is a hash of its content.
   */
  async importEdits(
    requests: readonly EditRequest[],
    options: ImportOptions,
    context: CommandContext,
  ): Promise<ImportResult> {
    const byFact = new Map<string, SubmitEditInput[]>();
    for (const [index, request] of requests.entries()) {
      const { factKey, ...content } = request;
      const input: SubmitEditInput = {
        factKey,
        ...content,
        source: { system: options.system, ref: importRefOf(request) },
        submittedBy: options.submittedBy,
        reason: options.reason,
      };
      // Validate everything before appending anything, so a bad record cannot leave half a file imported.
      const checked = SubmitEditDataSchema.safeParse(input);
      if (!checked.success) throw toInvalidFieldError(checked.error, [`requests[${index}]`]);
      const groupKey = JSON.stringify([factKey, request.dataSubject ?? null]);
      const group = byFact.get(groupKey);
      if (group === undefined) byFact.set(groupKey, [input]);
      else group.push(input);
    }
    const progress = { done: 0, total: requests.length, submitted: 0, duplicates: 0, superseded: 0 };
    let position = 0;
    for (const inputs of byFact.values()) {
      const decided: DecideSubmitData[] = [];
      for (const input of inputs) decided.push(await this.aboutDataSubject(input));
      // Edits of one fact about one data subject share one pseudonymous fact key (the same key and fact key).
      const factKey = decided[0]!.factKey;
      for (const result of await this.submitToFact(assertFactKey(factKey), decided, context)) {
        progress.done += 1;
        if (result.outcome === 'duplicate') progress.duplicates += 1;
        else progress.submitted += 1;
        if (result.outcome === 'submitted' && result.supersededEditId !== undefined) progress.superseded += 1;
        position = Math.max(position, result.position);
      }
      options.onProgress?.({ ...progress });
    }
    return { ...progress, position: Math.max(position, await this.store.headPosition()) };
  }

  /** Decide every input against one fact stream in order and append all resulting events in one batch. */
  /** Decide every input against one fact stream in order and append all resulting events in one batch. */
  private async submitToFact(
    factKey: string,
    inputs: readonly DecideSubmitData[],
    context: CommandContext,
  ): Promise<SubmitEditResult[]> {
    const metadata = this.metadata(context);
    const handled = await handleDecision(
      this.store,
      factTarget(factKey),
      (stream) => {
        let state = stream.state;
        const pending: EditEvent[] = [];
        const decided: Array<{ editId: string; supersededEditId: string | undefined; fresh: boolean }> = [];
        for (const data of inputs) {
          const editId = editIdForSource(data.source.system, data.source.ref);
          const events = decideCommand(editDecider, { type: 'SubmitEdit', data, metadata }, state);
          const superseded = events.find((e) => e.type === 'EditSuperseded');
          decided.push({
            editId,
            fresh: events.length > 0,
            supersededEditId: superseded?.type === 'EditSuperseded' ? superseded.data.oldEditId : undefined,
          });
          for (const event of events) state = evolveFact(state, event);
          pending.push(...events);
        }
        return { events: pending, result: { decided, state } };
      },
      this.handleOptions(factKey),
    );
    const { decided, state } = handled.result;
    const appendedAt = handled.position ?? 0;
    const stored = handled.before.events.map(({ event, recorded }) => ({ event, position: recorded.position }));
    return decided.map(({ editId, fresh, supersededEditId }) =>
      fresh
        ? { editId, factKey, outcome: 'submitted' as const, supersededEditId, position: appendedAt }
        : {
            ...firstSubmission(editId, factKey, stored, appendedAt),
            status: state.edits.get(editId)?.status ?? 'active',
          },
    );
  }

  /** The one retry policy; an EditSubmitted whose id clashes twice lives in another fact: a source conflict. */
  private handleOptions(factKey: string): HandleOptions<EditEvent> {
    return {
      policy: { ...RETRY_POLICY, maxAttempts: this.maxAttempts },
      mapIdConflict: (error, events) => {
        const clashing = events.find((e) => e.id === error.eventId);
        if (clashing?.type !== 'EditSubmitted') return error;
        const { system, ref } = clashing.data.source;
        return new SourceConflictError(system, ref, `was already submitted for another fact than "${factKey}"`);
      },
    };
  }

  private metadata(context: CommandContext): CommandMetadata {
    return commandMetadata(context, this.clock);
  }
}

/**
 * The result the first submission of `editId` had. Its EditSubmitted is the last event of its batch (an
 * EditSuperseded, if any, comes right before it). `fallback` covers an edit decided earlier in the same batch
 * (a file with the same record twice).
 */
function firstSubmission(
  editId: string,
  factKey: string,
  events: ReadonlyArray<Pick<PositionedEvent, 'event' | 'position'>>,
  fallback: number,
): SubmitEditResult {
  const index = events.findIndex(({ event }) => event.type === 'EditSubmitted' && event.data.editId === editId);
  const previous = events[index - 1]?.event;
  const supersession = previous?.type === 'EditSuperseded' && previous.data.newEditId === editId ? previous : undefined;
  const position = index < 0 ? fallback : events[index]!.position;
  return { editId, factKey, outcome: 'duplicate', supersededEditId: supersession?.data.oldEditId, position };
}
