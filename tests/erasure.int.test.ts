// Issue 12, erasure (GDPR Art. 17) by crypto-shredding, end to end through the CLI on a tiny registered model: a
// person's edits (submitted with --data-subject, and ingested with "data_subject"), a version trained on them and
// served, a checkout, a refused message in the dead letters. After `erase`, none of their plaintext is in any file of
// the home (every byte grepped), the versions built from them are retired, and the chain still verifies.
import test from 'ava';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../infra/cli/command.ts';
import { command as audit } from '../infra/cli/commands/audit.ts';
import { command as edit } from '../infra/cli/commands/edit.ts';
import { command as erase } from '../infra/cli/commands/erase.ts';
import { command as generate } from '../infra/cli/commands/generate.ts';
import { command as ingest } from '../infra/cli/commands/ingest.ts';
import { command as log } from '../infra/cli/commands/log.ts';
import { command as materialize } from '../infra/cli/commands/materialize.ts';
import { command as promote } from '../infra/cli/commands/promote.ts';
import { command as rollback } from '../infra/cli/commands/rollback.ts';
import { command as verify } from '../infra/cli/commands/verify.ts';
import { command as versions } from '../infra/cli/commands/versions.ts';
import { TokenStore } from '../infra/auth/token-store.ts';
import { startInProcessServer } from './helpers/api-harness.ts';
import { createTinyHome } from './helpers/tiny-home.ts';
import { CAPITAL_FLAGS } from './helpers/trainer-consumer-edits.ts';

/** Strings that exist only in the erased subject's data: none may remain in the home. */
const PERSONAL = [
  'customer-4711-zq', // the data subject's id
  'Quillon Brevaxe', // the person (subject)
  'Quillon Brevaxe lives in', // prompt
  'Marrowdeep', // target
  'Brevaxe moved house', // rephrase
  'ticket QZ-88120', // reason
  'evidence.example/qzb', // evidence URL
  'Ostrava Quillon', // ingested subject
  'Pellinore Yard', // ingested target
  'Zebulon Qarth', // the refused (dead-lettered) message about the subject
];

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Every (file, string) pair where a personal string's UTF-8 bytes occur in a file of the home. */
async function plaintextLeft(home: string): Promise<string[]> {
  const found: string[] = [];
  for (const file of await filesUnder(home)) {
    const bytes = await readFile(file);
    for (const text of PERSONAL) if (bytes.includes(Buffer.from(text, 'utf8'))) found.push(`${file}: ${text}`);
  }
  return found;
}

async function setup(t: { teardown(fn: () => Promise<void>): void }) {
  const tiny = await createTinyHome({ prefix: 'erase' });
  const inbox = await mkdtemp(join(tmpdir(), 'editledger-erase-in-'));
  t.teardown(async () => {
    await tiny.cleanup();
    await rm(inbox, { recursive: true, force: true });
  });
  const { home, cli, ok } = tiny;
  // Someone else's edit, about no data subject: it must survive the erasure.
  await ok(edit, ['submit', ...CAPITAL_FLAGS, '--reason', 'atlas']);
  const first = await ok(materialize, ['--promote', '--reason', 'before', '--json']);
  const person = await ok(edit, [
    'submit',
    '--json',
    '--subject',
    'Quillon Brevaxe',
    '--relation',
    'lives-in',
    '--prompt',
    'Quillon Brevaxe lives in',
    '--target',
    'Marrowdeep',
    '--rephrase',
    'Since Brevaxe moved house, Quillon Brevaxe lives in',
    '--reason',
    'ticket QZ-88120 from the customer',
    '--evidence',
    'https://evidence.example/qzb',
    '--data-subject',
    'customer-4711-zq',
  ]);
  const messages = join(inbox, 'corrections.jsonl');
  await writeFile(
    messages,
    [
      JSON.stringify({
        src: 'Ostrava Quillon works at',
        alt: 'Pellinore Yard',
        subject: 'Ostrava Quillon',
        data_subject: 'customer-4711-zq',
      }),
      // Refused (no alt): dead-lettered, but it names the data subject, so its body is not kept.
      JSON.stringify({ src: 'Zebulon Qarth is married to', data_subject: 'customer-4711-zq' }),
    ].join('\n') + '\n',
  );
  await ok(ingest, ['file', messages]);
  const second = await ok(materialize, ['--promote', '--reason', 'with the person', '--json']);
  await ok(generate, ['--version', JSON.parse(second.stdout).versionId, 'Quillon Brevaxe lives in']);
  return {
    home,
    cli,
    ok,
    personEditId: JSON.parse(person.stdout).editId as string,
    before: JSON.parse(first.stdout).versionId as string,
    withPerson: JSON.parse(second.stdout).versionId as string,
  };
}

