// The worker thread of worker-append-server.ts: it opens the ledger in its home and answers each posted body with
// the outcome of LedgerService.submitEdit, the append `POST /v1/edits` makes, or the error's message.
import { Writable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { LedgerService, type SubmitEditInput } from '../../domain/edit-use-cases.ts';
import { withLedger } from '../../infra/cli/ledger-session.ts';

export interface ProbeRequest {
  readonly id: number;
  readonly body: unknown;
}

export type ProbeReply =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

const port = parentPort;
if (port !== null) {
  const sink = () => new Writable({ write: (_chunk, _encoding, done) => done() });
  const io = { stdout: sink(), stderr: sink(), env: { ...process.env }, cwd: process.cwd() };
  const { home } = workerData as { home: string };
  await withLedger(io, home, async (session) => {
    const ledger = new LedgerService(session.store);
    const context = { actor: 'token:bench', channel: 'http' };
    // Answers until the server terminates this thread.
    await new Promise<never>(() => {
      port.on('message', ({ id, body }: ProbeRequest) => {
        const input = { ...(body as SubmitEditInput), submittedBy: 'token:bench' };
        ledger.submitEdit(input, context).then(
          (result) => port.postMessage({ id, ok: true, result } satisfies ProbeReply),
          (error: unknown) => port.postMessage({ id, ok: false, error: String(error) } satisfies ProbeReply),
        );
      });
    });
  });
}
