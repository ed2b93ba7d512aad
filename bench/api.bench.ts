// npm run bench:api — what the HTTP API costs a submit. The served side is a real `editledger serve` child process
// (--no-trainer, no rate limit) on loopback; the baseline is the durable in-process append the route calls
// (LedgerService.submitEdit / importEdits on the same SQLite ledger type, in a home of its own), driven with the same
// number of calls in flight, in this process. Rounds alternate the sides so that machine noise and ledger growth
// hit all of them alike.
//
//   single     POST /v1/edits, one correction per request  vs  LedgerService.submitEdit
//   batch      POST /v1/edits/import, 100 ZsRE records      vs  LedgerService.importEdits of the same 100
//   probe      a bare Fastify POST route whose body a worker thread appends with LedgerService.submitEdit
//              (bench/helpers/worker-append-server.ts): no schema, auth or metrics, the append off the HTTP thread.
//              What a two-thread `serve` could reach at best on this machine.
//   ceiling    a bare Fastify POST route (bench/helpers/hello-server.ts) in its own process, same client: no
//              schema, auth, metrics or storage. What HTTP alone costs on this machine.
//
// The client is bench/helpers/http-load.ts (keep-alive sockets, hand-written requests): node:http costs the client
// ~0.2 ms of CPU per request, taken on a 2-core machine from the server being measured. The node:http row shows that.
//
// Environment: BENCH_API_SINGLE=4500 submits per side, BENCH_API_BATCHES=48 batches per side, BENCH_BATCH=100,
// BENCH_API_IN_FLIGHT=16, BENCH_API_ROUNDS=3, BENCH_API_WARMUP=1500 submits per side; BENCH_API_PROFILE=DIR writes a
// V8 CPU profile of the serve process to DIR (read it with `tsx bench/helpers/profile-top.ts DIR/*.cpuprofile`).
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Writable } from 'node:stream';
import { parseDataset } from '../domain/dataset-formats.ts';
import { TokenStore } from '../infra/auth/token-store.ts';
import { withLedger } from '../infra/cli/ledger-session.ts';
import { LedgerService } from '../domain/edit-use-cases.ts';
import { startChildServer } from './helpers/child-server.ts';
import type { ChildServer } from './helpers/child-server.ts';
import { LoadClient } from './helpers/http-load.ts';
import { nodeHttpPoster } from './helpers/node-http-post.ts';
import { envInt, markdownTable } from './table.ts';

const SINGLE = envInt('BENCH_API_SINGLE', 4_500);
const BATCHES = envInt('BENCH_API_BATCHES', 48);
const BATCH = envInt('BENCH_BATCH', 100);
const IN_FLIGHT = envInt('BENCH_API_IN_FLIGHT', 16);
const ROUNDS = envInt('BENCH_API_ROUNDS', 3);
// Enough for V8 to optimize the hot paths of every side before measuring (the JIT thread costs CPU too).
const WARMUP = envInt('BENCH_API_WARMUP', 1_500);
const PROFILE = process.env.BENCH_API_PROFILE;

/** A correction unique per n, ~500 bytes as JSON (the SubmitEdit shape). */
function correction(n: number, side: string) {
  return {
    factKey: `bench-${n % 50}::fact-${n}`,
    prompt: `The employer of person number ${n} is`,
    target: `Company ${n % 977}`,
    subject: `person ${n}`,
    rephrase: [`Person ${n} works for`, `Who employs person ${n}? The answer is`],
    locality: [{ prompt: `The capital of country ${n % 191} is`, answer: `City ${n % 191}` }],
    source: { system: `bench-${side}`, ref: `ref-${n}` },
    reason: 'benchmark correction',
  };
}

/** A ZsRE record unique per n (the shape POST /v1/edits/import and `edit import` accept). */
function zsre(n: number, side: string) {
  return { src: `What is the employer of ${side} person ${n}?`, alt: `Company ${n % 977}`, subject: `person ${n}` };
}

interface Measured {
  /** Operations (submits or batches) done, and the wall time they took with IN_FLIGHT at once. */
  ops: number;
  ms: number;
  latencies: number[];
  /** CPU time of the process doing the work (a server child, or this process for the baseline). */
  cpuMs: number;
  /** CPU time of this process while it was only the client (HTTP sides). */
  clientCpuMs: number;
}

interface Side {
  readonly label: string;
  readonly op: (i: number) => Promise<void>;
  /** CPU of whoever does the work; `client` is this process's CPU, when it only drives the load. */
  readonly cpu: () => number;
  readonly client?: () => number;
  readonly measured: Measured;
}

