// The application service for edits: load a fact stream, decide, append with the expected revision.
// A concurrent writer on the same fact makes the append fail with WrongExpectedRevisionError; we then re-read
// and decide again (the decider sees the other writer's edit and supersedes it, or recognises a redelivery),
// a few times before giving up with that error.
import type { EditRequest } from '../../domain/dataset-formats.ts';
import type { CommandContext, CommandMetadata, SubmitEditData } from '../../domain/edit-commands.ts';
import { SubmitEditDataSchema, commandMetadata } from '../../domain/edit-commands.ts';
import { decideEdit, evolveFact, initialFactState } from '../../domain/edit-decider.ts';
import type { FactState } from '../../domain/edit-decider.ts';
import { EditNotFoundError, SourceConflictError } from '../../domain/errors.ts';
import type { EditEvent, PositionedEvent } from '../../domain/events.ts';
import { parseRecordedEvent, toInvalidFieldError, toNewEvent } from '../../domain/events.ts';
import { assertFactKey, factStreamName } from '../../domain/fact-key.ts';
import { canonicalJson, sha256Hex } from '../../domain/canonical-json.ts';
import { editIdForSource } from '../../domain/ids.ts';
import type { EventStore, ExpectedRevision } from '../../domain/ports/event-store.ts';
import { EventIdConflictError, WrongExpectedRevisionError } from '../../domain/ports/event-store.ts';

export type { CommandContext } from '../../domain/edit-commands.ts';

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
}

interface FactStream {
  readonly events: PositionedEvent[];
  readonly state: FactState;
  readonly expected: ExpectedRevision;
}

/** Internal: an append hit EventIdConflictError; `cause` is what to report if deciding again does not help. */
class IdConflict extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
  }
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
    const [result] = await this.submitToFact(assertFactKey(input.factKey), [input], context);
    return result!;
  }

  async retractEdit(input: RetractEditInput, context: CommandContext): Promise<RetractEditResult> {
    const { editId, factKey, position } = await this.endOrReinstate('RetractEdit', input, context);
    return { editId, factKey, position };
  }

  /** Make a retracted or superseded edit active again; it supersedes the fact's active edit, if any. */
  async reinstateEdit(input: RetractEditInput, context: CommandContext): Promise<ReinstateEditResult> {
    return this.endOrReinstate('ReinstateEdit', input, context);
  }

  private async endOrReinstate(
    type: 'RetractEdit' | 'ReinstateEdit',
    input: RetractEditInput,
    context: CommandContext,
  ): Promise<ReinstateEditResult> {
    const factKey = input.factKey ?? (await this.options.locateEdit?.(input.editId));
    if (factKey === undefined) throw new EditNotFoundError(input.editId);
    const metadata = this.metadata(context);
    const { editId, reason, by } = input;
    return this.withRetries(assertFactKey(factKey), async (stream) => {
      const events = decideEdit({ type, data: { editId, factKey, reason, by }, metadata }, stream.state);
      const superseded = events.find((e) => e.type === 'EditSuperseded');
      const position = (await this.append(factKey, events, stream.expected)).position;
      return {
        editId,
        factKey,
        position,
        supersededEditId: superseded?.type === 'EditSuperseded' ? superseded.data.oldEditId : undefined,
      };
    });
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
      const group = byFact.get(factKey);
      if (group === undefined) byFact.set(factKey, [input]);
      else group.push(input);
    }
    const progress = { done: 0, total: requests.length, submitted: 0, duplicates: 0, superseded: 0 };
    let position = 0;
    for (const [factKey, inputs] of byFact) {
      for (const result of await this.submitToFact(assertFactKey(factKey), inputs, context)) {
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
  private async submitToFact(
    factKey: string,
    inputs: readonly SubmitEditInput[],
    context: CommandContext,
  ): Promise<SubmitEditResult[]> {
    const metadata = this.metadata(context);
    return this.withRetries(factKey, async (stream) => {
      let state = stream.state;
      const pending: EditEvent[] = [];
      const decided: Array<{ editId: string; supersededEditId: string | undefined; fresh: boolean }> = [];
      for (const data of inputs) {
        const editId = editIdForSource(data.source.system, data.source.ref);
        const events = decideEdit({ type: 'SubmitEdit', data, metadata }, state);
        const superseded = events.find((e) => e.type === 'EditSuperseded');
        decided.push({
          editId,
          fresh: events.length > 0,
          supersededEditId: superseded?.type === 'EditSuperseded' ? superseded.data.oldEditId : undefined,
        });
        for (const event of events) state = evolveFact(state, event);
        pending.push(...events);
      }
      const appendedAt = pending.length === 0 ? 0 : (await this.append(factKey, pending, stream.expected)).position;
      return decided.map(({ editId, fresh, supersededEditId }) =>
        fresh
          ? { editId, factKey, outcome: 'submitted' as const, supersededEditId, position: appendedAt }
          : {
              ...firstSubmission(editId, factKey, stream.events, appendedAt),
              status: state.edits.get(editId)?.status ?? 'active',
            },
      );
    });
  }

  private async withRetries<T>(factKey: string, attempt: (stream: FactStream) => Promise<T>): Promise<T> {
    let lastConflict: WrongExpectedRevisionError | undefined;
    let idConflicts = 0;
    for (let i = 0; i < this.maxAttempts; i++) {
      try {
        return await attempt(await this.loadFact(factKey));
      } catch (error) {
        if (error instanceof IdConflict) {
          // A racing writer stored an event with one of our deterministic ids (e.g. the same redelivery, or a
          // retraction of the same edit): deciding again on the fresh stream resolves it. If the id clashes
          // twice, it lives outside this stream: a real conflict.
          if (++idConflicts > 1) throw error.cause;
          continue;
        }
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        lastConflict = error;
        // Back off a little, with jitter, so two racing writers do not collide again in lockstep.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * (i + 1)));
      }
    }
    throw lastConflict ?? new Error(`fact "${factKey}": no attempt was made (maxAttempts ${this.maxAttempts})`);
  }

  private async loadFact(factKey: string): Promise<FactStream> {
    const recorded = await this.store.readStream(factStreamName(factKey));
    const events = recorded.map(parseRecordedEvent);
    const state = events.reduce((s, { event }) => evolveFact(s, event), initialFactState());
    const last = recorded.at(-1);
    return { events, state, expected: last === undefined ? 'no_stream' : last.revision };
  }

  private async append(factKey: string, events: readonly EditEvent[], expected: ExpectedRevision) {
    try {
      return await this.store.append(factStreamName(factKey), events.map(toNewEvent), expected);
    } catch (error) {
      if (!(error instanceof EventIdConflictError)) throw error;
      const clashing = events.find((e) => e.id === error.eventId);
      if (clashing?.type !== 'EditSubmitted') throw new IdConflict(error);
      const { system, ref } = clashing.data.source;
      throw new IdConflict(
        new SourceConflictError(system, ref, `was already submitted for another fact than "${factKey}"`),
      );
    }
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
  events: readonly PositionedEvent[],
  fallback: number,
): SubmitEditResult {
  const index = events.findIndex(({ event }) => event.type === 'EditSubmitted' && event.data.editId === editId);
  const previous = events[index - 1]?.event;
  const supersession = previous?.type === 'EditSuperseded' && previous.data.newEditId === editId ? previous : undefined;
  const position = index < 0 ? fallback : events[index]!.position;
  return { editId, factKey, outcome: 'duplicate', supersededEditId: supersession?.data.oldEditId, position };
}
