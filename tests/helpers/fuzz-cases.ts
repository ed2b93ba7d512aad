// The fuzz run's malformed requests (tests/serve-fuzz.int.test.ts), generated from a seed so a failure replays:
// every wrong value at every field of SubmitEdit, then random breakage of bodies, JSONL, query strings, content
// types, Authorization and other headers, and methods, on every route.
import type { RawRequest } from './api-harness.ts';
import { mulberry32 } from './mulberry32.ts';

export const MAX_BODY = 1024 * 1024;

export const validEdit = (ref: string) => ({
  factKey: 'fuzzland::capital',
  prompt: 'The capital of Fuzzland is',
  target: 'Crashville',
  subject: 'Fuzzland',
  rephrase: ["Fuzzland's capital is"],
  locality: [{ prompt: 'The capital of France is', answer: 'Paris' }],
  source: { system: 'fuzz', ref },
  reason: 'fuzzing',
  evidenceUrl: 'https://example.org/fuzz',
});

const deep = (levels: number, open: string, close: string) => open.repeat(levels) + close.repeat(levels);

/** Values of every wrong kind, for any field. */
const BAD_VALUES: readonly unknown[] = [
  null,
  0,
  -1,
  1e308,
  -1e308,
  true,
  false,
  [],
  {},
  [null],
  [{}],
  '',
  '   ',
  'NaN',
  'Infinity',
  '-0',
  '1e999',
  'x'.repeat(5_000),
  'y'.repeat(300_000),
  '\u0000',
  '\ud800 lone surrogate',
  'no::',
  '::',
  { __proto__: { polluted: true } },
  ['a', 1, null],
  { nested: { deeper: [1, 2, 3] } },
];

/** Every field of SubmitEdit, as a path. */
const EDIT_FIELDS: readonly (readonly (string | number)[])[] = [
  ['factKey'],
  ['prompt'],
  ['target'],
  ['subject'],
  ['rephrase'],
  ['rephrase', 0],
  ['locality'],
  ['locality', 0],
  ['locality', 0, 'prompt'],
  ['locality', 0, 'answer'],
  ['source'],
  ['source', 'system'],
  ['source', 'ref'],
  ['reason'],
  ['evidenceUrl'],
];

function setPath(target: Record<string, unknown>, path: readonly (string | number)[], value: unknown): void {
  let at: Record<string | number, unknown> = target;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path.at(-1)!] = value;
}

export const json = (value: unknown) => Buffer.from(JSON.stringify(value));
export const JSON_TYPE = ['Content-Type', 'application/json'] as const;

