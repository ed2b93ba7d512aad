// The event-store contract on EventStoreDB/KurrentDB, when a server is configured with EVENTSTORE_URL
// (e.g. esdb://localhost:2113?tls=false after `docker compose up eventstore`). Streams get unique
// names per test, so a long-lived server can be reused.

import test from 'ava';
import { EsdbEventStore } from '../infra/eventstore/esdb-event-store.ts';
import { registerChainContract } from './helpers/audit-chain-contract.ts';
import { registerEventStoreContract } from './helpers/event-store-contract.ts';

const url = process.env.EVENTSTORE_URL?.trim();

if (url) {
  registerEventStoreContract('esdb', async () => EsdbEventStore.connect(url));
  registerChainContract('esdb', async () => EsdbEventStore.connect(url), 'stream');
} else {
  const message =
    'EventStoreDB contract tests SKIPPED: EVENTSTORE_URL is not set (start a server with docker compose up eventstore)';
  process.stderr.write(`${message}\n`);
  test('esdb: contract tests need EVENTSTORE_URL', (t) => {
    t.log(message);
    t.pass();
  });
}
