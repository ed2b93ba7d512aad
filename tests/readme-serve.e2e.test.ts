// The README's service walkthrough ("Running it as a service"), run as written through bash on a fresh home: the
// block is taken from README.md itself, only the port 8080 is swapped for a free one so the test cannot collide
// with a server the user runs. It registers the shipped base, creates a token, serves, submits, imports,
// materializes (following the job's events), promotes, rolls back to a position, and stops with SIGTERM.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function serviceBlock(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Running it as a service'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error('README.md has no sh block under "Running it as a service"');
  return block;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('the README service walkthrough runs as written and leaves the rollback serving', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'editledger-readme-serve-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const port = await freePort();
  const script = serviceBlock().replaceAll('8080', String(port)).replace('serve --idle', `serve --port ${port} --idle`);
  const run = spawnSync('bash', ['-c', `set -m\n${script}`], {
    cwd: ROOT,
    env: { ...process.env, EDITLEDGER_HOME: home, EDITLEDGER_BACKEND: 'wasm' },
    encoding: 'utf8',
    timeout: 240_000,
  });
  t.is(run.status, 0, run.stderr);
  t.regex(run.stdout, /"outcome":"submitted"/);
  t.regex(run.stdout, /"submitted":4/);
  t.regex(run.stdout, /"state":"succeeded"/, 'the job events end with success');
  t.regex(run.stdout, /"versions":\[\{/);
  t.regex(run.stdout, /"kind":"rollback"/);
  t.regex(run.stderr, /SIGTERM: stopping/);
  t.regex(run.stderr, /stopped/);
  // After the stop, the CLI sees what the API did: the edit set at position 1 is served.
  const versions = spawnSync(process.execPath, ['--import', 'tsx', 'infra/cli/main.ts', 'versions', '--json'], {
    cwd: ROOT,
    env: { ...process.env, EDITLEDGER_HOME: home },
    encoding: 'utf8',
  });
  const listed = JSON.parse(versions.stdout) as {
    serving: string;
    versions: Array<{ versionId: string; position: number; editIds: string[] }>;
  };
  const serving = listed.versions.find((v) => v.versionId === listed.serving);
  t.is(serving?.editIds.length, 1);
});
