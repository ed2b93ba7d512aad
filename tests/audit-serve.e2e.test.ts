// The audit trail through `editledger serve`: with an audit key in the home, every version materialized through
// the API is covered by a signed checkpoint, and GET /v1/audit/verify reports the chain and signatures — intact, and
// after a byte of the ledger file is changed, broken at that position.
import test from 'ava';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { command as audit } from '../infra/cli/commands/audit.ts';
import { TokenStore } from '../infra/auth/token-store.ts';
import { call, startServe } from './helpers/serve-process.ts';
import { TINY_LAND_CAPITAL, withTinyHome } from './helpers/tiny-home.ts';

test('serve signs the head after a materialized version; /v1/audit/verify is intact, then names a tampered position', async (t) => {
  const policy = ['--layer', '1', '--lr', '0.05', '--epochs', '10', '--seed', '7'];
  const { home, ok } = await withTinyHome(t, { prefix: 'audit-serve', policy });
  await ok(audit, ['keygen']);
  const token = TokenStore.open(home).create('ops', 'admin', 'test').token;

  let serve = await startServe(home, ['--no-trainer']);
  t.teardown(async () => {
    await serve.stop('SIGKILL');
  });
  const body = {
    ...TINY_LAND_CAPITAL,
    rephrase: [],
    locality: [],
    source: { system: 'test', ref: '1' },
    reason: 'test',
  };
  t.is((await call(serve.url, 'POST', '/v1/edits', { token, body })).status, 201);
  const job = await call(serve.url, 'POST', '/v1/jobs/materialize', { token, body: {} });
  await fetch(`${serve.url}/v1/jobs/${job.body.id}/events`, { headers: { authorization: `Bearer ${token}` } }).then(
    (r) => r.text(),
  );
  const intact = await call(serve.url, 'GET', '/v1/audit/verify', { token });
  t.is(intact.status, 200);
  t.true(intact.body.ok, JSON.stringify(intact.body));
  t.true(intact.body.signaturesChecked);
  t.true(intact.body.checkpoints.length >= 1, 'the version materialized through the API was signed');
  t.true(intact.body.checkpoints.every((c: any) => c.status === 'ok'));
  await serve.stop('SIGTERM');

  // One byte of the edit's data changed in the SQLite file: the report names its position.
  const db = new Database(join(home, 'ledger.db'));
  const row = db.prepare("SELECT position, data FROM events WHERE type = 'EditSubmitted'").get() as {
    position: number;
    data: string;
  };
  db.prepare('UPDATE events SET data = ? WHERE position = ?').run(row.data.replace('Paris', 'Parus'), row.position);
  db.close();
  serve = await startServe(home, ['--no-trainer']);
  const broken = await call(serve.url, 'GET', '/v1/audit/verify', { token });
  t.false(broken.body.ok);
  t.is(broken.body.firstProblem.position, row.position);
  await serve.stop('SIGTERM');
});
