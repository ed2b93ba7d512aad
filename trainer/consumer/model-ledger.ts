// Reading and writing the model-lifecycle stream: load it, fold it, decide a command against it and append with
// the stream's expected revision. When another writer wins the race (a concurrent trainer, a promote), the
// command is decided again on the fresh stream; the decider then sees the other writer's events (e.g. the same
// version already materialized) and usually decides nothing. That is why duplicates cannot happen.
import type { CommandContext, CommandMetadata } from '../../domain/edit-commands.ts';
import { commandMetadata } from '../../domain/edit-commands.ts';
import { toNewEvent } from '../../domain/events.ts';
import type { LedgerEvent } from '../../domain/events.ts';
import { MODEL_STREAM, modelDecider, parseModelLifecycleEvent } from '../../domain/model-version.ts';
import type { ModelCommand, ModelLifecycleEvent, ModelLifecycleState } from '../../domain/model-version.ts';
import type { EventStore, ExpectedRevision, NewEvent } from '../../domain/ports/event-store.ts';
import { EventIdConflictError, WrongExpectedRevisionError } from '../../domain/ports/event-store.ts';
import { foldVersions } from '../../projections/versions.ts';
import type { PositionedModelEvent, VersionsReadModel } from '../../projections/versions.ts';

export interface ModelLedgerSnapshot {
  readonly events: readonly PositionedModelEvent[];
  readonly state: ModelLifecycleState;
  readonly versions: VersionsReadModel;
  readonly expected: ExpectedRevision;
}

export async function readModelLedger(store: EventStore): Promise<ModelLedgerSnapshot> {
  const recorded = await store.readStream(MODEL_STREAM);
  const events = recorded.map((r) => ({
    event: parseModelLifecycleEvent({ id: r.id, type: r.type, data: r.data, metadata: r.metadata }),
    position: r.position,
  }));
  const state = events.reduce((s, { event }) => modelDecider.evolve(s, event), modelDecider.initialState());
  const last = recorded.at(-1);
  return { events, state, versions: foldVersions(events), expected: last === undefined ? 'no_stream' : last.revision };
}

export { commandMetadata } from '../../domain/edit-commands.ts';
export type { CommandContext } from '../../domain/edit-commands.ts';

function toStored(event: ModelLifecycleEvent): NewEvent {
  // TrainingPolicyRegistered is not in the shared catalogue's union type but has the same {id,type,data,metadata} shape.
  return toNewEvent(event as unknown as LedgerEvent);
}

export interface ExecuteResult {
  /** The events appended (empty when the decider found nothing to do). */
  readonly events: readonly ModelLifecycleEvent[];
  /** Position of the last appended event, or undefined when nothing was appended. */
  readonly position: number | undefined;
  /** The stream after the command. */
  readonly snapshot: ModelLedgerSnapshot;
}

/**
 * Decides `command` against the current stream and appends the result, retrying on a lost race.
 * `command` is rebuilt per attempt so ids and timestamps stay fresh.
 */
export async function executeModelCommand(
  store: EventStore,
  command: (state: ModelLifecycleState) => ModelCommand,
  maxAttempts = 8,
): Promise<ExecuteResult> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const snapshot = await readModelLedger(store);
    const events = modelDecider.decide(command(snapshot.state), snapshot.state);
    if (events.length === 0) return { events, position: undefined, snapshot };
    try {
      const { position } = await store.append(MODEL_STREAM, events.map(toStored), snapshot.expected);
      return { events, position, snapshot: await readModelLedger(store) };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) && !(error instanceof EventIdConflictError)) throw error;
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * (attempt + 1)));
    }
  }
  throw lastError ?? new Error('executeModelCommand: no attempt made');
}