/** CPU milliseconds (user + system) used so far by this process. */
const ownCpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Run `count` operations with `inFlight` at once; each latency is from its start to its end. */
async function load(side: Side, count: number, first: number, into: Measured | undefined) {
  let next = 0;
  const started = performance.now();
  const cpuBefore = side.cpu();
  const clientBefore = side.client?.() ?? 0;
  const latencies: number[] = [];
  const worker = async () => {
    while (next < count) {
      const i = first + next++;
      const t0 = performance.now();
      await side.op(i);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  if (into === undefined) return;
  into.ms += performance.now() - started;
  into.cpuMs += side.cpu() - cpuBefore;
  into.clientCpuMs += (side.client?.() ?? 0) - clientBefore;
  into.ops += count;
  into.latencies.push(...latencies);
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const sink = () => new Writable({ write: (_chunk, _encoding, done) => done() });
const empty = (): Measured => ({ ops: 0, ms: 0, latencies: [], cpuMs: 0, clientCpuMs: 0 });

/** POST through the lean client; anything but `expect` fails the bench with the server's answer. */
function poster(client: LoadClient, token: string) {
  return async (path: string, body: unknown, expect: number) => {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const response = await client.request({ method: 'POST', path, headers, body: JSON.stringify(body) });
    if (response.status !== expect) throw new Error(`POST ${path}: ${response.status} ${response.body.slice(0, 300)}`);
  };
}

export async function benchApi(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'editledger-bench-api-'));
  const servedHome = join(dir, 'served');
  const token = TokenStore.open(servedHome).create('bench', 'submitter', 'bench').token;
  const profileFlags = PROFILE === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`];
  const servers: ChildServer[] = [];
  const clients: LoadClient[] = [];
  const io = { stdout: sink(), stderr: sink(), env: { ...process.env }, cwd: process.cwd() };
  const env = { EDITLEDGER_HOME: servedHome, EDITLEDGER_BACKEND: 'wasm' };
  const serveArgs = [
    'infra/cli/main.ts',
    'serve',
    '--port',
    '0',
    '--idle',
    '3600',
    '--no-trainer',
    '--rate-limit',
    '0',
  ];
  let singles: Side[] = [];
  let batches: Side[] = [];
  try {
    const serve = await startChildServer(profileFlags, serveArgs, env);
    servers.push(serve);
    const hello = await startChildServer([], ['bench/helpers/hello-server.ts'], {});
    servers.push(hello);
    const probe = await startChildServer([], ['bench/helpers/worker-append-server.ts'], { EDITLEDGER_BACKEND: 'wasm' });
    servers.push(probe);
    const [serveClient, helloClient, probeClient] = await Promise.all(
      [serve.url, hello.url, probe.url].map((u) => LoadClient.open(u, IN_FLIGHT)),
    );
    clients.push(serveClient!, helloClient!, probeClient!);
    const postServe = poster(serveClient!, token);
    const postHello = poster(helloClient!, token);
    const postProbe = poster(probeClient!, token);
    const nodeHttp = nodeHttpPoster(serve.url, token, IN_FLIGHT);
    await withLedger(io, join(dir, 'direct'), async (session) => {
      const ledger = new LedgerService(session.store);
      const context = { actor: 'token:bench', channel: 'http' };
      const batchOf = (b: number, side: string) => Array.from({ length: BATCH }, (_, k) => zsre(b * BATCH + k, side));
      const importOptions = { system: 'bench', submittedBy: 'token:bench', reason: 'submitted through the API' };
      const side = (label: string, op: Side['op'], worker?: ChildServer): Side => ({
        label,
        op,
        cpu: worker === undefined ? ownCpu : worker.cpuMs,
        ...(worker !== undefined && { client: ownCpu }),
        measured: empty(),
      });
      singles = [
        side('in-process LedgerService.submitEdit (baseline)', async (n) => {
          const result = await ledger.submitEdit({ ...correction(n, 'direct'), submittedBy: 'token:bench' }, context);
          if (result.outcome !== 'submitted') throw new Error(`direct submit ${n}: ${result.outcome}`);
        }),
        side('POST /v1/edits', (n) => postServe('/v1/edits', correction(n, 'http'), 201), serve),
        side('POST /v1/edits, node:http client', (n) => nodeHttp('/v1/edits', correction(n, 'node'), 201), serve),
        side(
          'probe: bare Fastify, submitEdit in a worker thread',
          (n) => postProbe('/v1/edits', correction(n, 'probe'), 201),
          probe,
        ),
        side('ceiling: bare Fastify POST, no storage', (n) => postHello('/v1/edits', correction(n, 'x'), 201), hello),
      ];
      batches = [
        side(`in-process LedgerService.importEdits of ${BATCH} (baseline)`, async (b) => {
          // The route parses the records the same way (parseDataset); the baseline gets them parsed already.
          const { requests } = parseDataset(JSON.stringify(batchOf(b, 'direct')));
          const result = await ledger.importEdits(requests, importOptions, context);
          if (result.submitted !== BATCH) throw new Error(`direct import ${b}: ${JSON.stringify(result)}`);
        }),
        side(
          `POST /v1/edits/import, ${BATCH} per request`,
          (b) => postServe('/v1/edits/import', batchOf(b, 'http'), 200),
          serve,
        ),
      ];
      for (const s of singles) await load(s, WARMUP, 1e7, undefined);
      const perRound = Math.ceil(SINGLE / ROUNDS);
      const batchesPerRound = Math.ceil(BATCHES / ROUNDS);
      for (let round = 0; round < ROUNDS; round++) {
        // Which side goes first rotates, so none always runs on the warmer (or busier) machine.
        const order = (list: Side[]) => list.map((_, k) => list[(k + round) % list.length]!);
        for (const s of order(singles)) await load(s, perRound, round * perRound, s.measured);
        for (const s of order(batches)) await load(s, batchesPerRound, round * batchesPerRound, s.measured);
      }
    });
  } finally {
    for (const client of clients) client.close();
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
  return report(singles, batches);
}

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)} ms` : 'n/a');
const ceilingOf = (singles: readonly Side[]) => singles.find((s) => s.label.startsWith('ceiling'));

/**
 * The best a server could do that added only bare Fastify's cost to the append: both run on serve's one JS thread,
 * so their times per request add up (1 / (1/baseline + 1/ceiling)). A ratio above this one is out of reach here.
 */
function bound(singles: readonly Side[]): string[] {
  const rate = (s: Side) => (s.measured.ops * 1000) / s.measured.ms;
  const base = rate(singles[0]!);
  const ceiling = ceilingOf(singles);
  const best = ceiling === undefined ? Number.NaN : 1 / (1 / base + 1 / rate(ceiling));
  return [
    'bound: baseline + ceiling in series on one thread',
    `${Math.round(best).toLocaleString('en')} edits/s`,
    '',
    (best / base).toFixed(2),
    '',
    '',
    '',
  ];
}

/**
 * The same limit counted in CPU rather than threads, so that it covers a server that splits the work across threads
 * (the probe's design): at the target rate, all cores together can spend `budget` ms of CPU per edit; the load client,
 * the append itself (the baseline's CPU) and bare Fastify already spend `floor` of it, before auth, validation,
 * metrics, idempotency and the hand-off between threads, and with every core busy all of the time.
 */
function cpuBudget(singles: readonly Side[], target: number): string[][] {
  const base = singles[0]!.measured;
  const ceiling = ceilingOf(singles)?.measured;
  const cores = availableParallelism();
  const perEdit = (ms: number, m: Measured) => ms / m.ops;
  const targetRate = (target * base.ops * 1000) / base.ms;
  const budget = (cores * 1000) / targetRate;
  const floor =
    ceiling === undefined
      ? Number.NaN
      : perEdit(base.cpuMs, base) + perEdit(ceiling.cpuMs, ceiling) + perEdit(ceiling.clientCpuMs, ceiling);
  const served = singles[1]?.measured;
  const spent = served === undefined ? Number.NaN : perEdit(served.cpuMs + served.clientCpuMs, served);
  return [
    [
      `budget: ${cores} cores' CPU per edit at ${target}x the baseline`,
      `${Math.round(targetRate).toLocaleString('en')} edits/s`,
      '',
      '',
      '',
      ms(budget),
      '',
    ],
    [
      'floor: baseline append + bare Fastify + client CPU',
      '',
      '',
      (floor / budget).toFixed(2),
      'of the budget',
      ms(floor),
      '',
    ],
    ['POST /v1/edits: server + client CPU', '', '', (spent / budget).toFixed(2), 'of the budget', ms(spent), ''],
  ];
}

function report(singles: readonly Side[], batches: readonly Side[]): string {
  const edits = (m: Measured, perOp: number) => (m.ops * perOp * 1000) / m.ms;
  const rows = (sides: readonly Side[], perOp: number, target: number) => {
    const base = edits(sides[0]!.measured, perOp);
    return sides.map((s, i) => {
      const m = s.measured;
      const ratio = edits(m, perOp) / base;
      return [
        s.label,
        `${Math.round(edits(m, perOp)).toLocaleString('en')} edits/s`,
        `${ms(quantile(m.latencies, 0.5))} / ${ms(quantile(m.latencies, 0.99))}`,
        i === 0 ? '1.00 (baseline)' : ratio.toFixed(2),
        i === 0 ? '' : i === 1 ? `>= ${target} ${ratio >= target ? 'met' : 'MISSED'}` : '',
        ms(m.cpuMs / (m.ops * perOp)),
        s.client === undefined ? '' : ms(m.clientCpuMs / (m.ops * perOp)),
      ];
    });
  };
  return [
    `submits to \`editledger serve\` over loopback (${IN_FLIGHT} keep-alive connections, one request in flight on each) vs the in-process durable append (SQLite, WAL, fsync before acknowledging) with ${IN_FLIGHT} calls in flight; ${ROUNDS} rotating rounds, ${singles[0]!.measured.ops} submits and ${batches[0]!.measured.ops} batches per side`,
    markdownTable(
      ['side', 'throughput', 'p50 / p99 per request', 'ratio', 'target', 'server CPU per edit', 'client CPU per edit'],
      [...rows(singles, 1, 0.8), bound(singles), ...cpuBudget(singles, 0.8), ...rows(batches, BATCH, 0.7)],
    ),
    'ratio = edits/s over the baseline of its group (singles, batches); server CPU: the serve (or ceiling) process, or this process for the baseline; client CPU: this process while it only drives HTTP load; budget: the CPU per edit all cores can give at the target rate (floor and POST rows: their share of it)',
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await benchApi());
}
