// End to end on a tiny model: edits in the ledger -> trainer -> model versions, rollback, rebuild, crash safety.
// Commands run in-process (command.run with captured streams) or as child processes (to kill them, or to run two
// trainers against one ledger at once). Every test has its own home folder; the backend is fixed (wasm) so the
// bit-identity checks compare like with like.
import test from 'ava';
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Readable } from 'node:stream';
import { MODEL_STREAM } from '../domain/model-lifecycle.ts';
import { ArtifactStore } from '../infra/artifacts/artifact-store.ts';
import type { CliCommand, CliIO } from '../infra/cli/command.ts';
import { command as diff } from '../infra/cli/commands/diff.ts';
import { command as edit } from '../infra/cli/commands/edit.ts';
import { command as generateCommand } from '../infra/cli/commands/generate.ts';
import { command as materialize } from '../infra/cli/commands/materialize.ts';
import { command as model } from '../infra/cli/commands/model.ts';
import { command as promote } from '../infra/cli/commands/promote.ts';
import { command as rollback } from '../infra/cli/commands/rollback.ts';
import { command as verify } from '../infra/cli/commands/verify.ts';
import { command as versions } from '../infra/cli/commands/versions.ts';
import { resolveVersionCheckpoint } from '../infra/cli/model-session.ts';
import { SealingEventStore } from '../infra/eventstore/sealing-event-store.ts';
import { SqliteEventStore } from '../infra/eventstore/sqlite-event-store.ts';
import { dataSubjectKeysPath, SqliteDataSubjectKeys } from '../infra/keys/data-subject-key-store.ts';
import { exactMatch } from '../trainer/eval/normalize.ts';
import { generate } from '../trainer/generate.ts';
import { loadLlamaModel } from '../trainer/model/llama.ts';
import { initBackend } from '../trainer/runtime/backend.ts';
import { loadHfTokenizer } from '../trainer/tokenizer/hf-tokenizer.ts';
import { createTinyCheckpoint } from './helpers/tiny-checkpoint.ts';

const BACKEND = 'wasm';
// Tiny random models need a bolder step than the paper's 5e-4 to learn a fact within a few dozen epochs.
const TINY_POLICY = ['--layer', '1', '--lr', '0.05', '--epochs', '40', '--stop-loss', '0.02', '--seed', '7'];

test.before(async () => {
  await initBackend(BACKEND, { quiet: true });
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  return {
    stream: new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) }),
    text: () => text,
  };
}

