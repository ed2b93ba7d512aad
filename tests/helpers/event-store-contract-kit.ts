// What the event-store contract's tests share: event builders, reading back what one test wrote, waiting for a
// subscription, and the shape of a contract test (a body given a fresh store and its own stream-name prefix).
import { randomUUID } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import type {
  EventStore,
  JsonValue,
  NewEvent,
  ReadStreamOptions,
  RecordedEvent,
} from '../../domain/ports/event-store.ts';

export type ContractBody = (t: ExecutionContext, store: EventStore, ns: string) => Promise<void>;
/** Registers one contract test (titled with the adapter's name). */
export type ContractTest = (title: string, body: ContractBody) => void;

export function event(
  type = 'Noted',
  data: JsonValue = { n: Math.random() },
  metadata: { [key: string]: JsonValue } = { actor: 'contract' },
): NewEvent {
  return { id: randomUUID(), type, data, metadata };
}

export function events(count: number, type = 'Noted'): NewEvent[] {
  return Array.from({ length: count }, (_, i) => event(type, { i, text: `event ${i}` }));
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Everything this test wrote, in $all order. */
export function mine(store: EventStore, ns: string, after?: number): Promise<RecordedEvent[]> {
  return collect(store.readAll({ after, filter: { streamPrefixes: [ns] } }));
}

export async function waitFor(
  t: ExecutionContext,
  what: string,
  condition: () => boolean,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) t.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    if (Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function strictlyIncreasing(values: readonly number[]): boolean {
  return values.every((v, i) => i === 0 || v > (values[i - 1] as number));
}

/** The revisions `readStream` returns for `stream` (with `options`), in order. */
export async function revisionsOf(store: EventStore, stream: string, options?: ReadStreamOptions): Promise<number[]> {
  return (await store.readStream(stream, options)).map((e) => e.revision);
}
