// The token file is re-read when another process changes it (`editledger token revoke` while `serve` runs): one
// stat per authentication, and a rewrite is seen even when it keeps the file's size and modification time.
import test from 'ava';
import { readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { TokenStore, tokensPath } from '../infra/auth/token-store.ts';
import { tempHome } from './helpers/temp-home.ts';

test('a token revoked through another TokenStore (another process) is refused at once', (t) => {
  const dir = tempHome(t, 'tokens');
  const serving = TokenStore.open(dir);
  const { token } = TokenStore.open(dir).create('upstream', 'submitter', 'admin');
  t.like(serving.authenticate(token), { name: 'upstream', role: 'submitter' });
  TokenStore.open(dir).revoke('upstream');
  t.is(serving.authenticate(token), undefined);
});

test('a replaced file of the same size and modification time is still re-read', (t) => {
  const dir = tempHome(t, 'tokens');
  const file = tokensPath(dir);
  const { token } = TokenStore.open(dir).create('upstream', 'submitter', 'admin');
  // Whole seconds, so that both versions of the file carry exactly the same mtime.
  const mtime = 1_700_000_000;
  utimesSync(file, mtime, mtime);
  const serving = TokenStore.open(dir);
  t.like(serving.authenticate(token), { role: 'submitter' });
  // Another writer swaps the role for one of the same length and keeps the mtime: only the inode differs.
  const before = statSync(file);
  const text = readFileSync(file, 'utf8');
  t.true(text.includes('"submitter"'));
  writeFileSync(`${file}.new`, text.replace('"submitter"', '"approver" '), { mode: 0o600 });
  utimesSync(`${file}.new`, mtime, mtime);
  renameSync(`${file}.new`, file);
  t.is(statSync(file).size, before.size);
  t.is(statSync(file).mtimeMs, before.mtimeMs);
  t.like(serving.authenticate(token), { role: 'approver' });
});

test('no token file: nothing authenticates, and one created later is seen', (t) => {
  const dir = tempHome(t, 'tokens');
  const serving = TokenStore.open(dir);
  t.is(serving.size, 0);
  const { token } = TokenStore.open(dir).create('late', 'auditor', 'admin');
  t.like(serving.authenticate(token), { name: 'late', role: 'auditor' });
});
