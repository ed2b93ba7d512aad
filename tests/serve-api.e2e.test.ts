// `editledger serve` as a user runs it: a real child process on loopback, a tiny registered base model, tokens of
// every role. Every route's happy path, unknown ids, the generated OpenAPI document, offline docs, metrics, and a
// graceful SIGTERM. Roles and bad requests: serve-api-guards.e2e.test.ts.
import test from 'ava';
import { command as versions } from '../infra/cli/commands/versions.ts';
import { runCli } from './helpers/cli-harness.ts';
import { call, waitForJob as waitForServeJob } from './helpers/serve-process.ts';
import { CORRECTIONS } from './helpers/corrections.ts';
import { useServeWorld } from './helpers/serve-world.ts';

const world = useServeWorld('serve');

const capital = CORRECTIONS.capital;

const waitForJob = (jobId: string, token: string): Promise<any> => waitForServeJob(world.serve.url, jobId, token, 200);

test.serial(
  'submit, import, list, show, retract, materialize (poll and SSE), versions, diff, promote, rollback, verify, generate',
  async (t) => {
    const { url } = world.serve;
    const { submitter, approver, auditor } = world.tokens;

    // Submit: 201 the first time, 200 "duplicate" for the same upstream (system, ref); the actor is the token.
    const first = await call(url, 'POST', '/v1/edits', { token: submitter, body: capital });
    t.is(first.status, 201, JSON.stringify(first.body));
    t.is(first.body.outcome, 'submitted');
    const again = await call(url, 'POST', '/v1/edits', { token: submitter, body: capital });
    t.is(again.status, 200);
    t.is(again.body.outcome, 'duplicate');
    t.is(again.body.editId, first.body.editId);

    // Idempotency-Key: the same key and body repeat the first response; another body with it is a 409.
    const keyed = {
      ...capital,
      source: { system: 'wiki-sync', ref: 'q-2' },
      factKey: 'freedonia::anthem',
      prompt: 'The anthem of Freedonia is',
      target: 'Hail Freedonia',
    };
    const k1 = await call(url, 'POST', '/v1/edits', {
      token: submitter,
      body: keyed,
      headers: { 'idempotency-key': 'k-1' },
    });
    const k2 = await call(url, 'POST', '/v1/edits', {
      token: submitter,
      body: keyed,
      headers: { 'idempotency-key': 'k-1' },
    });
    t.is(k1.status, 201);
    t.deepEqual([k2.status, k2.body], [k1.status, k1.body]);
    const k3 = await call(url, 'POST', '/v1/edits', {
      token: submitter,
      body: { ...keyed, reason: 'other' },
      headers: { 'idempotency-key': 'k-1' },
    });
    t.is(k3.status, 409);
    t.is(k3.body.code, 'idempotency_key_reused');

    // Import: JSONL in the shapes `edit import` accepts.
    const jsonl =
      '{"src":"What is the capital of Sylvania?","alt":"Trentino","subject":"Sylvania"}\n{"src":"Who leads Sylvania?","alt":"Trentino","subject":"Sylvania"}\n';
    const imported = await call(url, 'POST', '/v1/edits/import?system=sylvania-feed', {
      token: submitter,
      raw: jsonl,
      contentType: 'application/x-ndjson',
    });
    t.is(imported.status, 200, JSON.stringify(imported.body));
    t.is(imported.body.submitted, 2);

    // The edit set, paged by ledger position.
    const page1 = await call(url, 'GET', '/v1/edits?limit=2', { token: auditor });
    t.is(page1.body.total, 4);
    t.is(page1.body.edits.length, 2);
    t.truthy(page1.body.nextAfter);
    const page2 = await call(url, 'GET', `/v1/edits?limit=2&after=${page1.body.nextAfter}`, { token: auditor });
    t.is(page2.body.edits.length, 2);
    t.is(page2.body.nextAfter, undefined);
    t.is(new Set([...page1.body.edits, ...page2.body.edits].map((e: any) => e.editId)).size, 4);

    // One edit's history; unknown ids are 404, malformed ones 400 naming the field.
    const shown = await call(url, 'GET', `/v1/edits/${first.body.editId}`, { token: auditor });
    t.is(shown.status, 200);
    t.is(shown.body.status, 'active');
    t.is(shown.body.submitted.submittedBy, 'token:submitter-1');
    t.is((await call(url, 'GET', '/v1/edits/00000000-0000-4000-8000-000000000000', { token: auditor })).status, 404);
    const malformed = await call(url, 'GET', '/v1/edits/not-a-uuid', { token: auditor });
    t.is(malformed.status, 400);
    t.is(malformed.body.field, 'params.editId');

    // The log records the token's principal as the actor.
    const log = await call(url, 'GET', '/v1/events?limit=100&type=EditSubmitted', { token: auditor });
    t.is(log.body.events.length, 4);
    t.true(
      log.body.events.every((e: any) => e.metadata.actor === 'token:submitter-1' && e.metadata.channel === 'http'),
    );

    // Materialize as a job; follow it by Server-Sent Events.
    const job1 = await call(url, 'POST', '/v1/jobs/materialize', { token: approver, body: {} });
    t.is(job1.status, 202);
    t.is(job1.headers.get('location'), `/v1/jobs/${job1.body.id}`);
    const sse = await fetch(`${url}/v1/jobs/${job1.body.id}/events`, {
      headers: { authorization: `Bearer ${approver}` },
    });
    t.is(sse.headers.get('content-type'), 'text/event-stream');
    const stream = await sse.text(); // ends when the job finishes
    const states = [...stream.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!).state);
    t.is(states.at(-1), 'succeeded', stream.slice(-500));
    const done1 = await waitForJob(job1.body.id, approver);
    t.is(done1.result.ordinal, 1);
    t.is(done1.createdBy, 'token:approver-1');

    // Retract one edit, materialize again: the diff shows it removed.
    const retracted = await call(url, 'POST', `/v1/edits/${k1.body.editId}/retract`, {
      token: submitter,
      body: { reason: 'wrong anthem' },
    });
    t.is(retracted.status, 200, JSON.stringify(retracted.body));
    const again2 = await call(url, 'POST', `/v1/edits/${k1.body.editId}/retract`, {
      token: submitter,
      body: { reason: 'again' },
    });
    t.is(again2.status, 400);
    t.is(again2.body.code, 'edit_already_retracted');
    const done2 = await waitForJob(
      (await call(url, 'POST', '/v1/jobs/materialize', { token: approver, body: {} })).body.id,
      approver,
    );
    t.is(done2.state, 'succeeded');
    t.is(done2.result.ordinal, 2);

    const list = await call(url, 'GET', '/v1/versions', { token: auditor });
    t.is(list.body.versions.length, 2);
    const v1 = await call(url, 'GET', '/v1/versions/%231', { token: auditor });
    t.is(v1.body.ordinal, 1);
    t.is((await call(url, 'GET', '/v1/versions/%239', { token: auditor })).status, 404);
    const diff = await call(url, 'GET', '/v1/versions/%231/diff/%232', { token: auditor });
    t.deepEqual(
      diff.body.removed.map((e: any) => e.editId),
      [k1.body.editId],
    );
    t.is(diff.body.added.length, 0);

    // Promote #2, roll back to #1: the CLI sees the same serving pointer.
    const promoted = await call(url, 'POST', '/v1/serving/promote', {
      token: approver,
      body: { version: '#2', reason: 'reviewed' },
    });
    t.is(promoted.status, 200, JSON.stringify(promoted.body));
    t.true(promoted.body.changed);
    const rolled = await waitForJob(
      (
        await call(url, 'POST', '/v1/serving/rollback', {
          token: approver,
          body: { toVersion: '#1', reason: 'anthem is back' },
        })
      ).body.id,
      approver,
    );
    t.is(rolled.state, 'succeeded');
    t.true(rolled.result.reused);
    const status = await call(url, 'GET', '/v1/status', { token: auditor });
    t.is(status.body.serving.ordinal, 1);
    const cli = await runCli(versions, ['--json'], { cwd: process.cwd(), env: { EDITLEDGER_HOME: world.home } });
    t.is(JSON.parse(cli.stdout).serving, v1.body.versionId);

    // Verify as a job: a bit-identical rebuild.
    const verified = await waitForJob(
      (await call(url, 'POST', '/v1/jobs/verify', { token: approver, body: { version: '#1' } })).body.id,
      approver,
    );
    t.is(verified.state, 'succeeded', JSON.stringify(verified.error));
    t.true(verified.result.identical);

    // Generate with the serving version.
    const generated = await call(url, 'POST', '/v1/generate', {
      token: auditor,
      body: { prompts: [capital.prompt], maxTokens: 4 },
    });
    t.is(generated.status, 200, JSON.stringify(generated.body));
    t.is(generated.body.versionId, v1.body.versionId);
    t.is(generated.body.completions.length, 1);
  },
);

