// The hash chain's definition (domain/chain.ts) and the walk that names the first break (domain/chain-walk.ts),
// on events as a store returns them, altered the ways an attacker with write access to the file could.
import { randomUUID } from 'node:crypto';
import test from 'ava';
import {
  chainLink,
  eventDigest,
  expectedLink,
  GENESIS_HASH,
  LedgerTamperedError,
  toChainEntry,
} from '../domain/chain.ts';
import { walkChain } from '../domain/chain-walk.ts';
import type { ChainEntry, RecordedEvent } from '../domain/ports/event-store.ts';
import { EXIT_CODE_BY_KIND } from '../infra/cli/format.ts';
import { MemoryEventStore } from './helpers/memory-event-store.ts';

/** Events as the walk reads them (readAll's fallback: re-serialized, the stored text for these). */
async function* each(events: readonly RecordedEvent[]): AsyncGenerator<readonly ChainEntry[]> {
  yield events.map(toChainEntry);
}

/** Ten events in three streams, as the in-memory store chains them. */
async function ledger(): Promise<RecordedEvent[]> {
  const store = new MemoryEventStore();
  for (let i = 0; i < 10; i++)
    await store.append(`s-${i % 3}`, [{ id: randomUUID(), type: 'Noted', data: { i }, metadata: { by: 'u' } }], 'any');
  const out: RecordedEvent[] = [];
  for await (const e of store.readAll()) out.push(e);
  return out;
}

/** Positions 1..n again after rows were removed or inserted, keeping each row's content and link. */
function renumber(events: readonly RecordedEvent[]): RecordedEvent[] {
  return events.map((e, i) => ({ ...e, position: i + 1 }));
}

test('chain: the link is sha256 over prev, position, revision and the digest of id, stream, type, data, metadata', (t) => {
  const digest = eventDigest({ id: 'x', stream: 's', type: 'T', dataJson: '{"a":1}', metadataJson: '{}' });
  t.is(digest, eventDigest({ id: 'x', stream: 's', type: 'T', dataJson: '{"a":1}', metadataJson: '{}' }));
  t.not(digest, eventDigest({ id: 'x', stream: 's', type: 'T', dataJson: '{"a":2}', metadataJson: '{}' }));
  t.not(digest, eventDigest({ id: 'x', stream: 's', type: 'T', dataJson: '{"a":1}', metadataJson: '{"b":1}' }));
  // The framing cannot be shifted: moving a character between stream and type changes the digest.
  t.not(
    eventDigest({ id: 'x', stream: 's\n', type: 'T', dataJson: '1', metadataJson: '{}' }),
    eventDigest({ id: 'x', stream: 's', type: '\nT', dataJson: '1', metadataJson: '{}' }),
  );
  const link = chainLink(GENESIS_HASH, 1, 0, digest);
  t.regex(link, /^[0-9a-f]{64}$/);
  t.not(link, chainLink(GENESIS_HASH, 2, 0, digest), 'position is chained');
  t.not(link, chainLink(GENESIS_HASH, 1, 1, digest), 'revision is chained');
  t.not(link, chainLink(GENESIS_HASH, undefined, 0, digest), "the 'stream' scope differs from 'all'");
});

test('chain: an intact ledger verifies, and the wanted positions come back with their hashes', async (t) => {
  const events = await ledger();
  const report = await walkChain(each(events), { positions: new Set([3, 10, 99]) });
  t.true(report.intact);
  t.is(report.verified, 10);
  t.deepEqual(report.head, { position: 10, chainHash: events[9]!.chainHash! });
  t.deepEqual([...report.hashesAt.keys()].sort(), [10, 3]);
  const upTo = await walkChain(each(events), { upTo: 4 });
  t.is(upTo.verified, 4);
});

