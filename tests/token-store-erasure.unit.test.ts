// Erasure of an actor reaches the token file (<home>/auth/tokens.json): the token named after the erased actor and
// the tokens it created keep working, under a pseudonym, and the name is in no byte of the file afterwards.
import test from 'ava';
import { readFileSync, statSync } from 'node:fs';
import { TokenStore, tokensPath } from '../infra/auth/token-store.ts';
import { tempHome } from './helpers/temp-home.ts';

test('redactActor: the named token and what it created take pseudonyms; others are untouched', (t) => {
  const dir = tempHome(t, 'tokens-erase');
  const store = TokenStore.open(dir);
  const person = store.create('quillon.b', 'admin', 'cli:root');
  const created = store.create('feed', 'submitter', 'token:quillon.b');
  const other = store.create('auditor-1', 'auditor', 'cli:root');
  const serving = TokenStore.open(dir);

  t.is(store.redactActor('quillon.b'), 0, 'only the actor form token:<name> names a token');
  t.true(readFileSync(tokensPath(dir), 'utf8').includes('quillon'));
  t.is(store.redactActor('token:quillon.b'), 2);
  t.false(readFileSync(tokensPath(dir), 'utf8').includes('quillon'), 'the name is gone from the file');
  t.is(statSync(tokensPath(dir)).mode & 0o777, 0o600);
  const listed = new Map(serving.list().map((info) => [info.id, info]));
  t.like(listed.get(person.info.id), { name: `erased-${person.info.id}`, role: 'admin', createdBy: 'cli:root' });
  t.like(listed.get(created.info.id), { name: 'feed', createdBy: '[erased]' });
  t.like(listed.get(other.info.id), { name: 'auditor-1', createdBy: 'cli:root' });
  // Access is not what erasure takes away: a running service (another TokenStore) still accepts the token.
  t.like(serving.authenticate(person.token), { name: `erased-${person.info.id}`, role: 'admin' });
  t.is(store.redactActor('token:quillon.b'), 0, 'a second erasure finds nothing left to rename');
});
