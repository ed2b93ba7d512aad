// End to end on a tiny model, with trainers as child processes: two trainers on one ledger at once, SIGKILL during
// training with restarts, and a running trainer following the ledger until SIGTERM (tests/helpers/trainer-consumer-rig.ts).
import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArtifactStore } from '../infra/artifacts/artifact-store.ts';
import { command as edit } from '../infra/cli/commands/edit.ts';
import { command as model } from '../infra/cli/commands/model.ts';
import { type Materialized, TINY_POLICY, edits } from './helpers/trainer-consumer-edits.ts';
import { initTrainerBackend, modelEvents, runChild, setup } from './helpers/trainer-consumer-rig.ts';

test.before(initTrainerBackend);

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