test('chain: a changed data or metadata value is named as modified at its position', async (t) => {
  const events = await ledger();
  const data = events.map((e) => (e.position === 4 ? { ...e, data: { i: 33 } } : e));
  t.like((await walkChain(each(data))).firstBreak, { position: 4, kind: 'modified' });
  const metadata = events.map((e) => (e.position === 6 ? { ...e, metadata: { by: 'v' } } : e));
  const report = await walkChain(each(metadata));
  t.like(report.firstBreak, { position: 6, kind: 'modified' });
  t.is(report.verified, 5);
  const last = events.map((e) => (e.position === 10 ? { ...e, type: 'Forged' } : e));
  t.like((await walkChain(each(last))).firstBreak, { position: 10, kind: 'modified' });
});

test('chain: a deleted event is named by its position, with or without the later ones renumbered', async (t) => {
  const events = await ledger();
  const gap = events.filter((e) => e.position !== 5);
  t.like((await walkChain(each(gap))).firstBreak, { position: 5, kind: 'deleted' });
  const renumbered = renumber(events.filter((e) => e.position !== 5));
  t.like((await walkChain(each(renumbered))).firstBreak, { position: 5, kind: 'deleted' });
});

test('chain: two swapped events are named as reordered', async (t) => {
  const events = await ledger();
  const swapped = [...events];
  [swapped[6], swapped[7]] = [
    { ...events[7]!, position: 7 },
    { ...events[6]!, position: 8 },
  ];
  const report = await walkChain(each(swapped));
  t.like(report.firstBreak, { position: 7, kind: 'reordered' });
  t.regex(report.firstBreak?.detail ?? '', /now at position 8 .* was chained at position 7/);
});

test('chain: an inserted event is named, whether its link is garbage or correctly computed', async (t) => {
  const events = await ledger();
  const forged: RecordedEvent = { ...events[2]!, id: randomUUID(), data: { forged: true }, position: 4 };
  const garbage = renumber([...events.slice(0, 3), { ...forged, chainHash: 'f'.repeat(64) }, ...events.slice(3)]);
  t.like((await walkChain(each(garbage))).firstBreak, { position: 4, kind: 'inserted' });
  const valid = { ...forged, chainHash: expectedLink(events[2]!.chainHash!, toChainEntry(forged), 'all') };
  const clever = renumber([...events.slice(0, 3), valid, ...events.slice(3)]);
  t.like((await walkChain(each(clever))).firstBreak, { position: 4, kind: 'inserted' });
});

test('chain: an event without a link, or with its link rewritten, is named', async (t) => {
  const events = await ledger();
  const { chainHash: _dropped, ...bare } = events[1]!;
  const unchained = [events[0]!, bare, ...events.slice(2)];
  t.like((await walkChain(each(unchained))).firstBreak, { position: 2, kind: 'unchained' });
  const rewritten = events.map((e) => (e.position === 3 ? { ...e, chainHash: 'a'.repeat(64) } : e));
  t.like((await walkChain(each(rewritten))).firstBreak, { position: 3, kind: 'broken' });
});

test("chain: the 'stream' scope links each event to its stream's previous one", async (t) => {
  const events = (await ledger()).map((e) => ({ ...e, position: e.position * 100 }));
  const perStream = new Map<string, string>();
  const relinked = events.map((e) => {
    const chainHash = expectedLink(perStream.get(e.stream) ?? GENESIS_HASH, toChainEntry(e), 'stream');
    perStream.set(e.stream, chainHash);
    return { ...e, chainHash };
  });
  t.true((await walkChain(each(relinked), { scope: 'stream' })).intact);
  const skipped = relinked.filter((e) => e.position !== 400);
  t.like((await walkChain(each(skipped), { scope: 'stream' })).firstBreak, { position: 700, kind: 'deleted' });
});

test('chain: LedgerTamperedError is a conflict (exit 5) naming the position', (t) => {
  const error = new LedgerTamperedError(7, 'the event was modified');
  t.is(error.kind, 'conflict');
  t.is(EXIT_CODE_BY_KIND[error.kind], 5);
  t.regex(error.message, /position 7/);
});
