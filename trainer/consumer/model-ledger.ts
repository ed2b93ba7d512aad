// Reading and writing the model-lifecycle stream through the one command handler (domain/command-handler.ts).
// When another writer wins the race (a concurrent trainer, a promote), the command is decided again on the fresh
// stream; the decider then sees the other writer's events (e.g. the same version already materialized) and
// usually decides nothing. That is why duplicates cannot happen.
import { handleCommand, loadStream } from '../../domain/command-handler.ts';
import type { LoadedStream, StreamTarget } from '../../domain/command-handler.ts';
import { toNewEvent } from '../../domain/events.ts';
import { MODEL_STREAM, modelDecider, parseModelLifecycleEvent } from '../../domain/model-lifecycle.ts';
import type { ModelLifecycleEvent, ModelLifecycleState } from '../../domain/model-lifecycle.ts';
import type { ModelCommand } from '../../domain/model-commands.ts';
import type { EventStore, ExpectedRevision } from '../../domain/ports/event-store.ts';
import { foldVersions } from '../../projections/versions.ts';
import type { PositionedModelEvent, VersionsReadModel } from '../../projections/versions.ts';

export interface ModelLedgerSnapshot {
  readonly events: readonly PositionedModelEvent[];
  readonly state: ModelLifecycleState;
  readonly versions: VersionsReadModel;
  readonly expected: ExpectedRevision;
}

export async function readModelLedger(store: EventStore): Promise<ModelLedgerSnapshot> {
  return snapshotOf(await loadStream(store, MODEL_STREAM_TARGET));
}

function snapshotOf(loaded: LoadedStream<ModelLifecycleState, ModelLifecycleEvent>): ModelLedgerSnapshot {
  const events = loaded.events.map(({ event, recorded }) => ({ event, position: recorded.position }));
  return { events, state: loaded.state, versions: foldVersions(events), expected: loaded.expected };
}

export { commandMetadata } from '../../domain/commands.ts';
export type { CommandContext } from '../../domain/commands.ts';

/** The model-lifecycle stream as the command handler reads and writes it. */
export const MODEL_STREAM_TARGET: StreamTarget<ModelLifecycleState, ModelLifecycleEvent> = {
  stream: MODEL_STREAM,
  evolve: modelDecider.evolve,
  initialState: modelDecider.initialState,
  parse: (r) => parseModelLifecycleEvent({ id: r.id, type: r.type, data: r.data, metadata: r.metadata }),
  toNew: toNewEvent,
};

export interface ExecuteResult {
  /** The events appended (empty when the decider found nothing to do). */
  readonly events: readonly ModelLifecycleEvent[];
  /** Position of the last appended event, or undefined when nothing was appended. */
  readonly position: number | undefined;
  /** The stream after the command. */
  readonly snapshot: ModelLedgerSnapshot;
}

/**
 * Decides `command` against the current stream and appends the result through the one command handler
 * (domain/command-handler.ts: its retry policy on a lost race). `command` is rebuilt per attempt so ids and
 * timestamps stay fresh.
 */
export async function executeModelCommand(
  store: EventStore,
  command: (state: ModelLifecycleState) => ModelCommand,
): Promise<ExecuteResult> {
  const handled = await handleCommand(store, MODEL_STREAM_TARGET, modelDecider, command);
  const snapshot = handled.events.length === 0 ? snapshotOf(handled.before) : await readModelLedger(store);
  return { events: handled.events, position: handled.position, snapshot };
}