/** Raw body text shapes that are not a SubmitEdit at all. */
function brokenBodies(random: () => number): Buffer[] {
  const valid = JSON.stringify(validEdit('broken'));
  const cut = 1 + Math.floor(random() * (valid.length - 2));
  const utf8 = Buffer.from(valid);
  const at = utf8.indexOf('Crashville');
  return [
    Buffer.alloc(0),
    Buffer.from('   \n'),
    Buffer.from(valid.slice(0, cut)),
    Buffer.from('[]'),
    Buffer.from(`[${valid}]`),
    Buffer.from('null'),
    Buffer.from('"a string"'),
    Buffer.from('123'),
    Buffer.from('NaN'),
    Buffer.from('{"a":1,}'),
    Buffer.from("{'single':'quotes'}"),
    Buffer.from(deep(10_000, '[', ']')),
    Buffer.from(`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`),
    Buffer.from(deep(100_000, '[', ']')),
    Buffer.from(`{"prompt":${deep(10_000, '[', ']')}}`),
    Buffer.from('{"__proto__":{"admin":true},"factKey":"a::b"}'),
    Buffer.from('{"constructor":{"prototype":{"admin":true}}}'),
    Buffer.from('\uFEFF'),
    Buffer.concat([utf8.subarray(0, at), Buffer.from([0xff, 0xfe, 0xc0, 0xaf, 0x80]), utf8.subarray(at)]),
    Buffer.concat([Buffer.from('{"prompt":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]),
    Buffer.from(`{"n":${'9'.repeat(400)}}`),
    Buffer.from(`${valid}\n${valid}`),
  ];
}

function jsonlBodies(random: () => number): Buffer[] {
  const good = '{"src":"What is the capital of Fuzzland?","alt":"Crashville","subject":"Fuzzland"}';
  const lines = Array.from({ length: 1 + Math.floor(random() * 5) }, () => good);
  const bad = ['{"src":', 'not json', '[1,2', '{"src":1,"alt":2}', '{}', 'null', '"x"', '{"prompt":[]}'];
  lines.splice(Math.floor(random() * lines.length), 0, bad[Math.floor(random() * bad.length)]!);
  return [Buffer.from(lines.join('\n')), Buffer.from([...lines, '\u0000\u0001'].join('\r\n'))];
}

const ID = '00000000-0000-4000-8000-000000000000';
const ROUTES: readonly (readonly [string, string])[] = [
  ['POST', '/v1/edits'],
  ['POST', '/v1/edits/import'],
  ['POST', `/v1/edits/${ID}/retract`],
  ['POST', `/v1/edits/${ID}/reinstate`],
  ['GET', '/v1/edits'],
  ['GET', `/v1/edits/${ID}`],
  ['GET', '/v1/events'],
  ['GET', '/v1/versions'],
  ['GET', '/v1/versions/%231'],
  ['GET', '/v1/versions/%231/diff/%232'],
  ['POST', '/v1/serving/promote'],
  ['POST', '/v1/serving/rollback'],
  ['POST', '/v1/jobs/verify'],
  ['GET', '/v1/jobs'],
  ['GET', `/v1/jobs/${ID}`],
  ['POST', '/v1/generate'],
  ['GET', '/v1/status'],
  ['POST', '/v1/tokens'],
  ['GET', '/v1/tokens'],
  ['DELETE', '/v1/tokens/nobody'],
  ['GET', '/healthz'],
  ['GET', '/readyz'],
  ['GET', '/v1/edits/search'],
  ['GET', '/v1/audit/verify'],
  ['GET', '/v1/reports'],
  ['GET', '/v1/reports/schema.json'],
  ['GET', '/assets/..%2f..%2fpackage.json'],
  ['GET', '/assets/%00'],
];

const BAD_QUERIES: readonly string[] = [
  'limit=-1',
  'limit=0',
  'limit=1e99',
  'limit=abc',
  'limit=',
  'limit=1&limit=2',
  'after=abc',
  'after=-5',
  'after=1e99',
  'after=0x10',
  'at=1e99',
  'at=NaN',
  'at=-1',
  'at=1.5',
  'at=99999999999999999999',
  'type=...',
  'type=EditSubmitted,',
  'type=%00',
  'type=' + 'A'.repeat(5_000),
  'type=EditSubmitted&type=EditRetracted',
  'unknown=1',
  '%zz=1',
  'limit=%zz',
  '&&&',
  '=',
  'system=&reason=',
  'system=' + 's'.repeat(1_000),
  'reason=%00',
  'a[b]=1&a[c]=2',
  '__proto__[x]=1',
  'constructor=1',
  'status=bogus',
  'q=' + 'q'.repeat(5_000),
  'q=%ff%fe',
  'ref=',
  'format=exe',
  'from=abc&to=-1',
];

const BAD_CONTENT_TYPES: readonly string[] = [
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  'application/json; charset=utf-16',
  'application/json;;;',
  'application/jsonx',
  'json',
  '',
  '*/*',
];

function authorizations(admin: string): string[] {
  return [
    '',
    'Bearer',
    'Bearer ',
    `Basic ${Buffer.from('admin:admin').toString('base64')}`,
    `Bearer ${admin} extra`,
    `Bearer ${admin}x`,
    `Bearer ${admin.slice(0, -1)}`,
    `Token ${admin}`,
    `Bearer ${'A'.repeat(8_000)}`,
    'Bearer el_00000000000000000000000000000000',
    `Bearer\t${admin}\t`.replace(/\t$/, ''),
    'Bearer %00',
  ];
}

export function buildCases(seed: number, randomCases: number, admin: string): RawRequest[] {
  const random = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const auth = ['Authorization', `Bearer ${admin}`] as const;
  const cases: RawRequest[] = [];

  // Systematic: every wrong value at every field of SubmitEdit, plus the field missing and an unknown field.
  for (const path of EDIT_FIELDS) {
    for (const [i, value] of BAD_VALUES.entries()) {
      const body = validEdit(`field-${path.join('.')}-${i}`);
      setPath(body, path, value);
      cases.push({
        label: `${path.join('.')} = bad value #${i}`,
        method: 'POST',
        target: '/v1/edits',
        headers: [auth, JSON_TYPE],
        body: json(body),
      });
    }
  }
  for (const path of [['factKey'], ['prompt'], ['target'], ['source'], ['reason'], ['source', 'ref']]) {
    const body = validEdit('missing') as unknown as Record<string, Record<string, unknown>>;
    if (path.length === 1) delete body[path[0]!];
    else delete body[path[0]!]![path[1]!];
    cases.push({
      label: `missing ${path.join('.')}`,
      method: 'POST',
      target: '/v1/edits',
      headers: [auth, JSON_TYPE],
      body: json(body),
    });
  }

  // Random: a route, then one way to break the request.
  for (let i = 0; i < randomCases; i++) {
    const [method, path] = pick(ROUTES);
    const kind = pick(['body', 'body', 'jsonl', 'query', 'content-type', 'auth', 'headers', 'method'] as const);
    const label = `#${i} ${kind} ${method} ${path}`;
    const bodyOf = (): Buffer => (random() < 0.5 ? pick(brokenBodies(random)) : json(pick(BAD_VALUES)));
    if (kind === 'body') {
      cases.push({
        label,
        method: method === 'GET' ? 'POST' : method,
        target: path,
        headers: [auth, JSON_TYPE],
        body: bodyOf(),
      });
    } else if (kind === 'jsonl') {
      const type = pick(['application/x-ndjson', 'application/jsonl']);
      cases.push({
        label,
        method: 'POST',
        target: pick(['/v1/edits/import', path]),
        headers: [auth, ['Content-Type', type]],
        body: pick(jsonlBodies(random)),
      });
    } else if (kind === 'query') {
      const query = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(BAD_QUERIES)).join('&');
      const target = `${pick(['/v1/edits', '/v1/events', '/v1/edits/import', '/v1/edits/search', '/v1/reports', path])}?${query}`;
      const post = target.startsWith('/v1/edits/import');
      cases.push({
        label: `${label} ?${query.slice(0, 60)}`,
        method: post ? 'POST' : 'GET',
        target,
        headers: post ? [auth, ['Content-Type', 'application/x-ndjson']] : [auth],
        ...(post && { body: Buffer.from('{"src":"Is this query ok?","alt":"no","subject":"query"}') }),
      });
    } else if (kind === 'content-type') {
      const type = pick(BAD_CONTENT_TYPES);
      const headers: [string, string][] = [[...auth]];
      if (type !== '' || random() < 0.5) headers.push(['Content-Type', type]);
      // Duplicated content types, one good and one bad, in either order.
      if (random() < 0.3) headers.push(['Content-Type', random() < 0.5 ? 'application/json' : 'text/plain']);
      cases.push({
        label: `${label} ${type}`,
        method: 'POST',
        target: method === 'POST' ? path : '/v1/edits',
        headers,
        body: json(validEdit(`ct-${i}`)),
      });
    } else if (kind === 'auth') {
      const value = pick(authorizations(admin));
      const headers: [string, string][] = value === '' ? [] : [['Authorization', value]];
      if (random() < 0.2) headers.push(['Authorization', `Bearer ${admin}`]);
      if (method !== 'GET') headers.push([...JSON_TYPE]);
      cases.push({
        label,
        method,
        target: path,
        headers,
        ...(method !== 'GET' && { body: json(validEdit(`auth-${i}`)) }),
      });
    } else if (kind === 'headers') {
      const variant = pick([
        ['Content-Length', '99999999999999999999'],
        ['Content-Length', String(MAX_BODY + 1)],
        ['Content-Length', '-1'],
        ['Content-Length', 'abc'],
        ['Content-Length', '1e6'],
        ['Idempotency-Key', 'k'.repeat(300)],
        ['Idempotency-Key', 'k'.repeat(12_000)],
        ['Idempotency-Key', ''],
        ['Origin', 'http://evil.example'],
        ['Sec-Fetch-Site', 'cross-site'],
        ['Host', 'evil.example'],
        ['Host', ''],
        ['Transfer-Encoding', 'gzip'],
        ['Content-Encoding', 'gzip'],
        ['Expect', '100-continue-please'],
        ['X-Huge', 'h'.repeat(20_000)],
      ] as const);
      const [name, value] = variant;
      const noBody = name === 'Content-Length' || name === 'Transfer-Encoding';
      const headers: [string, string][] = [[...auth], [...JSON_TYPE], [name, value]];
      if (name === 'Host') {
        cases.push({
          label: `${label} Host: ${value}`,
          method,
          target: path,
          headers,
          noHost: true,
          ...(method !== 'GET' && { body: json(validEdit(`host-${i}`)) }),
        });
      } else {
        cases.push({
          label: `${label} ${name}: ${value.slice(0, 30)}`,
          method: 'POST',
          target: method === 'POST' ? path : '/v1/edits',
          headers,
          ...(!noBody && { body: json(validEdit(`hdr-${i}`)) }),
        });
      }
    } else {
      cases.push({ label, method: pick(['PUT', 'PATCH', 'OPTIONS', 'TRACE', 'FOO']), target: path, headers: [auth] });
    }
  }
  return cases;
}
