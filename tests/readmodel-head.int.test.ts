// Issue 12, "nothing derived is trusted": the edit index records the ledger head it was built from (position and
// chain hash). A ledger replaced under it with the same first event and length but another event at the head (a
// restored backup, another copy) is detected by its chain link and the index is rebuilt from the ledger.
import test from 'ava';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { command as edit } from '../infra/cli/commands/edit.ts';
import { runCli } from './helpers/cli-harness.ts';

function submit(home: string, subject: string, target: string) {
  return runCli(
    edit,
    [
      'submit',
      '--subject',
      subject,
      '--relation',
      'capital',
      '--prompt',
      `The capital of ${subject} is`,
      '--target',
      target,
      '--reason',
      'test',
    ],
    { cwd: process.cwd(), env: { EDITLEDGER_HOME: home, USER: 'tester' } },
  );
}

async function listedTargets(home: string): Promise<{ targets: string[]; stderr: string }> {
  const run = await runCli(edit, ['list', '--json'], {
    cwd: process.cwd(),
    env: { EDITLEDGER_HOME: home, USER: 'tester' },
  });
  const targets = (JSON.parse(run.stdout) as { edits: Array<{ target: string }> }).edits.map((e) => e.target).sort();
  return { targets, stderr: run.stderr };
}

test('a ledger replaced under the edit index (same first event and length, another head) is detected and the index rebuilt', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'editledger-head-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const [home, other] = [join(root, 'home'), join(root, 'other')];
  t.is((await submit(home, 'Aland', 'Alpha')).code, 0);
  await cp(home, other, { recursive: true });
  t.is((await submit(home, 'Boland', 'Bravo')).code, 0);
  t.deepEqual((await listedTargets(home)).targets, ['Alpha', 'Bravo']);
  t.is((await submit(other, 'Coland', 'Charlie')).code, 0);

  // The other copy's ledger (and the keys its events are sealed with) replace this home's; the index stays.
  for (const file of ['ledger.db', 'ledger.db-wal', 'ledger.db-shm']) {
    await rm(join(home, file), { force: true });
    if (existsSync(join(other, file))) await cp(join(other, file), join(home, file));
  }
  await rm(join(home, 'keys'), { recursive: true, force: true });
  await cp(join(other, 'keys'), join(home, 'keys'), { recursive: true });

  const after = await listedTargets(home);
  t.deepEqual(after.targets, ['Alpha', 'Charlie'], 'the edit set of the ledger that is there, not the stale index');
  t.regex(after.stderr, /no longer the one there \(its chain link differs\): rebuilding/);
});
