// What the trainer-consumer end-to-end tests share: a home with a tiny registered checkpoint and in-process or child
// CLI runs over it (setup), and reading back answers and the model stream. What they submit: trainer-consumer-edits.ts.
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Readable } from 'node:stream';
import { MODEL_STREAM } from '../../domain/model-lifecycle.ts';
import type { CliCommand, CliIO } from '../../infra/cli/command.ts';
import { SealingEventStore } from '../../infra/eventstore/sealing-event-store.ts';
import { SqliteEventStore } from '../../infra/eventstore/sqlite-event-store.ts';
import { dataSubjectKeysPath, SqliteDataSubjectKeys } from '../../infra/keys/data-subject-key-store.ts';
import { generate } from '../../trainer/generate.ts';
import { loadLlamaModel } from '../../trainer/model/llama.ts';
import { initBackend } from '../../trainer/runtime/backend.ts';
import { loadHfTokenizer } from '../../trainer/tokenizer/hf-tokenizer.ts';
import { createTinyCheckpoint } from './tiny-checkpoint.ts';

export const BACKEND = 'wasm';
/** For test.before: the fixed backend, so the bit-identity checks compare like with like. */
export async function initTrainerBackend(): Promise<void> {
  await initBackend(BACKEND, { quiet: true });
}

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function capture(): { stream: Writable; text: () => string } {
  let text = '';
  return {
    stream: new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) }),
    text: () => text,
  };
}

export async function setup(t: { teardown(fn: () => Promise<void>): void }) {
  const home = await mkdtemp(join(tmpdir(), 'editledger-e2e-'));
  const ckpt = await createTinyCheckpoint({ style: 'llama', seed: 99 });
  t.teardown(async () => {
    await rm(home, { recursive: true, force: true });
    await ckpt.cleanup();
  });
  const env = { ...process.env, EDITLEDGER_HOME: home, EDITLEDGER_BACKEND: BACKEND, EDITLEDGER_ACTOR: 'tester' };
  const io = (): { io: CliIO; out: () => string; err: () => string } => {
    const out = capture();
    const err = capture();
    return { io: { stdout: out.stream, stderr: err.stream, env, cwd: process.cwd() }, out: out.text, err: err.text };
  };
  const cli = async (command: CliCommand, args: readonly string[]): Promise<Run> => {
    const { io: streams, out, err } = io();
    const code = await command.run(args, streams);
    return { code, stdout: out(), stderr: err() };
  };
  const json = async <T>(command: CliCommand, args: readonly string[]): Promise<T> => {
    const run = await cli(command, [...args, '--json']);
    if (run.code !== 0) throw new Error(`${command.name} ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
    return JSON.parse(run.stdout) as T;
  };
  const child = (args: readonly string[]) =>
    spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/model-cli-child.ts', ...args], {
      env,
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  return { home, ckpt, env, cli, json, child, io };
}

export async function answer(dir: string, prompt: string): Promise<string> {
  const [modelInstance, tokenizer] = [await loadLlamaModel(dir), await loadHfTokenizer(dir)];
  try {
    return (await generate(modelInstance, tokenizer, [prompt], { maxNewTokens: 8, stop: ['.', '\n'] }))[0]!.text;
  } finally {
    modelInstance.dispose();
  }
}

/** The model stream as the application reads it (actors and reasons are stored sealed). */
export async function modelEvents(home: string) {
  const keys = SqliteDataSubjectKeys.open(dataSubjectKeysPath(home), { readOnly: true });
  const store = new SealingEventStore(SqliteEventStore.open(join(home, 'ledger.db')), keys);
  try {
    return await store.readStream(MODEL_STREAM);
  } finally {
    await store.close();
    keys.close();
  }
}

export function runChild(
  child: ChildProcessByStdio<null, Readable, Readable>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code: number | null) => resolve({ code, stdout, stderr }));
  });
}
