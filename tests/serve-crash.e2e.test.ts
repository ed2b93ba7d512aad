// Issue 11: SIGKILL of `editledger serve` in the middle of a burst of submits. A real child process takes a steady
// stream of submits (30 in flight) and is killed without warning once 300 have been answered, with requests still
// in flight; serve is restarted on the same home, and every request that got a 2xx must be in the ledger: its
// edit id answers GET /v1/edits/:id with the content that was sent. Requests cut off by the kill may or may not
// have landed; the ones that did are idempotent, so resending them appends nothing new.
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenStore } from '../infra/auth/token-store.ts';
import { call, startServe } from './helpers/serve-process.ts';
import type { ServeProcess } from './helpers/serve-process.ts';

const IN_FLIGHT = 30;
const KILL_AFTER = 300;
const MAX_REQUESTS = 1_000;

let home: string;
const running: ServeProcess[] = [];

test.before(async () => {
  home = await mkdtemp(join(tmpdir(), 'editledger-crash-'));
});

test.after.always(async () => {
  for (const serve of running) await serve.stop('SIGKILL');
  await rm(home, { recursive: true, force: true });
});

const edit = (i: number) => ({
  factKey: `crash-${i % 10}::fact-${i}`,
  prompt: `Fact number ${i} before the crash is`,
  target: `value ${i}`,
  rephrase: [`Number ${i}'s fact is`],
  locality: [],
  source: { system: 'crash-test', ref: `ref-${i}` },
  reason: 'crash test',
});

test('every submit answered 2xx before a SIGKILL is in the ledger after the restart', async (t) => {
  const tokens = TokenStore.open(home);
  const submitter = tokens.create('crash-submitter', 'submitter', 'test').token;
  const auditor = tokens.create('crash-auditor', 'auditor', 'test').token;
  const first = await startServe(home, ['--no-trainer', '--rate-limit', '0']);
  running.push(first);

  const acknowledged = new Map<number, string>();
  let failed = 0;
  let sent = 0;
  let killed = false;
  const worker = async () => {
    while (!killed && sent < MAX_REQUESTS) {
      const i = sent++;
      try {
        const response = await call(first.url, 'POST', '/v1/edits', { token: submitter, body: edit(i) });
        if (response.status === 201 || response.status === 200) acknowledged.set(i, response.body.editId as string);
        else t.fail(`submit ${i}: ${response.status} ${JSON.stringify(response.body)}`);
      } catch {
        failed += 1; // cut off by the kill: no answer, no promise made
      }
      if (!killed && acknowledged.size >= KILL_AFTER) {
        killed = true;
        first.child.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  t.is(await first.stop(), null, 'killed by the signal');
  t.log(`${sent} sent, ${acknowledged.size} answered 2xx, ${failed} cut off by the kill`);
  t.true(acknowledged.size >= KILL_AFTER);
  t.true(failed > 0, 'some requests were in flight when serve died');

  const second = await startServe(home, ['--no-trainer', '--rate-limit', '0']);
  running.push(second);
  const missing: string[] = [];
  for (const [i, editId] of acknowledged) {
    const shown = await call(second.url, 'GET', `/v1/edits/${editId}`, { token: auditor });
    if (shown.status !== 200 || shown.body.submitted?.target !== `value ${i}`)
      missing.push(`${i} ${editId}: ${shown.status} ${JSON.stringify(shown.body).slice(0, 200)}`);
  }
  t.deepEqual(missing, [], 'acknowledged edits missing after the restart');

  // The ledger holds at least every acknowledged edit, and resending an acknowledged one appends nothing.
  const events = await call(second.url, 'GET', '/v1/events?type=EditSubmitted&limit=1000', { token: auditor });
  const landed = (events.body.events as { data: { source: { ref: string } } }[]).map((e) => e.data.source.ref);
  t.true(landed.length >= acknowledged.size && landed.length <= sent, `${landed.length} EditSubmitted events`);
  t.is(new Set(landed).size, landed.length, 'no ref appended twice');
  const [someAcknowledged] = acknowledged.keys();
  const resent = await call(second.url, 'POST', '/v1/edits', { token: submitter, body: edit(someAcknowledged!) });
  t.deepEqual([resent.status, resent.body.outcome], [200, 'duplicate']);
  t.is(await second.stop('SIGTERM'), 0);
});
