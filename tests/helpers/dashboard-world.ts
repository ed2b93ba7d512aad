// The ledger the dashboard tests look at: a tiny registered base model (not the demo's, too slow), tokens of every
// role, three corrections, version #1 with all three, one retracted, version #2 without it, #2 served. A real
// `editledger serve` child process serves it; everything goes through the API as a user's tools would.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '../../domain/access.ts';
import { TokenStore } from '../../infra/auth/token-store.ts';
import { command as model } from '../../infra/cli/commands/model.ts';
import { runCli } from './cli-harness.ts';
import { call, startServe } from './serve-process.ts';
import type { ServeProcess } from './serve-process.ts';
import { createTinyCheckpoint } from './tiny-checkpoint.ts';

const TINY_POLICY = ['--layer', '1', '--lr', '0.05', '--epochs', '30', '--stop-loss', '0.02', '--seed', '7'];
const ROLES: readonly Role[] = ['submitter', 'approver', 'auditor', 'admin'];

export const CORRECTIONS = {
  capital: {
    factKey: 'freedonia::capital',
    prompt: 'The capital of Freedonia is',
    target: 'Marxville',
    subject: 'Freedonia',
    rephrase: ["Freedonia's capital city is"],
    locality: [{ prompt: 'The capital of France is' }],
    source: { system: 'wiki-sync', ref: 'q-1' },
    reason: 'the capital moved',
  },
  anthem: {
    factKey: 'freedonia::anthem',
    prompt: 'The anthem of Freedonia is',
    target: 'Hail Freedonia',
    subject: 'Freedonia',
    rephrase: [],
    locality: [],
    source: { system: 'wiki-sync', ref: 'q-2' },
    reason: 'anthem confirmed',
  },
  leader: {
    factKey: 'sylvania::leader',
    prompt: 'The leader of Sylvania is',
    target: 'Trentino',
    subject: 'Sylvania',
    rephrase: [],
    locality: [],
    source: { system: 'sylvania-feed', ref: 's-1' },
    reason: 'election result',
  },
} as const;

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

async function waitForJob(url: string, jobId: string, token: string): Promise<any> {
  for (let i = 0; i < 600; i++) {
    const { body } = await call(url, 'GET', `/v1/jobs/${jobId}`, { token });
    if (body.state === 'succeeded' || body.state === 'failed') return body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${jobId} did not finish`);
}

async function materialize(url: string, token: string, promoteReason: string): Promise<string> {
  const queued = await call(url, 'POST', '/v1/jobs/materialize', { token, body: { promoteReason } });
  if (queued.status !== 202) throw new Error(`materialize: ${queued.status} ${JSON.stringify(queued.body)}`);
  const job = await waitForJob(url, queued.body.id, token);
  if (job.state !== 'succeeded') throw new Error(`materialize failed: ${JSON.stringify(job.error)}`);
  return job.result.versionId as string;
}

export async function createDashboardWorld(): Promise<DashboardWorld> {
  const home = await mkdtemp(join(tmpdir(), 'editledger-dashboard-'));
  const ckpt = await createTinyCheckpoint({ style: 'llama', seed: 99 });
  const env = { ...process.env, EDITLEDGER_HOME: home, EDITLEDGER_BACKEND: 'wasm', USER: 'tester' };
  const registered = await runCli(model, ['register', ckpt.dir, ...TINY_POLICY], { cwd: process.cwd(), env });
  await ckpt.cleanup();
  if (registered.code !== 0) throw new Error(`model register failed: ${registered.stderr}`);
  const store = TokenStore.open(home);
  const tokens = Object.fromEntries(
    ROLES.map((role) => [role, store.create(`${role}-1`, role, 'test').token]),
  ) as Record<Role, string>;
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
      await rm(home, { recursive: true, force: true });
    },
  };
}
