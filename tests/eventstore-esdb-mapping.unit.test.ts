// The EventStoreDB adapter's pure mappings, checked without a server: expected revisions, filters and
// positions must translate exactly, since the contract suite only runs where a server is available.

import test from 'ava';
import { NO_STREAM } from '@eventstore/db-client';
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