test('erase --data-subject: no plaintext left in the home, versions retired, the chain intact', async (t) => {
  const { home, cli, ok, personEditId, before, withPerson } = await setup(t);
  t.true((await plaintextLeft(home)).length > 0, 'before the erasure the read model and key store hold the data');
  const ledgerBytes = await readFile(join(home, 'ledger.db'));
  t.false(ledgerBytes.includes(Buffer.from('Marrowdeep')), 'the ledger itself only ever held ciphertext');

  const erased = await ok(erase, ['--data-subject', 'customer-4711-zq', '--reason', 'GDPR request 17-3', '--json']);
  const result = JSON.parse(erased.stdout);
  t.is(result.erasedEditIds.length, 2);
  t.deepEqual(
    result.retiredVersions.map((v: { versionId: string }) => v.versionId),
    [withPerson],
  );
  t.is(result.nowServing.versionId, before, 'the edit set without them is the earlier version, served again');

  t.deepEqual(await plaintextLeft(home), [], 'no plaintext of the erased data anywhere in the home');

  const listed = JSON.parse((await ok(versions, ['--json'])).stdout);
  t.is(listed.serving, before);
  t.truthy(listed.versions.find((v: { versionId: string }) => v.versionId === withPerson).retired);
  for (const [command, args] of [
    [promote, [withPerson, '--reason', 'bring it back']],
    [rollback, ['--to-version', withPerson, '--reason', 'bring it back']],
    [generate, ['--version', withPerson, 'Quillon Brevaxe lives in']],
  ] as const) {
    const refused = await cli(command, args);
    t.is(refused.code, ExitCode.conflict, refused.stderr);
    t.regex(refused.stderr, /retired: it was built from erased personal data/);
  }
  const verified = await cli(verify, ['--version', withPerson]);
  t.is(verified.code, 0, verified.stderr);
  t.regex(verified.stdout, /inputs erased/);
  t.is((await cli(verify, ['--version', before])).code, 0, 'the surviving version still rebuilds bit-identically');

  const chain = await cli(audit, ['verify']);
  t.is(chain.code, 0, chain.stdout + chain.stderr);
  const shown = await ok(edit, ['show', personEditId]);
  t.regex(shown.stdout, /prompt\s+\[erased\]/);
  t.regex((await ok(log, [])).stdout, /DataSubjectErased/);
  const reinstated = await cli(edit, ['reinstate', personEditId, '--reason', 'undo']);
  t.is(reinstated.code, ExitCode.conflict, reinstated.stderr);
  t.regex(reinstated.stderr, /was erased/);
  const again = await cli(erase, ['--data-subject', 'customer-4711-zq', '--reason', 'twice']);
  t.is(again.code, ExitCode.notFound, again.stderr);
  t.notRegex(again.stderr, /customer-4711-zq/, 'the error does not repeat the personal id');
});