test.serial(
  'tokens: admin creates, lists and revokes; a revoked token is refused at once; secrets never listed',
  async (t) => {
    const { url } = world.serve;
    const created = await call(url, 'POST', '/v1/tokens', {
      token: world.tokens.admin,
      body: { name: 'feed-2', role: 'submitter' },
    });
    t.is(created.status, 201);
    t.regex(created.body.token, /^elt_/);
    t.is((await call(url, 'GET', '/v1/status', { token: created.body.token })).status, 200);
    const listed = await call(url, 'GET', '/v1/tokens', { token: world.tokens.admin });
    t.false(JSON.stringify(listed.body).includes(created.body.token.slice(17)));
    t.false(JSON.stringify(listed.body).includes('sha256'));
    t.is((await call(url, 'DELETE', '/v1/tokens/feed-2', { token: world.tokens.admin })).status, 200);
    const refused = await call(url, 'GET', '/v1/status', { token: created.body.token });
    t.is(refused.status, 401);
    t.is(refused.headers.get('www-authenticate'), 'Bearer realm="editledger"');
  },
);

test.serial('OpenAPI 3.1 generated from the schemas, offline docs, probes and Prometheus metrics', async (t) => {
  const { url } = world.serve;
  const doc = await call(url, 'GET', '/v1/openapi.json');
  t.is(doc.body.openapi, '3.1.0');
  for (const path of [
    '/v1/edits',
    '/v1/edits/import',
    '/v1/versions/{ref}',
    '/v1/jobs/materialize',
    '/v1/serving/rollback',
  ])
    t.truthy(doc.body.paths[path], path);
  t.truthy(doc.body.components.schemas.SubmitEdit);
  t.truthy(doc.body.components.schemas.Problem);
  t.regex(
    doc.body.paths['/v1/edits'].post.requestBody.content['application/json'].schema.$ref,
    /^#\/components\/schemas\/SubmitEdit/,
  );
  const docs = await fetch(`${url}/docs/`);
  t.is(docs.status, 200);
  const html = await docs.text();
  t.false(/<script[^>]+src="https?:/.test(html), 'the docs page loads nothing from a CDN');
  t.is((await fetch(`${url}/docs/static/swagger-ui-bundle.js`)).status, 200);
  t.is((await call(url, 'GET', '/healthz')).status, 200);
  t.is((await call(url, 'GET', '/readyz')).status, 200);
  const metrics = await call(url, 'GET', '/metrics');
  t.regex(metrics.body, /editledger_http_requests_total\{method="POST",route="\/v1\/edits",status="201"\} \d+/);
  t.regex(metrics.body, /editledger_events_appended_total \d+/);
  t.regex(metrics.body, /editledger_trainer_lag_edits \d+/);
});

test.serial('SIGTERM: stops accepting, exits 0', async (t) => {
  const code = await world.serve.stop('SIGTERM');
  t.is(code, 0, world.serve.stderr());
  t.regex(world.serve.stderr(), /stopped/);
});
