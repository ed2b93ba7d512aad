// The API routes under the audit dashboard, on the same kind of ledger as tests/dashboard.e2e.test.ts (a real
// `editledger serve`, tiny model, two versions): edit search, the live event stream, a job's progress stream, the
// built assets, and a graceful stop with a live stream open. No browser: what the page is built on.
import test from 'ava';
import { createDashboardWorld } from './helpers/dashboard-world.ts';
import type { DashboardWorld } from './helpers/dashboard-world.ts';
import { call } from './helpers/serve-process.ts';

let world: DashboardWorld;

test.before(async () => {
  world = await createDashboardWorld();
});

test.after.always(async () => {
  await world?.close();
});

/** Reads SSE frames from a fetch response until `until` says stop; returns them parsed. */
async function readFrames(
  response: Response,
  until: (frames: Array<{ event: string; id?: string; data: any }>) => boolean,
): Promise<Array<{ event: string; id?: string; data: any }>> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const frames: Array<{ event: string; id?: string; data: any }> = [];
  let buffer = '';
  while (!until(frames)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const lines = buffer.slice(0, end).split('\n');
      buffer = buffer.slice(end + 2);
      const field = (name: string) => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
      const data = field('data');
      if (data !== undefined)
        frames.push({ event: field('event') ?? 'message', id: field('id'), data: JSON.parse(data) });
    }
  }
  await reader.cancel();
  return frames;
}

test.serial('the routes under the page: edit search, the live event stream, the built assets', async (t) => {
  const { url, tokens } = world;
  const search = (query: string, token: string | undefined = tokens.auditor) =>
    call(url, 'GET', `/v1/edits/search${query}`, { ...(token !== undefined && { token }) });
  const freedonia = await search('?q=Freedonia');
  t.is(freedonia.status, 200);
  t.deepEqual(freedonia.body.edits.map((e: any) => e.factKey).sort(), ['freedonia::anthem', 'freedonia::capital']);
  t.deepEqual(
    (await search('?status=retracted&system=wiki-sync')).body.edits.map((e: any) => e.editId),
    [world.editIds.anthem],
  );
  t.is((await search('?system=wiki-sync&ref=q-1')).body.edits[0].editId, world.editIds.capital);
  t.is((await search('?limit=1')).body.edits.length, 1);
  const bad = await search('?status=deleted');
  t.is(bad.status, 400);
  t.is(bad.body.field, 'query.status');
  t.is((await search('?limit=0')).body.field, 'query.limit');
  t.is((await call(url, 'GET', '/v1/edits/search?q=x')).status, 401);

  // The live stream: "ready" with the head, then one "ledger" frame per appended event, with its position as id.
  const stream = await fetch(`${url}/v1/events/stream`, { headers: { authorization: `Bearer ${tokens.auditor}` } });
  t.is(stream.headers.get('content-type'), 'text/event-stream');
  const submitted = readFrames(stream, (frames) => frames.some((f) => f.event === 'ledger'));
  const edit = {
    factKey: 'ruritania::capital',
    prompt: 'The capital of Ruritania is',
    target: 'Strelsau',
    rephrase: [],
    locality: [],
    source: { system: 'live-test', ref: 'l-1' },
    reason: 'live stream test',
  };
  const appended = await call(url, 'POST', '/v1/edits', { token: tokens.submitter, body: edit });
  const frames = await submitted;
  t.is(frames[0]!.event, 'ready');
  const ledger = frames.find((f) => f.event === 'ledger')!;
  t.like(ledger.data, { position: appended.body.position, type: 'EditSubmitted', stream: 'fact-ruritania::capital' });
  t.is(ledger.id, String(appended.body.position));
  // Resuming after a position replays from there (Last-Event-ID, as EventSource reconnects).
  const resumed = await fetch(`${url}/v1/events/stream`, {
    headers: { authorization: `Bearer ${tokens.auditor}`, 'last-event-id': String(appended.body.position - 1) },
  });
  const replay = await readFrames(resumed, (f) => f.some((x) => x.event === 'ledger'));
  t.is(replay.find((f) => f.event === 'ledger')!.data.position, appended.body.position);
  t.is((await call(url, 'GET', '/v1/events/stream')).status, 401);

  // A verify job's own stream: the job as it runs (phase, epoch of epochs), then finished; the stream ends itself.
  const queued = await call(url, 'POST', '/v1/jobs/verify', { token: tokens.approver, body: { version: '#2' } });
  t.is(queued.status, 202, JSON.stringify(queued.body));
  const progress = await fetch(`${url}/v1/jobs/${queued.body.id}/events`, {
    headers: { authorization: `Bearer ${tokens.auditor}` },
  });
  const jobFrames = await readFrames(progress, (f) => f.some((x) => x.data.state === 'succeeded'));
  t.true(
    jobFrames.some((f) => f.event === 'job' && f.data.state === 'running' && f.data.progress?.epochs > 0),
    JSON.stringify(jobFrames.map((f) => [f.data.state, f.data.progress])),
  );
  t.like(jobFrames.at(-1)!.data, { state: 'succeeded', result: { identical: true } });

  // The page and its assets: public, typed, the page with its CSP; only built files are served.
  const page = await fetch(`${url}/`);
  t.is(page.status, 200);
  t.is(page.headers.get('content-type'), 'text/html; charset=utf-8');
  t.regex(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(await page.text())![1]!;
  const asset = await fetch(`${url}${script}`);
  t.is(asset.headers.get('content-type'), 'text/javascript; charset=utf-8');
  t.regex(asset.headers.get('cache-control') ?? '', /immutable/);
  t.is((await fetch(`${url}/assets/missing.js`)).status, 404);
  t.is((await fetch(`${url}/assets/..%2F..%2Fpackage.json`)).status, 404);

  // An open live stream does not hold up a graceful stop: SIGTERM ends it and the server exits 0. (Last test.)
  const open = await fetch(`${url}/v1/events/stream`, { headers: { authorization: `Bearer ${tokens.auditor}` } });
  const ended = readFrames(open, () => false);
  const exit = await Promise.race([
    world.serve.stop('SIGTERM'),
    new Promise<string>((resolve) => setTimeout(() => resolve('still running 20 s after SIGTERM'), 20_000)),
  ]);
  t.is(exit, 0, world.serve.stderr());
  t.is((await ended)[0]!.event, 'ready');
});
