// The in-memory store the unit tests stand on passes the same contract as the real adapters, so a unit test
// cannot pass against semantics no real store has.
import { registerChainContract } from './helpers/audit-chain-contract.ts';
import { registerEventStoreContract } from './helpers/event-store-contract.ts';
import { MemoryEventStore } from './helpers/memory-event-store.ts';

registerEventStoreContract('memory', async () => new MemoryEventStore());
registerChainContract('memory', async () => new MemoryEventStore());
