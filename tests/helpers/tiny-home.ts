// The set-up most CLI and service tests start from: a fresh EDITLEDGER_HOME with the tiny test checkpoint (not the
// demo's base: too slow) registered as the base model, and the CLI bound to that home in-process. One home, so a
// change to how a home is registered (a flag, the policy) is made once and every test follows it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '../../domain/access.ts';
import { TokenStore } from '../../infra/auth/token-store.ts';
import type { CliCommand } from '../../infra/cli/command.ts';
import { command as model } from '../../infra/cli/commands/model.ts';
import { runCli } from './cli-harness.ts';
import type { CliRun } from './cli-harness.ts';
import { createTinyCheckpoint } from './tiny-checkpoint.ts';

/** The training policy the tiny model learns a correction under within a second or two. */
export const TINY_POLICY = ['--layer', '1', '--lr', '0.05', '--epochs', '30', '--stop-loss', '0.02', '--seed', '7'];
/** A shorter schedule, for tests that count versions rather than look at what the model learned. */
export const QUICK_POLICY = ['--layer', '1', '--lr', '0.05', '--epochs', '20', '--stop-loss', '0.05', '--seed', '7'];
export const ROLES: readonly Role[] = ['submitter', 'approver', 'auditor', 'admin'];

export interface TinyHomeOptions {
  /** Names the temporary folder: editledger-<prefix>-XXXXXX. */
  readonly prefix: string;
  /** Training policy flags for `model register`; TINY_POLICY unless given. */
  readonly policy?: readonly string[];
  /** More `model register` flags, made once the home exists (a governance file written into it, say). */
  readonly registerArgs?: (home: string) => Promise<readonly string[]> | readonly string[];
  /** Spread under the test's variables: process.env for tests that start child processes. */
  readonly baseEnv?: NodeJS.ProcessEnv;
  /** Spread over them: a store URL, another backend. */
  readonly extraEnv?: NodeJS.ProcessEnv;
  /** The OS user the CLI sees as the actor; 'tester' unless given. */
  readonly user?: string;
}

export interface TinyHome {
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  /** The registered checkpoint's folder (kept until cleanup, for tests that check it out or generate from it). */
  readonly checkpointDir: string;
  /** What `model register` printed. */
  readonly registered: CliRun;
  cli(command: CliCommand, args: readonly string[]): Promise<CliRun>;
  /** `cli`, throwing with the command's stderr unless it exits 0 (for set-up steps, not for what a test checks). */
  ok(command: CliCommand, args: readonly string[]): Promise<CliRun>;
  cleanup(): Promise<void>;
}

export async function createTinyHome(options: TinyHomeOptions): Promise<TinyHome> {
  const home = await mkdtemp(join(tmpdir(), `editledger-${options.prefix}-`));
  const ckpt = await createTinyCheckpoint({ style: 'llama', seed: 99 });
  const cleanup = async () => {
    await rm(home, { recursive: true, force: true });
    await ckpt.cleanup();
  };
  const env: NodeJS.ProcessEnv = {
    ...options.baseEnv,
    EDITLEDGER_HOME: home,
    EDITLEDGER_BACKEND: 'wasm',
    USER: options.user ?? 'tester',
    ...options.extraEnv,
  };
  const cli = (command: CliCommand, args: readonly string[]) => runCli(command, args, { cwd: process.cwd(), env });
  const ok = async (command: CliCommand, args: readonly string[]) => {
    const run = await cli(command, args);
    if (run.code !== 0) throw new Error(`${command.name} ${args.join(' ')}: exit ${run.code}: ${run.stderr}`);
    return run;
  };
  try {
    const extra = (await options.registerArgs?.(home)) ?? [];
    const registered = await ok(model, ['register', ckpt.dir, ...(options.policy ?? TINY_POLICY), ...extra]);
    return { home, env, checkpointDir: ckpt.dir, registered, cli, ok, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** createTinyHome, removed again when the test ends. */
export async function withTinyHome(
  t: { teardown(fn: () => Promise<void>): void },
  options: TinyHomeOptions,
): Promise<TinyHome> {
  const home = await createTinyHome(options);
  t.teardown(home.cleanup);
  return home;
}

/** An API token of every role, named `<role>-1`. */
export function tokensForEveryRole(home: string): Record<Role, string> {
  const store = TokenStore.open(home);
  return Object.fromEntries(ROLES.map((role) => [role, store.create(`${role}-1`, role, 'test').token])) as Record<
    Role,
    string
  >;
}

/** The correction the single-edit tests teach the tiny model. */
export const TINY_LAND_CAPITAL = {
  factKey: 'tiny-land::capital',
  prompt: 'The capital of Tiny Land is',
  target: 'Paris',
};

/** `edit submit` arguments for one correction. */
export function submitArgs(edit: { factKey: string; prompt: string; target: string; reason: string }): string[] {
  return [
    'submit',
    '--fact-key',
    edit.factKey,
    '--prompt',
    edit.prompt,
    '--target',
    edit.target,
    '--reason',
    edit.reason,
  ];
}

/** The n-th of a family of distinct corrections ("The capital of Land n is" -> "City n"): one edit set per n. */
export function landEdit(n: number, reason: string): string[] {
  return submitArgs({
    factKey: `land-${n}::capital`,
    prompt: `The capital of Land ${n} is`,
    target: `City ${n}`,
    reason,
  });
}
