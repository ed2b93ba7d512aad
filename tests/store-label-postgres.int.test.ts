// `editledger ingest file` with EDITLEDGER_STORE naming a real PostgreSQL server (started for this file): the
// ledger line names PostgreSQL, not the embedded SQLite file, and the password given in the URL is not printed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { ExitCode } from '../infra/cli/command.ts';
import { command as ingest } from '../infra/cli/commands/ingest.ts';
import { PostgresEventStore } from '../infra/eventstore/postgres-event-store.ts';
import { runCli } from './helpers/cli-harness.ts';
import { zsre } from './helpers/ingestion-contract.ts';
import { canRunServer, startPostgresServer } from './helpers/postgres-server.ts';

const available = canRunServer();

if (available.ok) {
  test('ingest names the PostgreSQL store it writes to, with the password masked', async (t) => {
    const server = await startPostgresServer();
    const dir = mkdtempSync(join(tmpdir(), 'editledger-store-label-'));
    t.teardown(() => {
      server.destroy();
      rmSync(dir, { recursive: true, force: true });
    });
    // The throwaway server trusts local connections, so the password is never checked: it is only there to be hidden.
    const secret = 'pw-not-to-print';
    const url = server.url.replace('postgres://postgres@', `postgres://postgres:${secret}@`);
    writeFileSync(join(dir, 'corrections.jsonl'), `${zsre(1)}\n`);
    const run = await runCli(ingest, ['file', 'corrections.jsonl', '--home', 'home', '--json'], {
      cwd: dir,
      env: { USER: 'tester', EDITLEDGER_STORE: url },
    });
    t.is(run.code, ExitCode.ok, run.stderr);
    t.regex(
      run.stderr,
      new RegExp(`ledger: PostgreSQL at postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:${server.port}/postgres;`),
    );
    t.notRegex(run.stderr, /SQLite/);
    t.false(run.stderr.includes(secret) || run.stdout.includes(secret), 'the password is not printed');
    // And the edit really went to that server.
    const store = await PostgresEventStore.open(server.url);
    try {
      t.true((await store.headPosition()) > 0);
    } finally {
      await store.close();
    }
  });
} else {
  test('ingest names the PostgreSQL store it writes to (no PostgreSQL server here)', (t) => {
    t.log(`SKIPPED: ${available.why}`);
    t.pass();
  });
}
