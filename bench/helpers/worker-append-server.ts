// The design probe row of bench:api: what moving the append off the HTTP thread could buy at best. A bare Fastify
// server (as hello-server.ts: default JSON parser, no schema, auth, metrics or idempotency) hands each POST body to a
// worker thread that owns the ledger (its own home, the SQLite store `serve` uses) and runs the same
// LedgerService.submitEdit; the reply waits for the worker's durable append. Run as its own process like `serve`.
// It is not a server anyone should run: it trusts every body. It bounds what a two-thread `serve` could reach here.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Fastify from 'fastify';
import type { ProbeReply } from './worker-append.ts';

const home = mkdtempSync(join(tmpdir(), 'editledger-bench-probe-'));
// tsx's --import hooks do not reach worker threads on Node 20: the worker registers them itself before loading.
const bootstrap = [
  `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))};`,
  'register();',
  `await import(${JSON.stringify(new URL('./worker-append.ts', import.meta.url).href)});`,
].join('\n');
const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), { workerData: { home } });
const waiting = new Map<number, (reply: ProbeReply) => void>();
let nextId = 0;
worker.on('message', (reply: ProbeReply) => {
  waiting.get(reply.id)?.(reply);
  waiting.delete(reply.id);
});
worker.on('error', (error) => {
  process.stderr.write(`worker failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});

const app = Fastify({ logger: false });
app.post('/v1/edits', async (request, reply) => {
  const id = nextId++;
  const answer = await new Promise<ProbeReply>((resolve) => {
    waiting.set(id, resolve);
    worker.postMessage({ id, body: request.body });
  });
  if (!answer.ok) return reply.code(400).send({ detail: answer.error });
  return reply.code(201).send(answer.result);
});
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening on ${address}\n`);
process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => worker.terminate())
    .finally(() => {
      rmSync(home, { recursive: true, force: true });
      process.exit(0);
    });
});
