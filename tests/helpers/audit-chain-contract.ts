// The hash chain's contract (domain/chain.ts), run on every adapter next to the event-store contract: each stored
// event carries the link a reader recomputes from the genesis hash, whatever path the append took (a new stream,
// concurrent appenders, a partly stored batch, key orders and characters that JSON writes in more than one way).
import { randomUUID } from 'node:crypto';
import test from 'ava';
import type { ChainScope } from '../../domain/chain.ts';
import { toChainEntry } from '../../domain/chain.ts';
import { chainPages, walkChain } from '../../domain/chain-walk.ts';
import type { EventStore, JsonValue, NewEvent } from '../../domain/ports/event-store.ts';

function noted(data: JsonValue, metadata: { [key: string]: JsonValue } = { actor: 'chain' }): NewEvent {
  return { id: randomUUID(), type: 'Noted', data, metadata };
}

export function registerChainContract(name: string, make: () => Promise<EventStore>, scope: ChainScope = 'all'): void {
  test(`${name}: every event carries a chain link and the whole chain verifies`, async (t) => {
    const store = await make();
    try {
      const ns = `chain-${randomUUID().slice(0, 8)}`;
      const awkward = { b: 1, a: [1.5, -0, 1e21, 'é\u2028"\\'], 10: 'integer-like key', z: { y: null, x: true } };
      const first = noted(awkward, { z: 'last', a: 'first' });
      await store.append(`${ns}-a`, [first, noted({ i: 1 })], 'no_stream');
      await Promise.all(
        Array.from({ length: 6 }, (_, i) => store.append(`${ns}-${i % 3}`, [noted({ i }), noted({ i })], 'any')),
      );
      // A redelivered batch with one new event: only that one is appended, and chained.
      await store.append(`${ns}-a`, [first, noted({ i: 2 })], 'any');
      const mine = [];
      for await (const e of store.readAll({ filter: { streamPrefixes: [ns] } })) mine.push(e);
      t.is(mine.length, 15);
      t.true(
        mine.every((e) => typeof e.chainHash === 'string' && /^[0-9a-f]{64}$/.test(e.chainHash)),
        'a 64-hex link on every event',
      );
      t.is(new Set(mine.map((e) => e.chainHash)).size, mine.length, 'every link differs');
      // Other tests may be appending to a shared server meanwhile: walk up to the head seen now.
      const head = await store.headPosition();
      const report = await walkChain(chainPages(store), { scope, upTo: head });
      t.true(report.intact, JSON.stringify(report.firstBreak));
      t.is(report.head.position, head);
      // The same links from the parsed events, re-serialized: what a store without readChain is audited by.
      async function* parsed() {
        for await (const e of store.readAll()) yield [toChainEntry(e)];
      }
      t.deepEqual(await walkChain(parsed(), { scope, upTo: head }), report);
    } finally {
      await store.close();
    }
  });
}