async function setup(t: { teardown(fn: () => Promise<void>): void }) {
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

const edits = {
  capital: [
    '--fact-key',
    'tiny-land::capital',
    '--prompt',
    'The capital of Tiny Land is',
    '--target',
    'Paris',
    '--rephrase',
    'Tiny Land has its capital in',
    '--locality',
    'The weather is',
  ],
  ceo: [
    '--fact-key',
    'acme::ceo',
    '--prompt',
    'The CEO of Acme is',
    '--target',
    'Jane Roe',
    '--locality',
    'The river flows to',
  ],
  river: ['--fact-key', 'blue-river::mouth', '--prompt', 'The Blue River flows into', '--target', 'the sea'],
};

interface Materialized {
  readonly outcome: string;
  readonly versionId: string;
  readonly ordinal: number;
  readonly edits: number;
  readonly metrics: Record<string, number>;
}

async function answer(dir: string, prompt: string): Promise<string> {
  const [modelInstance, tokenizer] = [await loadLlamaModel(dir), await loadHfTokenizer(dir)];
  try {
    return (await generate(modelInstance, tokenizer, [prompt], { maxNewTokens: 8, stop: ['.', '\n'] }))[0]!.text;
  } finally {
    modelInstance.dispose();
  }
}

/** The model stream as the application reads it (actors and reasons are stored sealed). */
async function modelEvents(home: string) {
  const keys = SqliteDataSubjectKeys.open(dataSubjectKeysPath(home), { readOnly: true });
  const store = new SealingEventStore(SqliteEventStore.open(join(home, 'ledger.db')), keys);
  try {
    return await store.readStream(MODEL_STREAM);
  } finally {
    await store.close();
    keys.close();
  }
}

test('submit -> materialize answers the edit; retract -> the earlier version id comes back; verify rebuilds bit-identically; rollback reuses', async (t) => {
  const { home, ckpt, cli, json, io } = await setup(t);
  t.is((await cli(model, ['register', ckpt.dir, ...TINY_POLICY])).code, 0);

  const capital = await json<{ editId: string }>(edit, ['submit', ...edits.capital, '--reason', 'new capital']);
  const v1 = await json<Materialized>(materialize, ['--promote']);
  t.is(v1.outcome, 'materialized');
  t.is(v1.edits, 1);
  t.is(v1.metrics['reliability'], 1);
  const v1Dir = (await resolveVersionCheckpoint(io().io, home, v1.versionId)).dir;
  t.true(exactMatch(await answer(v1Dir, 'The capital of Tiny Land is'), 'Paris'));
  t.false(
    exactMatch(await answer(ckpt.dir, 'The capital of Tiny Land is'), 'Paris'),
    'the base model does not know the edit',
  );

  const ceo = await json<{ editId: string }>(edit, ['submit', ...edits.ceo, '--reason', 'board vote']);
  const v2 = await json<Materialized>(materialize, []);
  t.is(v2.outcome, 'materialized');
  t.is(v2.edits, 2);
  const v2Dir = (await resolveVersionCheckpoint(io().io, home, v2.versionId)).dir;
  t.true(exactMatch(await answer(v2Dir, 'The CEO of Acme is'), 'Jane Roe'));
  const viaCli = await json<Array<{ completion: string }>>(generateCommand, [
    '--home',
    home,
    '--version',
    '#2',
    '--max-tokens',
    '8',
    '--stop',
    '.',
    'The CEO of Acme is',
  ]);
  t.true(exactMatch(viaCli[0]!.completion, 'Jane Roe'), 'generate --version answers with that version');

  t.is((await cli(edit, ['retract', ceo.editId, '--reason', 'vote annulled'])).code, 0);
  const again = await cli(edit, ['retract', ceo.editId, '--reason', 'twice']);
  t.is(again.code, 3, 'retracting twice is a clear error');
  t.regex(again.stderr, /already retracted/);
  const back = await json<Materialized>(materialize, []);
  t.is(back.outcome, 'existing');
  t.is(back.versionId, v1.versionId, 'the edit set equals the first one again: same version id');
  t.false(exactMatch(await answer(v1Dir, 'The CEO of Acme is'), 'Jane Roe'), 'the retracted edit is gone');

  const listed = await json<{ versions: Array<{ versionId: string }>; serving: string }>(versions, []);
  t.deepEqual(
    listed.versions.map((v) => v.versionId),
    [v1.versionId, v2.versionId],
  );
  t.is(listed.serving, v1.versionId);
  const table = await cli(versions, []);
  t.regex(table.stdout, /Reliability\s+Generalization\s+Locality\s+Capability/);

  const changes = await json<{ added: Array<{ editId: string }>; removed: unknown[] }>(diff, ['#1', '#2']);
  t.deepEqual(
    changes.added.map((e) => e.editId),
    [ceo.editId],
  );
  t.deepEqual(changes.removed, []);

  const verified = await json<{ identical: boolean; differences: string[]; storedArtifact: string }>(verify, [
    '--version',
    v2.versionId.slice(0, 10),
  ]);
  t.true(verified.identical);
  t.deepEqual(verified.differences, []);
  t.is(verified.storedArtifact, 'intact');

  const rolled = await json<{ versionId: string; reused: boolean; changed: boolean }>(rollback, [
    '--to-version',
    '#2',
    '--reason',
    'compare',
  ]);
  t.deepEqual([rolled.versionId, rolled.reused, rolled.changed], [v2.versionId, true, true]);
  const history = (await modelEvents(home))
    .filter((e) => e.type === 'ServingVersionChanged')
    .map((e) => (e.data as { reason: string }).reason);
  t.is(history.at(-1), 'compare');
  t.truthy(capital.editId);
});

test('a corrupted artifact is detected on load and rebuilt bit-identically from the ledger', async (t) => {
  const { home, ckpt, cli, json } = await setup(t);
  await cli(model, ['register', ckpt.dir, ...TINY_POLICY]);
  await json(edit, ['submit', ...edits.river, '--reason', 'survey']);
  const v1 = await json<Materialized & { artifactSha256: string }>(materialize, []);
  const file = join(home, 'artifacts', 'sha256', v1.artifactSha256, 'delta.safetensors');
  const bytes = await readFile(file);
  bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0x55;
  await writeFile(file, bytes);
  const store = await ArtifactStore.open(join(home, 'artifacts'));
  t.false((await store.verify(v1.artifactSha256)).ok, 'corruption is detected');

  const promoted = await json<{ artifactRebuilt: boolean; changed: boolean }>(promote, ['#1', '--reason', 'serve it']);
  t.true(promoted.artifactRebuilt);
  t.true((await store.verify(v1.artifactSha256)).ok, 'rebuilt with the recorded sha256');
  t.is((await readdir(join(home, 'artifacts', 'corrupt'))).length, 1, 'the damaged copy was moved aside');
});

function runChild(
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

test('two trainers materializing the same edit set at once record one version', async (t) => {
  const { home, ckpt, cli, json, child } = await setup(t);
  await cli(model, ['register', ckpt.dir, ...TINY_POLICY]);
  await json(edit, ['submit', ...edits.capital, '--reason', 'r']);
  await json(edit, ['submit', ...edits.ceo, '--reason', 'r']);
  const results = await Promise.all([
    runChild(child(['materialize', '--json'])),
    runChild(child(['materialize', '--json'])),
  ]);
  for (const r of results) t.is(r.code, 0, r.stderr);
  const outcomes = results.map((r) => (JSON.parse(r.stdout) as Materialized).outcome).sort();
  t.true(
    outcomes.includes('materialized') && outcomes.every((o) => o === 'materialized' || o === 'existing'),
    outcomes.join(),
  );
  t.is(new Set(results.map((r) => (JSON.parse(r.stdout) as Materialized).versionId)).size, 1);
  const recorded = (await modelEvents(home)).filter((e) => e.type === 'ModelVersionMaterialized');
  t.is(recorded.length, 1, 'exactly one ModelVersionMaterialized');
  const stored = await (await ArtifactStore.open(join(home, 'artifacts'))).list();
  t.is(stored.length, 2, 'the base and ONE delta: both processes trained the same bytes');
});

test('SIGKILL during training, several rounds: after restarts exactly one version per distinct edit set, no partial artifact', async (t) => {
  const { home, ckpt, cli, json, child } = await setup(t);
  // Many epochs and an unreachable stop loss, so training lasts long enough to be killed in the middle.
  // (On the host step engine 400 epochs of a tiny model take well under a second; 8,000 leave a wide window.)
  await cli(model, [
    'register',
    ckpt.dir,
    '--layer',
    '1',
    '--lr',
    '0.05',
    '--epochs',
    '8000',
    '--stop-loss',
    '0.000001',
  ]);
  const rounds = [edits.capital, edits.ceo, edits.river];
  let killedInTraining = 0;
  for (const [i, flagsOfEdit] of rounds.entries()) {
    await json(edit, ['submit', ...flagsOfEdit, '--reason', `round ${i}`]);
    const proc = child(['trainer', '--once']);
    const done = runChild(proc);
    await new Promise<void>((resolve) => {
      const onData = (d: Buffer) => {
        if (!d.toString().includes('training')) return;
        proc.stderr.off('data', onData);
        setTimeout(
          () => {
            if (proc.exitCode === null) {
              proc.kill('SIGKILL');
              killedInTraining++;
            }
            resolve();
          },
          100 + Math.floor(Math.random() * 400),
        );
      };
      proc.stderr.on('data', onData);
      proc.on('exit', () => resolve());
    });
    await done;
    if (i === 1) {
      // Let one round finish, so later rounds resume after a recorded version.
      const finished = await runChild(child(['trainer', '--once']));
      t.is(finished.code, 0, finished.stderr);
    }
  }
  t.true(killedInTraining >= 2, `killed ${killedInTraining} trainers mid-training`);
  const final = await runChild(child(['trainer', '--once']));
  t.is(final.code, 0, final.stderr);
  const again = await runChild(child(['trainer', '--once']));
  t.regex(again.stderr, /nothing to materialize/);

  const recorded = (await modelEvents(home))
    .filter((e) => e.type === 'ModelVersionMaterialized')
    .map((e) => e.data as { editSetHash: string; versionId: string; artifactSha256: string; editIds: string[] });
  t.is(new Set(recorded.map((v) => v.editSetHash)).size, recorded.length, 'one version per distinct edit set');
  t.deepEqual(
    recorded.map((v) => v.editIds.length),
    [2, 3],
  );
  const store = await ArtifactStore.open(join(home, 'artifacts'));
  for (const v of recorded) t.true((await store.verify(v.artifactSha256)).ok);
  t.deepEqual(await readdir(join(home, 'artifacts', 'tmp')), [], 'no half-written artifact is left');
});

test('a running trainer follows the ledger: a new edit is materialized after the idle time and served; SIGTERM stops it cleanly', async (t) => {
  const { home, ckpt, cli, json, child } = await setup(t);
  await cli(model, ['register', ckpt.dir, ...TINY_POLICY]);
  const proc = child(['trainer', '--every', '50', '--idle', '0.5']);
  const done = runChild(proc);
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const waitFor = async (pattern: RegExp) => {
    const end = Date.now() + 60_000;
    while (!pattern.test(stderr) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    return pattern.test(stderr);
  };
  t.true(await waitFor(/trainer "default" running/), stderr);
  await json(edit, ['submit', ...edits.capital, '--reason', 'live']);
  t.true(await waitFor(/serving version/), stderr);
  proc.kill('SIGTERM');
  const exit = await done;
  t.is(exit.code, 0, exit.stderr);
  const events = await modelEvents(home);
  t.deepEqual(
    events.filter((e) => e.type !== 'BaseModelRegistered' && e.type !== 'TrainingPolicyRegistered').map((e) => e.type),
    ['ModelVersionMaterialized', 'ServingVersionChanged'],
  );
  const checkpoint = JSON.parse(await readFile(join(home, 'trainer', 'default.checkpoint.json'), 'utf8')) as {
    position: number;
  };
  t.true(checkpoint.position > 0);
});

test('retracting every edit materializes the base itself; submitting the same correction again (new upstream id) brings back the same version and artifact', async (t) => {
  const { home, ckpt, cli, json, io } = await setup(t);
  await cli(model, ['register', ckpt.dir, ...TINY_POLICY]);
  const submitted = await json<{ editId: string }>(edit, [
    'submit',
    ...edits.river,
    '--source-ref',
    'survey-1',
    '--reason',
    'survey',
  ]);
  const first = await json<Materialized & { artifactSha256: string }>(materialize, []);
  t.is((await cli(edit, ['retract', submitted.editId, '--reason', 'wrong survey'])).code, 0);
  const empty = await json<Materialized>(materialize, []);
  t.is(empty.outcome, 'materialized');
  t.is(empty.edits, 0);
  const { readHfCheckpoint } = await import('../trainer/checkpoint/hf-checkpoint.ts');
  const dir = (await resolveVersionCheckpoint(io().io, home, empty.versionId)).dir;
  const [checkedOut, base] = [await readHfCheckpoint(dir), await readHfCheckpoint(ckpt.dir)];
  for (const [name, tensor] of base.tensors)
    t.deepEqual(Buffer.from(checkedOut.tensors.get(name)!.data.buffer), Buffer.from(tensor.data.buffer), name);

  const again = await json<{ editId: string }>(edit, [
    'submit',
    ...edits.river,
    '--source-ref',
    'survey-2',
    '--reason',
    'survey confirmed',
  ]);
  t.not(again.editId, submitted.editId, 'a new upstream id is a new edit');
  const back = await json<Materialized & { artifactSha256: string }>(materialize, []);
  t.deepEqual([back.outcome, back.versionId, back.artifactSha256], ['existing', first.versionId, first.artifactSha256]);
});
