// The store the CLI says it uses (demo, ingest) is the one the config selects, and a password in its URL never
// reaches the output.
import test from 'ava';
import { resolve } from 'node:path';
import { loadConfig } from '../infra/config.ts';
import { redactUrl, storeLabel } from '../infra/cli/store-label.ts';

const cwd = '/srv/x';
const labelFor = (env: NodeJS.ProcessEnv): string => storeLabel(loadConfig({ env, cwd }).eventStore);

test('each store the environment selects is named, the password masked', (t) => {
  t.is(labelFor({}), `embedded SQLite ${resolve(cwd, '.editledger', 'ledger.db')}`);
  t.is(
    labelFor({ EDITLEDGER_STORE: 'postgres://editledger:s3cret@db:5432/editledger' }),
    'PostgreSQL at postgres://editledger:***@db:5432/editledger',
  );
  t.is(labelFor({ DATABASE_URL: 'postgresql://u:pw@db/ledger' }), 'PostgreSQL at postgresql://u:***@db/ledger');
  t.is(
    labelFor({ EVENTSTORE_URL: 'esdb://admin:changeit@localhost:2113?tls=false' }),
    'EventStoreDB at esdb://admin:***@localhost:2113?tls=false',
  );
  // PostgreSQL wins over EventStoreDB, as in openEventStore; a DATABASE_URL that is not postgres selects nothing.
  t.regex(labelFor({ EVENTSTORE_URL: 'esdb://h:2113', DATABASE_URL: 'postgres://h/db' }), /^PostgreSQL at /);
  t.regex(labelFor({ DATABASE_URL: 'mysql://u:p@h/db' }), /^embedded SQLite /);
});

test('redactUrl masks user-info passwords and secret query values, and keeps the rest', (t) => {
  t.is(redactUrl('esdb://localhost:2113?tls=false'), 'esdb://localhost:2113?tls=false');
  t.is(redactUrl('postgres://alice@db/ledger'), 'postgres://alice@db/ledger');
  t.is(
    redactUrl('esdb+discover://admin:changeit@h1:2113,h2:2113?tls=true'),
    'esdb+discover://admin:***@h1:2113,h2:2113?tls=true',
  );
  t.is(
    redactUrl('postgres://db/ledger?sslmode=require&password=pw&sslpassword=k2&application_name=el'),
    'postgres://db/ledger?sslmode=require&password=***&sslpassword=***&application_name=el',
  );
  // An unencoded @ in the password: the user info runs to the last @, so no part of the password shows.
  const odd = redactUrl('postgres://u:p@ss/w@rd@db:5432/ledger');
  t.is(odd, 'postgres://u:***@db:5432/ledger');
  for (const secret of ['s3cret', 'changeit', 'pw', 'p@ss']) t.false(odd.includes(secret));
});

test('the SQLite path can be shortened for display; server URLs are not touched by it', (t) => {
  const config = { sqlitePath: '/srv/x/.editledger/ledger.db' };
  t.is(
    storeLabel(config, (p) => p.replace('/srv/x/', '')),
    'embedded SQLite .editledger/ledger.db',
  );
  t.is(
    storeLabel({ ...config, eventstoreUrl: 'esdb://u:p@h:2113' }, () => 'unused'),
    'EventStoreDB at esdb://u:***@h:2113',
  );
});
