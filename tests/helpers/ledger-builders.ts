// Drive a real LedgerService over an in-memory store and read back the parsed $all stream.
import type { PositionedEvent } from '../../domain/events.ts';
import { parseRecordedEvent } from '../../domain/events.ts';
import type { EventStore } from '../../domain/ports/event-store.ts';
import { LedgerService } from '../../domain/edit-use-cases.ts';
import type { SubmitEditInput } from '../../domain/edit-use-cases.ts';
import { submitData } from './edit-fixtures.ts';
import { MemoryEventStore } from './memory-event-store.ts';

export const context = { actor: 'alice', channel: 'test' } as const;

export function newLedger(store: EventStore = new MemoryEventStore()) {
  const service = new LedgerService(store, { clock: () => new Date('2025-02-01T00:00:00.000Z') });
  return {
    store,
    service,
    submit: (factKey: string, ref: string, target = `target of ${ref}`, extra: Partial<SubmitEditInput> = {}) =>
      service.submitEdit(submitData({ factKey, target, source: { system: 'test', ref }, ...extra }), context),
    retract: (editId: string, factKey: string) =>
      service.retractEdit({ editId, factKey, reason: 'wrong', by: 'bob' }, context),
    reinstate: (editId: string, factKey: string) =>
      service.reinstateEdit({ editId, factKey, reason: 'retracted by mistake', by: 'carol' }, context),
    events: () => allEvents(store),
  };
}

export async function allEvents(store: EventStore): Promise<PositionedEvent[]> {
  const events: PositionedEvent[] = [];
  for await (const recorded of store.readAll()) events.push(parseRecordedEvent(recorded));
  return events;
}