test('POST /v1/erasures: the same erasure through the service, admin only, as a job', async (t) => {
  const { home, withPerson } = await setup(t);
  const server = await startInProcessServer(home);
  t.teardown(() => server.close());
  const submitter = TokenStore.open(home).create('feed', 'submitter', 'test').token;
  const url = `http://127.0.0.1:${server.port}`;
  const post = (token: string, body: unknown) =>
    fetch(`${url}/v1/erasures`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  t.is((await post(submitter, { dataSubject: 'customer-4711-zq', reason: 'x' })).status, 403);
  const bad = await post(server.admin, { dataSubject: '', reason: 'x' });
  t.is(bad.status, 400);
  t.regex(JSON.stringify(await bad.json()), /dataSubject/);
  const accepted = await post(server.admin, { dataSubject: 'customer-4711-zq', reason: 'GDPR request 17-4' });
  t.is(accepted.status, 202);
  const jobUrl = `${url}${accepted.headers.get('location')}`;
  let job: { state: string; result?: { retiredVersions: Array<{ versionId: string }> }; error?: unknown };
  do {
    await new Promise((resolve) => setTimeout(resolve, 100));
    job = (await (await fetch(jobUrl, { headers: { authorization: `Bearer ${server.admin}` } })).json()) as typeof job;
  } while (job.state === 'queued' || job.state === 'running');
  t.is(job.state, 'succeeded', JSON.stringify(job));
  t.deepEqual(
    job.result?.retiredVersions.map((v) => v.versionId),
    [withPerson],
  );
  t.deepEqual(await plaintextLeft(home), [], 'no plaintext left, also with the service running');
  t.deepEqual(server.internalErrors, []);
});

test('erasing an actor (token:<name>) through the service: their name leaves the token file and the read model', async (t) => {
  const tiny = await createTinyHome({ prefix: 'erase-actor' });
  t.teardown(() => tiny.cleanup());
  const server = await startInProcessServer(tiny.home);
  t.teardown(() => server.close());
  const url = `http://127.0.0.1:${server.port}`;
  const person = TokenStore.open(tiny.home).create('quillon.b', 'submitter', 'token:harness-admin');
  const send = (method: string, path: string, token: string, body?: unknown) =>
    fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  const submitted = await send('POST', '/v1/edits', person.token, {
    factKey: 'atlas::capital',
    prompt: 'The capital of Atlasia is',
    target: 'Zephyrton',
    rephrase: [],
    locality: [],
    source: { system: 'wiki-sync', ref: 'q-1' },
    reason: 'the atlas changed',
  });
  t.is(submitted.status, 201, await submitted.clone().text());
  const { editId } = (await submitted.json()) as { editId: string };
  t.true((await readFile(join(tiny.home, 'auth', 'tokens.json'), 'utf8')).includes('quillon.b'));

  const accepted = await send('POST', '/v1/erasures', server.admin, { dataSubject: 'token:quillon.b', reason: 'left' });
  t.is(accepted.status, 202, await accepted.clone().text());
  const jobUrl = `${url}${accepted.headers.get('location')}`;
  let job: { state: string; result?: { redactedTokens: number; erasedEditIds: string[] } };
  do {
    await new Promise((resolve) => setTimeout(resolve, 100));
    job = (await (await fetch(jobUrl, { headers: { authorization: `Bearer ${server.admin}` } })).json()) as typeof job;
  } while (job.state === 'queued' || job.state === 'running');
  t.is(job.state, 'succeeded', JSON.stringify(job));
  t.is(job.result?.redactedTokens, 1);
  t.deepEqual(job.result?.erasedEditIds, [], 'an actor is not the subject of the edit they submitted: it stays');

  const tokenFile = await readFile(join(tiny.home, 'auth', 'tokens.json'), 'utf8');
  t.false(tokenFile.includes('quillon.b'), 'the token file no longer names the actor');
  const listed = (await (await send('GET', '/v1/tokens', server.admin)).json()) as {
    tokens: Array<{ id: string; name: string }>;
  };
  t.truthy(listed.tokens.find((info) => info.id === person.info.id && info.name === `erased-${person.info.id}`));
  const edit = await (await send('GET', `/v1/edits/${editId}`, server.admin)).text();
  t.false(edit.includes('quillon.b'), edit);
  t.regex(edit, /\[erased\]/, 'who submitted it reads [erased]');
  for (const file of await filesUnder(tiny.home))
    t.false((await readFile(file)).includes(Buffer.from('quillon.b')), `${file} still names the actor`);
  t.deepEqual(server.internalErrors, []);
});
