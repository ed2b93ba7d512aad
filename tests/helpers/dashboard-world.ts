// The ledger the dashboard tests look at: a tiny registered base model (not the demo's, too slow), tokens of every
// role, three corrections, version #1 with all three, one retracted, version #2 without it, #2 served. A real
// `editledger serve` child process serves it; everything goes through the API as a user's tools would.
import type { Role } from '../../domain/access.ts';
import { call, startServe, waitForJob } from './serve-process.ts';
import type { ServeProcess } from './serve-process.ts';
import { createTinyHome, tokensForEveryRole } from './tiny-home.ts';
import { CORRECTIONS } from './corrections.ts';

export interface DashboardWorld {
  readonly home: string;
  readonly serve: ServeProcess;
  readonly url: string;
  readonly tokens: Record<Role, string>;
  readonly editIds: Record<keyof typeof CORRECTIONS, string>;
  /** Version ids by ordinal: v[1], v[2]. */
  readonly versions: Record<1 | 2, string>;
  close(): Promise<void>;
}

async function materialize(url: string, token: string, promoteReason: string): Promise<string> {
  const queued = await call(url, 'POST', '/v1/jobs/materialize', { token, body: { promoteReason } });
  if (queued.status !== 202) throw new Error(`materialize: ${queued.status} ${JSON.stringify(queued.body)}`);
  const job = await waitForJob(url, queued.body.id, token);
  if (job.state !== 'succeeded') throw new Error(`materialize failed: ${JSON.stringify(job.error)}`);
  return job.result.versionId as string;
}

export async function createDashboardWorld(): Promise<DashboardWorld> {
  const tiny = await createTinyHome({ prefix: 'dashboard', baseEnv: process.env });
  const { home } = tiny;
  const tokens = tokensForEveryRole(home);
  const serve = await startServe(home, ['--no-trainer']);
  const { url } = serve;
  const editIds: Partial<Record<keyof typeof CORRECTIONS, string>> = {};
  for (const [name, body] of Object.entries(CORRECTIONS)) {
    const submitted = await call(url, 'POST', '/v1/edits', { token: tokens.submitter, body });
    if (submitted.status !== 201) throw new Error(`submit ${name}: ${JSON.stringify(submitted.body)}`);
    editIds[name as keyof typeof CORRECTIONS] = submitted.body.editId;
  }
  const v1 = await materialize(url, tokens.approver, 'first review');
  const retracted = await call(url, 'POST', `/v1/edits/${editIds.anthem}/retract`, {
    token: tokens.submitter,
    body: { reason: 'the anthem was never adopted' },
  });
  if (retracted.status !== 200) throw new Error(`retract: ${JSON.stringify(retracted.body)}`);
  const v2 = await materialize(url, tokens.approver, 'second review');
  return {
    home,
    serve,
    url,
    tokens,
    editIds: editIds as Record<keyof typeof CORRECTIONS, string>,
    versions: { 1: v1, 2: v2 },
    close: async () => {
      await serve.stop('SIGKILL');
      await tiny.cleanup();
    },
  };
}
