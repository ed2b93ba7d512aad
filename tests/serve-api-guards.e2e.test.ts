// `editledger serve`'s guards, against a real child process (tests/helpers/serve-world.ts): the role x route matrix
// (no token -> 401, a role without the operation -> 403) and bad requests (the field is named, content types and
// cross-origin browsers are refused, never a 5xx).
import test from 'ava';
import { request } from 'node:http';
import type { Role } from '../domain/access.ts';
import { call } from './helpers/serve-process.ts';
import { CORRECTIONS } from './helpers/corrections.ts';
import { ROLES } from './helpers/tiny-home.ts';
import { useServeWorld } from './helpers/serve-world.ts';

const world = useServeWorld('serve-guards');

const capital = CORRECTIONS.capital;

// Every route, every role: no token -> 401; a role without the operation -> 403; with it -> neither (the bodies
// here are invalid on purpose, so an allowed request stops at validation and changes nothing).
const ROUTES: ReadonlyArray<{ method: string; path: string; op: string; body?: unknown }> = [
  { method: 'POST', path: '/v1/edits', op: 'submit', body: {} },
  { method: 'POST', path: '/v1/edits/import', op: 'submit', body: [] },
  { method: 'POST', path: '/v1/edits/00000000-0000-4000-8000-000000000000/retract', op: 'retract', body: {} },
  { method: 'POST', path: '/v1/edits/00000000-0000-4000-8000-000000000000/reinstate', op: 'retract', body: {} },
  { method: 'POST', path: '/v1/edits/00000000-0000-4000-8000-000000000000/approve', op: 'approve', body: {} },
  { method: 'POST', path: '/v1/edits/00000000-0000-4000-8000-000000000000/reject', op: 'approve', body: {} },
  { method: 'POST', path: '/v1/serving/release-pin', op: 'serve', body: {} },
  { method: 'GET', path: '/v1/edits', op: 'read' },
  { method: 'GET', path: '/v1/edits/00000000-0000-4000-8000-000000000000', op: 'read' },
  { method: 'GET', path: '/v1/events', op: 'read' },
  { method: 'GET', path: '/v1/versions', op: 'read' },
  { method: 'GET', path: '/v1/versions/%231', op: 'read' },
  { method: 'GET', path: '/v1/versions/%231/diff/%231', op: 'read' },
  { method: 'POST', path: '/v1/serving/promote', op: 'serve', body: {} },
  { method: 'POST', path: '/v1/serving/rollback', op: 'serve', body: {} },
  { method: 'POST', path: '/v1/jobs/materialize', op: 'materialize', body: { position: -1 } },
  { method: 'POST', path: '/v1/jobs/verify', op: 'materialize', body: {} },
  { method: 'GET', path: '/v1/jobs', op: 'read' },
  { method: 'GET', path: '/v1/jobs/00000000-0000-4000-8000-000000000000', op: 'read' },
  { method: 'POST', path: '/v1/generate', op: 'read', body: {} },
  { method: 'GET', path: '/v1/status', op: 'read' },
  { method: 'POST', path: '/v1/tokens', op: 'tokens', body: {} },
  { method: 'GET', path: '/v1/tokens', op: 'tokens' },
  { method: 'DELETE', path: '/v1/tokens/nobody', op: 'tokens' },
];
const GRANTS: Record<Role, readonly string[]> = {
  submitter: ['read', 'submit', 'retract'],
  approver: ['read', 'approve', 'materialize', 'serve'],
  auditor: ['read'],
  admin: ['read', 'submit', 'retract', 'approve', 'materialize', 'serve', 'tokens'],
};

test.serial(
  'the role x route matrix: 401 without a token, 403 for a role without the operation, allowed otherwise',
  async (t) => {
    const { url } = world.serve;
    const before = (await call(url, 'GET', '/v1/status', { token: world.tokens.admin })).body.head;
    for (const route of ROUTES) {
      const anonymous = await call(url, route.method, route.path, { body: route.body });
      t.is(anonymous.status, 401, `${route.method} ${route.path} without a token`);
      t.regex(anonymous.headers.get('content-type') ?? '', /^application\/problem\+json/);
      const bad = await call(url, route.method, route.path, {
        body: route.body,
        token: 'elt_000000000000_' + 'x'.repeat(43),
      });
      t.is(bad.status, 401, `${route.method} ${route.path} with a forged token`);
      for (const role of ROLES) {
        const { status, body } = await call(url, route.method, route.path, {
          body: route.body,
          token: world.tokens[role],
        });
        const allowed = GRANTS[role].includes(route.op);
        if (allowed) t.false([401, 403].includes(status), `${role} ${route.method} ${route.path}: ${status}`);
        else t.is(status, 403, `${role} ${route.method} ${route.path}`);
        t.true(status < 500, `${role} ${route.method} ${route.path}: ${status} ${JSON.stringify(body)}`);
      }
    }
    t.is((await call(url, 'GET', '/v1/status', { token: world.tokens.admin })).body.head, before);
  },
);

test.serial('bad requests: the field is named, content types and browsers are refused, no 5xx', async (t) => {
  const { url } = world.serve;
  const { submitter } = world.tokens;
  const missing = await call(url, 'POST', '/v1/edits', { token: submitter, body: { ...capital, target: undefined } });
  t.is(missing.status, 400);
  t.is(missing.body.field, 'body.target');
  const plain = await call(url, 'POST', '/v1/edits', {
    token: submitter,
    raw: JSON.stringify(capital),
    contentType: 'text/plain',
  });
  t.is(plain.status, 415);
  const badJson = await call(url, 'POST', '/v1/edits', { token: submitter, raw: '{"factKey":' });
  t.is(badJson.status, 400);
  t.is(badJson.body.field, 'body');
  const badImport = await call(url, 'POST', '/v1/edits/import', { token: submitter, body: [{ src: 'q', alt: '' }] });
  t.is(badImport.status, 400);
  t.regex(badImport.body.detail, /alt/);
  const crossOrigin = await call(url, 'POST', '/v1/edits', {
    token: submitter,
    body: capital,
    headers: { origin: 'http://evil.example' },
  });
  t.is(crossOrigin.status, 403);
  t.is(crossOrigin.body.code, 'cross_origin');
  // DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends Host: evil.example (fetch cannot forge Host).
  const rebinding = await new Promise<number>((resolve, reject) => {
    const { port } = new URL(url);
    request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/status',
        headers: { host: 'evil.example', authorization: `Bearer ${submitter}` },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    )
      .on('error', reject)
      .end();
  });
  t.is(rebinding, 403);
  // Over the body limit: 413 is answered as soon as Content-Length says so (the client may still be sending, so
  // read the response as node:http does, not through fetch, which fails on the early close).
  const big = await new Promise<number>((resolve, reject) => {
    // Content-Length says 8 MB; only the first bytes are sent, so the early 413 cannot race an upload in flight.
    const { port } = new URL(url);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/edits/import',
        headers: {
          authorization: `Bearer ${submitter}`,
          'content-type': 'application/json',
          'content-length': 8_000_001,
        },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      },
    );
    req.on('error', reject);
    req.write('["x",');
  });
  t.is(big, 413);
  const unknownRoute = await call(url, 'GET', '/v1/nothing', { token: submitter });
  t.is(unknownRoute.status, 404);
  t.is(unknownRoute.body.code, 'route_not_found');
});
