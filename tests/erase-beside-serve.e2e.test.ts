// `erase` refuses to run beside a live `editledger serve` on the same home (the service caches data-subject keys and
// owns the read model's catch-up), names the service and points at POST /v1/erasures; once the service is gone,
// including one killed without cleaning up, it runs.
import test from 'ava';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { ExitCode } from '../infra/cli/command.ts';
import { command as edit } from '../infra/cli/commands/edit.ts';
import { command as erase } from '../infra/cli/commands/erase.ts';
import { serviceMarkerPath } from '../infra/cli/service-marker.ts';
import { startServe } from './helpers/serve-process.ts';
import { createTinyHome } from './helpers/tiny-home.ts';
import { CAPITAL_FLAGS } from './helpers/trainer-consumer-edits.ts';

test('erase is refused while serve runs on the home, and runs once it stopped or died', async (t) => {
  const tiny = await createTinyHome({ prefix: 'erase-serve' });
  t.teardown(() => tiny.cleanup());
  const { home, cli, ok } = tiny;
  const submitted = await ok(edit, [
    'submit',
    '--json',
    ...CAPITAL_FLAGS,
    '--reason',
    'atlas',
    '--data-subject',
    'customer-77',
  ]);
  const editId = JSON.parse(submitted.stdout).editId as string;
  const eraseArgs = ['--data-subject', 'customer-77', '--reason', 'erasure request'];
  const marker = serviceMarkerPath(home);

  const serve = await startServe(home, ['--no-trainer']);
  t.teardown(async () => void (await serve.stop('SIGKILL')));
  t.is(JSON.parse(readFileSync(marker, 'utf8')).pid, serve.child.pid);
  t.is(statSync(marker).mode & 0o777, 0o600);
  const refused = await cli(erase, eraseArgs);
  t.is(refused.code, ExitCode.conflict, refused.stderr);
  t.regex(refused.stderr, new RegExp(`editledger serve \\(pid ${serve.child.pid}, ${serve.url}\\) runs on this home`));
  t.regex(refused.stderr, /through the service, or stop it first/);
  t.notRegex((await ok(edit, ['show', editId])).stdout, /\[erased\]/, 'nothing was erased');
  t.is(await serve.stop('SIGTERM'), 0);
  t.false(existsSync(marker), 'a service that stops removes its mark');

  // A killed service leaves its mark behind, naming a process that no longer runs: it does not hold the home.
  const killed = await startServe(home, ['--no-trainer']);
  t.teardown(async () => void (await killed.stop('SIGKILL')));
  await killed.stop('SIGKILL');
  t.true(existsSync(marker));
  const erased = await cli(erase, eraseArgs);
  t.is(erased.code, ExitCode.ok, erased.stderr);
  t.regex((await ok(edit, ['show', editId])).stdout, /\[erased\]/);
});
