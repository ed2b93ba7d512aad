// What only the HTTP adapter and the `ingest` command show: response bodies and status codes, body formats and
// limits, and `editledger ingest http` as a process that stops cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { MemoryEventStore } from './helpers/memory-event-store.ts';
import { command as ingest } from '../infra/cli/commands/ingest.ts';
import { ExitCode } from '../infra/cli/command.ts';
import { SealingEventStore } from '../infra/eventstore/sealing-event-store.ts';
import { dataSubjectKeysPath, SqliteDataSubjectKeys } from '../infra/keys/data-subject-key-store.ts';
import { SqliteEventStore } from '../infra/eventstore/sqlite-event-store.ts';
import { MemoryDeadLetterSink } from '../infra/ingest/dead-letters.ts';
import { HttpIngestionSource } from '../infra/ingest/http-source.ts';
import { IngestLoop } from '../infra/ingest/ingest-loop.ts';
import { LedgerService } from '../domain/edit-use-cases.ts';
import { TokenStore } from '../infra/auth/token-store.ts';
import { runCli } from './helpers/cli-harness.ts';
import { counterfact, expectedEdit, FlakyStore, submittedEdits, SYSTEM, zsre } from './helpers/ingestion-contract.ts';

async function server(t: ExecutionContext, options: { maxBodyBytes?: number } = {}) {
  const store = new FlakyStore(new MemoryEventStore());
  const source = await HttpIngestionSource.listen({ port: 0, ...options });
  const deadLetters = new MemoryDeadLetterSink();
  const loop = new IngestLoop({
    source,
    ledger: new LedgerService(store),
    deadLetters,
    system: SYSTEM,
    submittedBy: 'http-test',
    reason: 'test',
    retry: { initialMs: 5, maxMs: 5 },
  });
  const running = loop.run();
  t.teardown(async () => {
    await loop.stop();
    await running;
  });
  const post = async (body: string | Uint8Array) => {
    const response = await fetch(`${source.url}/corrections`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Record<string, unknown>,
    };
  };
  return { store, source, deadLetters, loop, post };
}

test('POST /corrections with a JSON array: 202, the recorded edit ids and per-item errors naming the field', async (t) => {
  const { post, store } = await server(t);
  const bad = JSON.stringify({ prompt: 'The mother tongue of Person 5 is' });
  const response = await post(`[${zsre(1)}, ${bad}, ${counterfact(2)}]`);
  t.is(response.status, 202);
  t.deepEqual(response.body, {
    recorded: [
      {
        index: 0,
        ...expectedEdit(zsre(1)),
        factKey: (response.body.recorded as Array<{ factKey: string }>)[0]!.factKey,
      },
      {
        index: 2,
        ...expectedEdit(counterfact(2)),
        factKey: (response.body.recorded as Array<{ factKey: string }>)[1]!.factKey,
      },
    ],
    errors: [{ index: 1, field: 'target_new', message: 'missing' }],
    submitted: 2,
    duplicates: 0,
    superseded: 0,
    rejected: 1,
    position: await store.headPosition(),
  });
  t.is((await submittedEdits(store)).length, 2);

  // One object, sent again: a redelivery (202, nothing new).
  const again = await post(zsre(1));
  t.is(again.status, 202);
  t.like(again.body, { submitted: 0, duplicates: 1 });
});

test('a correction for a fact that has an active edit supersedes it', async (t) => {
  const { post } = await server(t);
  t.like((await post(zsre(1, 'River A'))).body, { submitted: 1, superseded: 0 });
  t.like((await post(zsre(1, 'River B'))).body, { submitted: 1, superseded: 1 });
});

test('400 when no item is valid (each error names its field), or when the body itself is unusable', async (t) => {
  const { post, store, deadLetters } = await server(t);
  const none = await post(`${JSON.stringify({ src: 'Where is Creek 1?' })}\n{oops`);
  t.is(none.status, 400);
  t.deepEqual(none.body.errors, [
    { index: 0, field: 'alt', message: 'missing' },
    { index: 1, field: 'payload', message: (none.body.errors as Array<{ message: string }>)[1]!.message },
  ]);
  t.regex((none.body.errors as Array<{ message: string }>)[1]!.message, /not valid JSON/);
  t.is(deadLetters.entries.length, 2);

  t.like(await post(''), {
    status: 400,
    body: {
      field: 'body',
      error: 'body: is empty: send one correction (a JSON object), a JSON array of them, or JSONL',
    },
  });
  t.like(await post('[]'), { status: 400, body: { field: 'body' } });
  t.like(await post(Uint8Array.from([0x5b, 0xc3, 0x28, 0x5d])), {
    status: 400,
    body: { field: 'body', error: 'body: is not valid UTF-8' },
  });
  t.like(await post('42'), { status: 400, body: { errors: [{ index: 0, field: 'payload' }] } });
  t.is(await store.headPosition(), 0);
});

test('413 for a body over the limit; 404, 405 and GET /health', async (t) => {
  const { post, source } = await server(t, { maxBodyBytes: 1000 });
  t.like(await post(`[${Array.from({ length: 20 }, (_, i) => zsre(i)).join(',')}]`), {
    status: 413,
    body: { field: 'body' },
  });
  const health = await fetch(`${source.url}/health`);
  t.is(health.status, 200);
  t.deepEqual(await health.json(), { status: 'ok', channel: 'http', pending: 0 });
  t.is((await fetch(`${source.url}/nope`)).status, 404);
  const get = await fetch(`${source.url}/corrections`);
  t.is(get.status, 405);
  t.is(get.headers.get('allow'), 'POST');
});

