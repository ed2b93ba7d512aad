// Issue 16: two trainer consumers in two processes against one PostgreSQL ledger record exactly one version per
// distinct edit set. A throwaway server is started on loopback; where PostgreSQL is missing, one SKIPPED line.
import test from 'ava';
import { spawn } from 'node:child_process';
import { command as edit } from '../infra/cli/commands/edit.ts';
import { PostgresEventStore } from '../infra/eventstore/postgres-event-store.ts';
import { canRunServer, startPostgresServer } from './helpers/postgres-server.ts';
import { landEdit, QUICK_POLICY, withTinyHome } from './helpers/tiny-home.ts';

const available = canRunServer();

function trainer(env: NodeJS.ProcessEnv, name: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'infra/cli/main.ts', 'trainer', '--once', '--name', name, '--json'],
      { env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

if (available.ok) {
  test('postgres: two trainer processes on one ledger record exactly one version per distinct edit set', async (t) => {
    const server = await startPostgresServer();
    t.teardown(() => server.destroy());
    const { env, cli } = await withTinyHome(t, {
      prefix: 'pg-trainers',
      policy: QUICK_POLICY,
      baseEnv: process.env,
      extraEnv: { EDITLEDGER_STORE: server.url },
    });
    const submit = (n: number) => cli(edit, landEdit(n, 'r'));
    for (const round of [[1, 2], [3]]) {
      for (const n of round) t.is((await submit(n)).code, 0);
      const results = await Promise.all([trainer(env, 'a'), trainer(env, 'b')]);
      for (const r of results) t.is(r.code, 0, r.stderr);
    }
    const store = await PostgresEventStore.open(server.url);
    try {
      const versions = (await store.readStream('model-lifecycle')).filter((e) => e.type === 'ModelVersionMaterialized');
      const sets = versions.map((e) => (e.data as { editSetHash: string }).editSetHash);
      t.is(versions.length, 2, 'two rounds, two distinct edit sets, two versions');
      t.is(new Set(sets).size, versions.length, 'never the same edit set twice');
    } finally {
      await store.close();
    }
  });
} else {
  const message = `PostgreSQL trainer tests SKIPPED: ${available.why}`;
  process.stderr.write(`${message}\n`);
  test('postgres: the two-trainer test needs a PostgreSQL server installation', (t) => {
    t.log(message);
    t.pass();
  });
}
