// Issue 11's fuzz run: at least 1,000 malformed requests (seeded, so a failure replays; FUZZ_RANGE=a-b reruns and
// logs a slice) against the real HTTP server on loopback, wired in-process as `editledger serve` wires it. Bodies,
// query strings and headers are broken on every route (tests/helpers/fuzz-cases.ts) and sent over a raw socket.
// Asserted for every case: no 5xx, every error body is application/problem+json whose `status` is the HTTP
// status, the ledger head does not move on a rejected request; at the end the server still answers and writes.
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sendRaw, startInProcessServer } from './helpers/api-harness.ts';
import type { Harness, RawResponse } from './helpers/api-harness.ts';
import { buildCases, json, JSON_TYPE, MAX_BODY, validEdit } from './helpers/fuzz-cases.ts';

const SEED = 0x11f0;
const RANDOM_CASES = 1_100;

let harness: Harness;
let home: string;

test.before(async () => {
  home = await mkdtemp(join(tmpdir(), 'editledger-fuzz-'));
  harness = await startInProcessServer(home, { maxBodyBytes: MAX_BODY });
});

test.after.always(async () => {
  await harness?.close();
  await rm(home, { recursive: true, force: true });
});

test('1,000+ malformed requests on every route: no 5xx, problem+json errors, no event appended by a rejection', async (t) => {
  const cases = buildCases(SEED, RANDOM_CASES, harness.admin);
  t.true(cases.length >= 1_000, `${cases.length} cases`);
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  const [from, to] = (process.env.FUZZ_RANGE ?? `0-${cases.length}`).split('-').map(Number);
  for (const c of cases.slice(from, to)) {
    if (process.env.FUZZ_RANGE !== undefined)
      t.log(
        c.label,
        c.method,
        c.target.slice(0, 100),
        c.headers.map(([n, v]) => `${n}: ${v.slice(0, 40)}`),
      );
    const before = await harness.services.store.headPosition();
    let response: RawResponse;
    try {
      response = await sendRaw(harness.port, c);
    } catch (error) {
      failures.push(`${c.method} ${c.target.slice(0, 80)}: ${(error as Error).message}`);
      continue;
    }
    const after = await harness.services.store.headPosition();
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    const fail = (why: string) =>
      failures.push(
        `${c.label} (${c.method} ${c.target.slice(0, 80)}): ${response.status} ${why} ${response.body.slice(0, 200)}`,
      );
    if (!(response.status >= 200 && response.status < 500)) fail('status out of range');
    if (response.status >= 400) {
      if (after !== before) fail(`rejected, yet the head moved ${before} -> ${after}`);
      const type = response.headers.get('content-type') ?? '';
      if (!type.startsWith('application/problem+json')) fail(`content-type "${type}"`);
      else {
        const parsed = JSON.parse(response.body) as { status?: unknown; code?: unknown };
        if (parsed.status !== response.status) fail(`body status ${String(parsed.status)}`);
        if (typeof parsed.code !== 'string') fail('no code');
      }
    }
  }
  t.log(
    `statuses: ${[...statuses]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s}x${n}`)
      .join(' ')}`,
  );
  t.deepEqual(failures.slice(0, Number(process.env.FUZZ_SHOW ?? 30)), [], `${failures.length} failing cases`);
  t.deepEqual(harness.internalErrors, []);
  // Still alive and still writing: a valid submit after all that is accepted.
  const healthy = await sendRaw(harness.port, { label: 'healthz', method: 'GET', target: '/healthz', headers: [] });
  t.is(healthy.status, 200);
  const good = await sendRaw(harness.port, {
    label: 'valid submit',
    method: 'POST',
    target: '/v1/edits',
    headers: [['Authorization', `Bearer ${harness.admin}`], JSON_TYPE],
    body: json({ ...validEdit('after-the-fuzz'), factKey: 'fuzzland::after' }),
  });
  t.is(good.status, 201, good.body);
});
