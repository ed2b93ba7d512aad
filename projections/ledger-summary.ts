// A ledger at a glance: how many events of each kind, how many edits are active, which model is served.
// A fold over $all in position order; the accumulator is mutated in place (a Set of fact keys must not be
// copied per event at a million events), but it does no I/O and the same events always give the same summary.
import type { LedgerEventType, PositionedEvent } from '../domain/events.ts';

export interface LedgerSummary {
  headPosition: number;
  events: number;
  eventsByType: Record<string, number>;
  editsSubmitted: number;
  editsRetracted: number;
  editsSuperseded: number;
  editsReinstated: number;
  /** submitted + reinstated - retracted - superseded (each life of an edit ends at most once). */
  activeEdits: number;
  /** Distinct fact keys that ever had an edit. */
  factKeys: number;
  modelVersions: number;
  servingVersionId: string | null;
}

export interface LedgerSummaryState {
  readonly summary: LedgerSummary;
  readonly factKeys: Set<string>;
}

export function initialLedgerSummary(): LedgerSummaryState {
  return {
    summary: {
      headPosition: 0,
      events: 0,
      eventsByType: {},
      editsSubmitted: 0,
      editsRetracted: 0,
      editsSuperseded: 0,
      editsReinstated: 0,
      activeEdits: 0,
      factKeys: 0,
      modelVersions: 0,
      servingVersionId: null,
    },
    factKeys: new Set(),
  };
}

/** The summary's count of each event type that has one. */
const COUNTED: Partial<Record<LedgerEventType, CountField>> = {
  EditSubmitted: 'editsSubmitted',
  EditRetracted: 'editsRetracted',
  EditSuperseded: 'editsSuperseded',
  EditReinstated: 'editsReinstated',
  ModelVersionMaterialized: 'modelVersions',
};
type CountField = 'editsSubmitted' | 'editsRetracted' | 'editsSuperseded' | 'editsReinstated' | 'modelVersions';

export function evolveLedgerSummary(
  state: LedgerSummaryState,
  { event, position }: PositionedEvent,
): LedgerSummaryState {
  const s = state.summary;
  s.headPosition = Math.max(s.headPosition, position);
  s.events += 1;
  s.eventsByType[event.type] = (s.eventsByType[event.type] ?? 0) + 1;
  const counter = COUNTED[event.type];
  if (counter !== undefined) s[counter] += 1;
  if (event.type === 'EditSubmitted') {
    state.factKeys.add(event.data.factKey);
    s.factKeys = state.factKeys.size;
  } else if (event.type === 'ServingVersionChanged') {
    s.servingVersionId = event.data.versionId;
  }
  s.activeEdits = s.editsSubmitted + s.editsReinstated - s.editsRetracted - s.editsSuperseded;
  return state;
}

export function summarizeLedger(events: Iterable<PositionedEvent>): LedgerSummary {
  let state = initialLedgerSummary();
  for (const event of events) state = evolveLedgerSummary(state, event);
  return state.summary;
}
