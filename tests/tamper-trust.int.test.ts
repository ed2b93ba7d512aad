// Issue 12, "nothing derived is trusted": the forgeries an attacker with write access to the home could make are
// refused or repaired, loudly. The CLI runs in-process on a tiny registered model with one materialized version.
import test from 'ava';
import Database from 'better-sqlite3';
import { readdir, readFile, rm, writeFile, cp } from 'node:fs/promises';
import { join } from 'node:path';
import { ExitCode } from '../infra/cli/command.ts';
import { command as edit } from '../infra/cli/commands/edit.ts';
import { command as materialize } from '../infra/cli/commands/materialize.ts';
import { command as verify } from '../infra/cli/commands/verify.ts';
import { command as versions } from '../infra/cli/commands/versions.ts';
import { command as generate } from '../infra/cli/commands/generate.ts';
import { submitArgs, TINY_LAND_CAPITAL, withTinyHome } from './helpers/tiny-home.ts';

async function setup(t: { teardown(fn: () => Promise<void>): void }) {
  const { home, checkpointDir, cli, ok } = await withTinyHome(t, { prefix: 'trust' });
  await ok(edit, submitArgs({ ...TINY_LAND_CAPITAL, reason: 'test' }));
  const built = await cli(materialize, ['--promote', '--reason', 'first', '--json']);
  if (built.code !== 0) throw new Error(built.stderr);
  const version = JSON.parse((await cli(versions, ['--json'])).stdout).versions[0];
  return { home, checkpointDir, cli, version };
}

test("an edit's target changed in ledger.db: verify and materialize refuse, naming the position", async (t) => {
  const { home, cli, version } = await setup(t);
  const db = new Database(join(home, 'ledger.db'));
  const { position } = db.prepare("SELECT position FROM events WHERE type = 'EditSubmitted'").get() as {
    position: number;
  };
  db.exec(`UPDATE events SET data = replace(data, 'Paris', 'Lyon!') WHERE type = 'EditSubmitted'`);
  db.close();
  const verified = await cli(verify, ['--version', version.versionId]);
  t.is(verified.code, ExitCode.conflict);
  t.regex(verified.stderr, new RegExp(`ledger tampered at position ${position}: modified`));
  const built = await cli(materialize, []);
  t.is(built.code, ExitCode.conflict);
  t.regex(built.stderr, new RegExp(`ledger tampered at position ${position}`));
});

test("a target changed in readmodel.db alone: the trainer uses the ledger's edit set, says so, and verify certifies the honest version", async (t) => {
  const { home, cli, version } = await setup(t);
  const db = new Database(join(home, 'readmodel.db'));
  db.exec(`UPDATE edits SET canonical = replace(canonical, 'Paris', 'Lyon!')`);
  db.close();
  const built = await cli(materialize, ['--json']);
  t.is(built.code, 0, built.stderr);
  t.is(JSON.parse(built.stdout).versionId, version.versionId, 'the same (honest) version, not one of the forgery');
  t.regex(await readFile(join(home, 'logs', 'trainer.log'), 'utf8'), /the edit index disagrees with the ledger/);
  const verified = await cli(verify, ['--version', version.versionId]);
  t.is(verified.code, 0, verified.stdout + verified.stderr);
});

test('a forged manifest.json with a re-hashed artifact.json is detected against the ledger and rebuilt', async (t) => {
  const { home, cli, version } = await setup(t);
  const dir = join(home, 'artifacts', 'sha256', version.artifactSha256);
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  manifest.edits = 999;
  const forged = `${JSON.stringify(manifest, null, 2)}\n`;
  await writeFile(join(dir, 'manifest.json'), forged);
  const descriptor = JSON.parse(await readFile(join(dir, 'artifact.json'), 'utf8'));
  const { createHash } = await import('node:crypto');
  descriptor.files['manifest.json'] = createHash('sha256').update(forged).digest('hex');
  await writeFile(join(dir, 'artifact.json'), `${JSON.stringify(descriptor, null, 2)}\n`);

  const generated = await cli(generate, [
    '--version',
    version.versionId,
    '--max-tokens',
    '2',
    'The capital of Tiny Land is',
  ]);
  t.is(generated.code, 0, generated.stderr);
  t.regex(await readFile(join(home, 'logs', 'trainer.log'), 'utf8'), /does not match the ledger's record of its files/);
  const restored = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  t.is(restored.edits, 1, 'the rebuilt manifest replaced the forgery');
  t.true((await readdir(join(home, 'artifacts', 'corrupt'))).length >= 1, 'the forgery is kept aside for inspection');
});

test('checkouts/<version> replaced by the base weights: generate --version serves the version, not the base', async (t) => {
  const { home, checkpointDir, cli, version } = await setup(t);
  const prompt = 'The capital of Tiny Land is';
  const first = await cli(generate, ['--version', version.versionId, '--json', '--max-tokens', '3', prompt]);
  t.is(first.code, 0, first.stderr);
  const checkout = join(home, 'checkouts', version.versionId);
  const marker = await readFile(join(checkout, 'editledger-version.json'));
  await rm(checkout, { recursive: true });
  await cp(checkpointDir, checkout, { recursive: true });
  await writeFile(join(checkout, 'editledger-version.json'), marker); // the attacker keeps the marker
  const base = await cli(generate, ['--model', checkpointDir, '--json', '--max-tokens', '3', prompt]);
  const again = await cli(generate, ['--version', version.versionId, '--json', '--max-tokens', '3', prompt]);
  t.is(again.code, 0, again.stderr);
  t.deepEqual(
    JSON.parse(again.stdout)[0].tokens,
    JSON.parse(first.stdout)[0].tokens,
    'the version, rewritten from its artifact',
  );
  t.notDeepEqual(JSON.parse(base.stdout)[0].tokens, JSON.parse(first.stdout)[0].tokens, 'the base answers otherwise');
});
