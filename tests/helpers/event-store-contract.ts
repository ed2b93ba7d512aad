// The ONE contract every EventStore adapter must pass (domain/ports/event-store.ts states the rules).
// Each test uses its own stream-name prefix and filters $all by it, so the suite can run against a
// shared, long-lived server with other writers, and its tests can run concurrently.

import { randomUUID } from 'node:crypto';
import test from 'ava';
import type { EventStore } from '../../domain/ports/event-store.ts';
import { appendContract } from './event-store-contract-append.ts';
import type { ContractBody } from './event-store-contract-kit.ts';
import { readContract } from './event-store-contract-read.ts';

export function registerEventStoreContract(name: string, make: () => Promise<EventStore>): void {
  const it = (title: string, body: ContractBody): void => {
    test(`${name}: ${title}`, async (t) => {
      const store = await make();
      try {
        await body(t, store, `contract-${randomUUID().slice(0, 8)}`);
      } finally {
        await store.close();
      }
    });
  };
  appendContract(it);
  readContract(it);
}
