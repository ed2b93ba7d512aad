// The EventStoreDB adapter's pure mappings, checked without a server: expected revisions, filters and
// positions must translate exactly, since the contract suite only runs where a server is available.

import test from 'ava';
import { NO_STREAM } from '@eventstore/db-client';
import { chainLink, eventDigest, GENESIS_HASH } from '../domain/chain.ts';
import { CHAIN_METADATA_KEY, splitChain, streamLinks, withChain } from '../infra/eventstore/esdb-chain.ts';
import { exactPosition, toEsdbExpectedRevision, toEsdbFilter } from '../infra/eventstore/esdb-event-store.ts';

test('esdb mapping: a numeric expected revision becomes the same bigint revision', (t) => {
  t.is(toEsdbExpectedRevision(0, 0n), 0n);
  t.is(toEsdbExpectedRevision(41, 41n), 41n);
});

test("esdb mapping: 'no_stream' stays NO_STREAM", (t) => {
  t.is(toEsdbExpectedRevision('no_stream', null), NO_STREAM);
});

test("esdb mapping: 'any' and 'stream_exists' are tightened to the revision the id check saw", (t) => {
  t.is(toEsdbExpectedRevision('any', null), NO_STREAM);
  t.is(toEsdbExpectedRevision('any', 7n), 7n);
  t.is(toEsdbExpectedRevision('stream_exists', 3n), 3n);
});

test('esdb mapping: stream prefixes become a server-side stream-name prefix filter', (t) => {
  const filter = toEsdbFilter({ streamPrefixes: ['edit-', 'model-'], eventTypes: ['X'] });
  t.is(filter.filterOn, 'streamName');
  t.true('prefixes' in filter && filter.prefixes.join() === 'edit-,model-');
});

test('esdb mapping: event types become an exact-match regex, escaped', (t) => {
  const filter = toEsdbFilter({ eventTypes: ['EditSubmitted', 'a.b+c'] });
  t.is(filter.filterOn, 'eventType');
  t.true('regex' in filter);
  const regex = new RegExp('regex' in filter ? filter.regex : '');
  t.true(regex.test('EditSubmitted'));
  t.true(regex.test('a.b+c'));
  t.false(regex.test('EditSubmittedLater'), 'exact, not a prefix');
  t.false(regex.test('axbbc'), 'dots and pluses are literal');
});

test('esdb mapping: no filter still excludes system ($) events on the server', (t) => {
  const filter = toEsdbFilter(undefined);
  t.is(filter.filterOn, 'eventType');
  const regex = new RegExp('regex' in filter ? filter.regex : '');
  t.false(regex.test('$statsCollected'));
  t.true(regex.test('EditSubmitted'));
});

test('esdb mapping: a port position addresses the event with equal commit and prepare positions', (t) => {
  t.deepEqual(exactPosition(12345), { commit: 12345n, prepare: 12345n });
});

test('esdb mapping: the chain link travels last in the metadata and is taken out again on read', (t) => {
  const metadata = { actor: 'a', 1: 'integer-like', z: null };
  const written = withChain(metadata, 'f'.repeat(64));
  t.deepEqual(Object.keys(written).at(-1), CHAIN_METADATA_KEY);
  const read = splitChain(JSON.parse(JSON.stringify(written)) as typeof written);
  t.is(read.chainHash, 'f'.repeat(64));
  t.is(JSON.stringify(read.metadata), JSON.stringify(metadata), 'the same metadata text, so the same digest');
  t.is(splitChain(metadata).chainHash, undefined, 'an event written without a link has none');
});

test('esdb mapping: links chain per stream, from the genesis hash for a new stream', (t) => {
  const event = (i: number) => ({
    id: `00000000-0000-4000-8000-00000000000${i}`,
    type: 'Noted',
    data: { i },
    metadata: {},
    dataJson: JSON.stringify({ i }),
    metadataJson: '{}',
  });
  const [a, b] = streamLinks('s', [event(1), event(2)], 0, undefined);
  const digest = (i: number) => eventDigest({ ...event(i), stream: 's' });
  t.is(a, chainLink(GENESIS_HASH, undefined, 0, digest(1)));
  t.is(b, chainLink(a!, undefined, 1, digest(2)));
  t.deepEqual(streamLinks('s', [event(2)], 1, a), [b]);
});