test('503 with Retry-After when the ledger cannot be written; sending it again later records it once', async (t) => {
  const { post, store } = await server(t);
  store.failAppends = true;
  const refused = await post(zsre(1));
  t.is(refused.status, 503);
  t.is(refused.headers.get('retry-after'), '1');
  t.regex(String(refused.body.error), /simulated ledger outage.*nothing acknowledged, send it again/);
  store.failAppends = false;
  t.like(await post(zsre(1)), { status: 202, body: { submitted: 1 } });
  t.is((await submittedEdits(store)).length, 1);
});

test('editledger ingest: usage errors and bad identities are refused before anything starts', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'editledger-ingest-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const run = (argv: string[], env: NodeJS.ProcessEnv = { USER: 'tester' }) => runCli(ingest, argv, { cwd: dir, env });
  const noBrokers = await run(['kafka', '--topic', 't', '--home', 'h']);
  t.is(noBrokers.code, ExitCode.usage);
  t.regex(noBrokers.stderr, /--brokers is required \(or set KAFKA_BROKERS\)/);
  const noTopic = await run(['kafka', '--home', 'h'], { USER: 'tester', KAFKA_BROKERS: 'localhost:1' });
  t.is(noTopic.code, ExitCode.usage);
  t.regex(noTopic.stderr, /--topic is required/);
  const badSystem = await run(['http', '--system', ' ', '--port', '0', '--home', 'h']);
  t.is(badSystem.code, ExitCode.invalidInput);
  t.regex(badSystem.stderr, /system: must not be empty/);
  t.is((await run(['http', '--port', '70000'])).code, ExitCode.usage);
  t.is((await run(['ftp'])).code, ExitCode.usage);
  t.false(existsSync(join(dir, 'h')), 'a refused command created its home');
});

test('editledger ingest http: records POSTed corrections, and SIGTERM stops it cleanly with a summary', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'editledger-ingest-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const home = join(dir, 'home');
  const submitter = TokenStore.open(home).create('feed', 'submitter', 'test').token;
  const auditor = TokenStore.open(home).create('reader', 'auditor', 'test').token;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'infra/cli/main.ts', 'ingest', 'http', '--port', '0', '--home', home, '--system', SYSTEM],
    {
      cwd: process.cwd(),
      env: { ...process.env, EVENTSTORE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  const deadline = Date.now() + 20_000;
  let url: string | undefined;
  while (url === undefined && Date.now() < deadline && child.exitCode === null) {
    url = /listening on (http:\/\/[^\s]+)/.exec(stderr)?.[1];
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (url === undefined) return t.fail(`no "listening on" line: ${stderr}`);

  const body = `${zsre(1)}\n{"src": "Where is Creek 2?"}`;
  const ndjson = { 'content-type': 'application/x-ndjson' };
  // No anonymous write path: no token 401, a role that may not submit 403, a browser's text/plain 415.
  const post = (headers: Record<string, string>) => fetch(`${url}/corrections`, { method: 'POST', body, headers });
  const anonymous = await post(ndjson);
  t.is(anonymous.status, 401);
  const reader = await post({ ...ndjson, authorization: `Bearer ${auditor}` });
  t.is(reader.status, 403);
  const plain = await post({ authorization: `Bearer ${submitter}` });
  t.is(plain.status, 415);
  const crossOrigin = await post({ ...ndjson, authorization: `Bearer ${submitter}`, origin: 'http://evil.example' });
  t.is(crossOrigin.status, 403);
  const response = await post({ ...ndjson, authorization: `Bearer ${submitter}` });
  t.is(response.status, 202);
  t.like(await response.json(), { submitted: 1, rejected: 1 });

  child.kill('SIGTERM');
  t.is(await exited, 0, stderr);
  t.regex(stderr, /SIGTERM: stopping/);
  t.regex(stderr, /http 1:1: rejected, alt: missing/);
  t.regex(stdout, /ingested from http: 1 new edits, 0 already recorded, 1 rejected/);
  // The token is the recorded submitter, not the server's own identity.
  // Read as the application does: actors are stored sealed under their own key (domain/personal-data.ts).
  const keys = SqliteDataSubjectKeys.open(dataSubjectKeysPath(home), { readOnly: true });
  const ledger = new SealingEventStore(SqliteEventStore.open(join(home, 'ledger.db'), { readOnly: true }), keys);
  const submitted = [];
  for await (const event of ledger.readAll()) if (event.type === 'EditSubmitted') submitted.push(event);
  await ledger.close();
  keys.close();
  t.is(submitted.length, 1);
  t.is((submitted[0]!.data as { submittedBy: string }).submittedBy, 'token:feed');
  t.is(submitted[0]!.metadata.actor, 'token:feed');

  const deadLetters = readFileSync(join(home, 'ingest', 'dead-letters.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  t.like(deadLetters, [
    { channel: 'http', offset: '1:1', field: 'alt', message: 'missing', payload: '{"src": "Where is Creek 2?"}' },
  ]);
  const store = SqliteEventStore.open(join(home, 'ledger.db'));
  try {
    t.deepEqual(
      (await submittedEdits(store)).map((e) => [e.editId, e.channel]),
      [[expectedEdit(zsre(1)).editId, 'http']],
    );
  } finally {
    await store.close();
  }
});
