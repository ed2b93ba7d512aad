// End to end on a tiny model: edits in the ledger -> trainer -> model versions, rollback, rebuild, crash safety.
// Commands run in-process (command.run with captured streams) or as child processes (to kill them, or to run two
// trainers against one ledger at once). Every test has its own home folder; the backend is fixed (wasm) so the
// bit-identity checks compare like with like.
import test from 'ava';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArtifactStore } from '../infra/artifacts/artifact-store.ts';
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
import { exactMatch } from '../trainer/eval/normalize.ts';
import { type Materialized, TINY_POLICY, edits } from './helpers/trainer-consumer-edits.ts';
import { answer, initTrainerBackend, modelEvents, setup } from './helpers/trainer-consumer-rig.ts';

test.before(initTrainerBackend);

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
