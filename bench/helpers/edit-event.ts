// What the benchmarks submit: a correction's content (benchCorrection, also for the decider and the API benches) and
// an edit-sized EditSubmitted event (~600 bytes of JSON with its metadata) for bench:ledger and bench:sealing.
import { randomUUID } from 'node:crypto';
import type { JsonValue, NewEvent } from '../../domain/ports/event-store.ts';

type JsonObject = { [key: string]: JsonValue };

/** What a bench correction about person `i` says (its target cycles through 977 companies, by `targetOf`). */
export function benchCorrection(i: number, targetOf = i) {
  return {
    prompt: `The employer of person number ${i} is`,
    target: `Company ${targetOf % 977}`,
    rephrase: [`Person ${i} works for`],
    locality: [{ prompt: `The capital of country ${i % 191} is`, answer: `City ${i % 191}` }],
  };
}

export function benchEditEvent(i: number, data: JsonObject, metadata: JsonObject): NewEvent {
  return {
    id: randomUUID(),
    type: 'EditSubmitted',
    data: {
      editId: randomUUID(),
      factKey: `person-${i}::employer`,
      ...benchCorrection(i),
      source: { system: 'bench', ref: `bench-${i}` },
      reason: 'benchmark correction',
      ...data,
    },
    metadata: { channel: 'bench', recordedAt: new Date().toISOString(), ...metadata },
  };
}
