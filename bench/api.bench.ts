// npm run bench:api — what the HTTP API costs a submit. The served side is a real `editledger serve` child process
// (--no-trainer, no rate limit) on loopback, driven by node:http (keep-alive) with a fixed number of requests in flight; the
// baseline is the durable in-process append the route calls (LedgerService.submitEdit / importEdits on the same
// SQLite ledger type, in a home of its own), driven with the same number of calls in flight, in this process.
// Rounds alternate baseline and served so that machine noise and ledger growth hit both sides alike.
//
//   single     POST /v1/edits, one correction per request  vs  LedgerService.submitEdit
//   batch      POST /v1/edits/import, 100 ZsRE records      vs  LedgerService.importEdits of the same 100
//
// Environment: BENCH_API_SINGLE=1200 submits per side, BENCH_API_BATCHES=48 batches per side, BENCH_BATCH=100,
// BENCH_API_IN_FLIGHT=16, BENCH_API_ROUNDS=3, BENCH_API_WARMUP=400 submits per side.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Writable } from 'node:stream';
import { parseDataset } from '../domain/dataset-formats.ts';
import { TokenStore } from '../infra/auth/token-store.ts';
import { withLedger } from '../infra/cli/ledger-session.ts';
import { LedgerService } from '../infra/ledger/ledger-service.ts';
import { startServe } from '../tests/helpers/serve-process.ts';
import { envInt, markdownTable } from './table.ts';

const SINGLE = envInt('BENCH_API_SINGLE', 1_200);
const BATCHES = envInt('BENCH_API_BATCHES', 48);
const BATCH = envInt('BENCH_BATCH', 100);
const IN_FLIGHT = envInt('BENCH_API_IN_FLIGHT', 16);
const ROUNDS = envInt('BENCH_API_ROUNDS', 3);
// Enough for V8 to optimize the hot paths of both sides before measuring (the JIT thread costs CPU too).
const WARMUP = envInt('BENCH_API_WARMUP', 400);

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
  /** CPU time spent by the process doing the work (the serve child, or this process for the baseline). */
  cpuMs: number;
}

/** CPU milliseconds (user + system) used so far by this process. */
const ownCpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** CPU milliseconds used so far by another process (Linux /proc; NaN elsewhere). */
function cpuOf(pid: number | undefined): () => number {
  return () => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 per second on Linux).
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    } catch {
      return Number.NaN;
    }
  };
}

/** Run `count` operations with `inFlight` at once; each latency is from its start to its end. */
async function load(
  count: number,
  inFlight: number,
  op: (i: number) => Promise<void>,
  into: Measured,
  cpu: () => number,
) {
  let next = 0;
  const started = performance.now();
  const cpuBefore = cpu();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const t0 = performance.now();
      await op(i);
      into.latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  into.ms += performance.now() - started;
  into.cpuMs += cpu() - cpuBefore;
  into.ops += count;
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const sink = () => new Writable({ write: (_chunk, _encoding, done) => done() });
const empty = (): Measured => ({ ops: 0, ms: 0, latencies: [], cpuMs: 0 });

// node:http with a keep-alive agent rather than fetch: fetch costs the client ~1 ms of CPU per request here, which
// on a 2-core machine is taken from the server being measured.
const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });

