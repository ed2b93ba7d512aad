// Issue 11's concurrency check: 2,000 submits with 50 in flight over loopback, half of them duplicates of the
// other half (the same upstream source.system/ref, sent again while the first may still be in flight), spread
// over a few fact streams so concurrent appends to one stream race. accepted (201) == appended (EditSubmitted
// events in the ledger) == distinct refs, every duplicate names the edit its original created, and no 5xx.
// Then the per-token rate limiter: a token over its rate gets 429 with Retry-After; another token does not.
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EditSubmittedData } from '../domain/events/edit-events.ts';
import { startInProcessServer } from './helpers/api-harness.ts';
import type { Harness } from './helpers/api-harness.ts';
import { mulberry32 } from './helpers/mulberry32.ts';

const DISTINCT = 1_000;
const IN_FLIGHT = 50;
const STREAMS = 20;

const homes: string[] = [];
const servers: Harness[] = [];

async function server(rateLimitPerSecond: number): Promise<{ harness: Harness; url: string }> {
  const home = await mkdtemp(join(tmpdir(), 'editledger-concurrency-'));
  homes.push(home);
  const harness = await startInProcessServer(home, { rateLimitPerSecond });
  servers.push(harness);
  return { harness, url: `http://127.0.0.1:${harness.port}` };
}

test.after.always(async () => {
  for (const harness of servers) await harness.close();
  for (const home of homes) await rm(home, { recursive: true, force: true });
});

/** A seeded shuffle (mulberry32 + Fisher-Yates), so the interleaving of originals and duplicates replays. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = mulberry32(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const edit = (i: number) => ({
  factKey: `concurrent-${i % STREAMS}::fact-${i}`,
  prompt: `Concurrent fact number ${i} is`,
  target: `value ${i}`,
  rephrase: [],
  locality: [],
  source: { system: 'concurrency', ref: `ref-${i}` },
  reason: 'concurrency test',
});

interface Outcome {
  readonly ref: number;
  readonly status: number;
  readonly body: { editId?: string; outcome?: string; code?: string };
}

test('2,000 submits, 50 in flight, half duplicates: accepted == appended == distinct, no 5xx', async (t) => {
  const { harness, url } = await server(0);
  const token = harness.services.tokens.create('concurrent-submitter', 'submitter', 'test').token;
  const refs = shuffled(
    Array.from({ length: DISTINCT * 2 }, (_, k) => k % DISTINCT),
    0x2000,
  );
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < refs.length) {
      const ref = refs[next++]!;
      const response = await fetch(`${url}/v1/edits`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(edit(ref)),
      });
      outcomes.push({ ref, status: response.status, body: (await response.json()) as Outcome['body'] });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));

  const byStatus = new Map<number, number>();
  for (const o of outcomes) byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
  t.log(`statuses: ${[...byStatus].map(([s, n]) => `${s}x${n}`).join(' ')}`);
  t.is(outcomes.length, DISTINCT * 2);
  t.deepEqual(
    outcomes.filter((o) => o.status !== 201 && o.status !== 200).slice(0, 5),
    [],
    'only 201 (submitted) and 200 (duplicate)',
  );

  const accepted = outcomes.filter((o) => o.status === 201);
  const submitted: EditSubmittedData[] = [];
  for await (const event of harness.services.store.readAll({ filter: { eventTypes: ['EditSubmitted'] } }))
    submitted.push(event.data as EditSubmittedData);
  const distinctRefs = new Set(submitted.map((d) => d.source.ref));
  t.is(accepted.length, DISTINCT, 'accepted');
  t.is(submitted.length, DISTINCT, 'appended');
  t.is(distinctRefs.size, DISTINCT, 'distinct refs in the ledger');

  // Each ref: exactly one 201, and its duplicate answers 200 with the same edit id.
  const created = new Map<number, string>();
  for (const o of accepted) {
    t.false(created.has(o.ref), `ref ${o.ref} accepted twice`);
    created.set(o.ref, o.body.editId!);
  }
  const mismatched = outcomes.filter(
    (o) => o.status === 200 && (o.body.outcome !== 'duplicate' || o.body.editId !== created.get(o.ref)),
  );
  t.deepEqual(mismatched.slice(0, 5), []);
  t.deepEqual(harness.internalErrors, []);
});

test('the per-token rate limiter answers 429 with Retry-After; other tokens are not limited', async (t) => {
  const { harness, url } = await server(1);
  const hasty = harness.services.tokens.create('hasty-auditor', 'auditor', 'test').token;
  const calm = harness.services.tokens.create('calm-auditor', 'auditor', 'test').token;
  const status = (token: string) => fetch(`${url}/v1/status`, { headers: { authorization: `Bearer ${token}` } });

  // The bucket holds 4x the rate (4 requests); twelve back to back must overflow it whatever the refill.
  const responses: { status: number; retryAfter: string | null; type: string | null; body: string }[] = [];
  for (let i = 0; i < 12; i++) {
    const r = await status(hasty);
    responses.push({
      status: r.status,
      retryAfter: r.headers.get('retry-after'),
      type: r.headers.get('content-type'),
      body: await r.text(),
    });
  }
  t.deepEqual(
    responses.slice(0, 4).map((r) => r.status),
    [200, 200, 200, 200],
  );
  const limited = responses.filter((r) => r.status === 429);
  t.true(limited.length >= 6, `${limited.length} of 12 limited`);
  const first = limited[0]!;
  t.true(Number(first.retryAfter) >= 1, `Retry-After: ${first.retryAfter}`);
  t.regex(first.type ?? '', /^application\/problem\+json/);
  const body = JSON.parse(first.body) as { status: number; code: string };
  t.deepEqual([body.status, body.code], [429, 'rate_limited']);

  t.is((await status(calm)).status, 200, 'another token has its own bucket');
});
