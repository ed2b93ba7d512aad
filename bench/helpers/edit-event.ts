// An edit-sized EditSubmitted event for the store benchmarks (~600 bytes of JSON with its metadata), one shape for
// bench:ledger and bench:sealing; each says what its own events carry besides it.
import { randomUUID } from 'node:crypto';
import type { JsonValue, NewEvent } from '../../domain/ports/event-store.ts';

type JsonObject = { [key: string]: JsonValue };

export function benchEditEvent(i: number, data: JsonObject, metadata: JsonObject): NewEvent {
  return {
    id: randomUUID(),
    type: 'EditSubmitted',
    data: {
      editId: randomUUID(),
      factKey: `person-${i}::employer`,
      prompt: `The employer of person number ${i} is`,
      target: `Company ${i % 977}`,
      rephrase: [`Person ${i} works for`],
      locality: [{ prompt: `The capital of country ${i % 191} is`, answer: `City ${i % 191}` }],
      source: { system: 'bench', ref: `bench-${i}` },
      reason: 'benchmark correction',
      ...data,
    },
    metadata: { channel: 'bench', recordedAt: new Date().toISOString(), ...metadata },
  };
}