function post(url: string, token: string, path: string, body: unknown, expect: number): Promise<void> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': payload.length,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          if (res.statusCode === expect) resolve();
          else reject(new Error(`POST ${path}: ${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 300)}`));
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export async function benchApi(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'editledger-bench-api-'));
  const servedHome = join(dir, 'served');
  const token = TokenStore.open(servedHome).create('bench', 'submitter', 'bench').token;
  const serve = await startServe(servedHome, ['--no-trainer', '--rate-limit', '0']);
  const serveCpu = cpuOf(serve.child.pid);
  const io = { stdout: sink(), stderr: sink(), env: { ...process.env }, cwd: process.cwd() };
  const results = { single: { direct: empty(), http: empty() }, batch: { direct: empty(), http: empty() } };
  try {
    await withLedger(io, join(dir, 'direct'), async (session) => {
      const ledger = new LedgerService(session.store);
      const context = { actor: 'token:bench', source: 'http' };
      const submitDirect = async (n: number) => {
        const result = await ledger.submitEdit({ ...correction(n, 'direct'), submittedBy: 'token:bench' }, context);
        if (result.outcome !== 'submitted') throw new Error(`direct submit ${n}: ${result.outcome}`);
      };
      const submitHttp = (n: number) => post(serve.url, token, '/v1/edits', correction(n, 'http'), 201);
      const batchOf = (b: number, side: string) => Array.from({ length: BATCH }, (_, k) => zsre(b * BATCH + k, side));
      const importOptions = { system: 'bench', submittedBy: 'token:bench', reason: 'submitted through the API' };
      const importDirect = async (b: number) => {
        // The route parses the records the same way (parseDataset); the baseline gets them parsed already.
        const { requests } = parseDataset(JSON.stringify(batchOf(b, 'direct')));
        const result = await ledger.importEdits(requests, importOptions, context);
        if (result.submitted !== BATCH) throw new Error(`direct import ${b}: ${JSON.stringify(result)}`);
      };
      const importHttp = (b: number) => post(serve.url, token, '/v1/edits/import', batchOf(b, 'http'), 200);

      const scratch = empty();
      await load(WARMUP, IN_FLIGHT, (i) => submitDirect(1e7 + i), scratch, ownCpu);
      await load(WARMUP, IN_FLIGHT, (i) => submitHttp(1e7 + i), scratch, serveCpu);
      const perRound = Math.ceil(SINGLE / ROUNDS);
      const batchesPerRound = Math.ceil(BATCHES / ROUNDS);
      for (let round = 0; round < ROUNDS; round++) {
        const base = round * perRound;
        const { single, batch } = results;
        // Which side goes first alternates, so neither always runs on the warmer (or busier) machine.
        const singles = [
          () => load(perRound, IN_FLIGHT, (i) => submitDirect(base + i), single.direct, ownCpu),
          () => load(perRound, IN_FLIGHT, (i) => submitHttp(base + i), single.http, serveCpu),
        ];
        const batches = [
          () =>
            load(batchesPerRound, IN_FLIGHT, (i) => importDirect(round * batchesPerRound + i), batch.direct, ownCpu),
          () => load(batchesPerRound, IN_FLIGHT, (i) => importHttp(round * batchesPerRound + i), batch.http, serveCpu),
        ];
        if (round % 2 === 1) for (const list of [singles, batches]) list.reverse();
        for (const run of [...singles, ...batches]) await run();
      }
    });
  } finally {
    agent.destroy();
    await serve.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }

  const edits = (m: Measured, perOp: number) => (m.ops * perOp * 1000) / m.ms;
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  const row = (label: string, side: { direct: Measured; http: Measured }, perOp: number, target: number) => {
    const ratio = edits(side.http, perOp) / edits(side.direct, perOp);
    return [
      label,
      `${Math.round(edits(side.http, perOp)).toLocaleString('en')} edits/s`,
      `${ms(quantile(side.http.latencies, 0.5))} / ${ms(quantile(side.http.latencies, 0.99))}`,
      `${Math.round(edits(side.direct, perOp)).toLocaleString('en')} edits/s`,
      `${ms(quantile(side.direct.latencies, 0.5))} / ${ms(quantile(side.direct.latencies, 0.99))}`,
      ratio.toFixed(2),
      `>= ${target} ${ratio >= target ? 'met' : 'MISSED'}`,
      `${ms(side.http.cpuMs / (side.http.ops * perOp))} / ${ms(side.direct.cpuMs / (side.direct.ops * perOp))}`,
    ];
  };
  return [
    `submits over loopback to \`editledger serve\` (${IN_FLIGHT} in flight, node:http keep-alive) vs the in-process durable append (SQLite, WAL, synchronous=FULL), ${ROUNDS} alternating rounds`,
    markdownTable(
      [
        'submit',
        'HTTP throughput',
        'HTTP p50 / p99',
        'baseline: in-process',
        'baseline p50 / p99',
        'ratio',
        'target',
        'CPU per edit: serve / in-process',
      ],
      [
        row(`single (POST /v1/edits, ${results.single.http.ops} per side)`, results.single, 1, 0.8),
        row(`batch of ${BATCH} (POST /v1/edits/import, ${results.batch.http.ops} per side)`, results.batch, BATCH, 0.7),
      ],
    ),
    'latency is per request (one edit, or one batch of 100); ratio = HTTP edits/s over baseline edits/s; CPU per edit: the serve process (HTTP side, its client not counted) and this process (baseline)',
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await benchApi());
}
