// Signed checkpoints at every materialized version (the trainer consumer's hook) and `audit verify --version V`:
// the chain up to V, V's signed checkpoint and a bit-identical rebuild of V in one report, on a tiny model.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import Database from 'better-sqlite3';
import { readCheckpointLines, readLedgerCheckpoints, checkpointsFile } from '../infra/audit/checkpoints.ts';
import { generateAuditKey, auditKeyPaths } from '../infra/audit/keys.ts';
import { versionSigner } from '../infra/audit/version-signer.ts';
import type { CliCommand } from '../infra/cli/command.ts';
import { ExitCode } from '../infra/cli/command.ts';
import { command as audit } from '../infra/cli/commands/audit.ts';
import { command as edit } from '../infra/cli/commands/edit.ts';
import { command as materialize } from '../infra/cli/commands/materialize.ts';
import { command as model } from '../infra/cli/commands/model.ts';
import { SqliteEventStore } from '../infra/eventstore/sqlite-event-store.ts';
import type { MaterializeResult } from '../trainer/consumer/materializer.ts';
import { TrainerConsumer } from '../trainer/consumer/trainer-consumer.ts';
import { initBackend } from '../trainer/runtime/backend.ts';
import { runCli } from './helpers/cli-harness.ts';
import { createTinyCheckpoint } from './helpers/tiny-checkpoint.ts';

const root = mkdtempSync(join(tmpdir(), 'editledger-audit-version-'));
test.after.always(() => rmSync(root, { recursive: true, force: true }));
const TINY_POLICY = ['--layer', '1', '--lr', '0.05', '--epochs', '20', '--stop-loss', '0.05', '--seed', '7'];

test('audit: the trainer consumer signs the head after each version it materializes, when a key is present', async (t) => {
  const home = join(root, randomUUID());
  const store = SqliteEventStore.open(join(home, 'ledger.db'));
  t.teardown(() => store.close());
  t.is(versionSigner(home, {}, root, store), undefined, 'no key: no hook, the trainer runs as before');
  generateAuditKey(auditKeyPaths(home, {}, root), false);
  let position = 0;
  const consumer = new TrainerConsumer({
    store,
    materializer: {
      async materialize(options = {}): Promise<MaterializeResult> {
        // Records "the version" as the real materializer would: an event after the edits.
        position = (await store.append('model-x', [{ id: randomUUID(), type: 'V', data: {}, metadata: {} }], 'any'))
          .position;
        return {
          outcome: 'materialized',
          position: options.position ?? 0,
          promoted: false,
          durationMs: 1,
          version: { ordinal: 1 } as MaterializeResult['version'],
        };
      },
    },
    cursor: { load: async () => 0, save: async () => undefined },
    policy: { everyEdits: 1, idleMs: 0 },
    afterVersion: versionSigner(home, {}, root, store),
  });
  const submitted = { id: randomUUID(), type: 'EditSubmitted', data: { any: 1 }, metadata: {} };
  await store.append('fact-a', [submitted], 'any');
  await consumer.runOnce();
  const [signed] = await readLedgerCheckpoints(store);
  t.is(signed?.position, position, 'the head right after the version event');
  t.deepEqual(readCheckpointLines(checkpointsFile(home)).checkpoints, [signed!]);
});

test('audit verify --version: chain, signed checkpoint and bit-identical rebuild in one report; a forged edit fails it', async (t) => {
  await initBackend('wasm', { quiet: true });
  const dir = join(root, randomUUID());
  const home = join(dir, 'home');
  const run = (command: CliCommand, argv: string[]) => runCli(command, [...argv, '--home', home], { cwd: root });
  const ckpt = await createTinyCheckpoint({ style: 'llama', seed: 12 });
  t.teardown(() => ckpt.cleanup());
  t.is((await run(model, ['register', ckpt.dir, ...TINY_POLICY])).code, ExitCode.ok);
  const edit1 = ['submit', '--prompt', 'The capital of Tiny Land is', '--target', 'Paris', '--reason', 'r'];
  t.is((await run(edit, edit1)).code, ExitCode.ok);
  const built = await run(materialize, ['--json']);
  t.is(built.code, ExitCode.ok, built.stderr);
  const { versionId } = JSON.parse(built.stdout) as { versionId: string };
  t.is((await run(audit, ['keygen'])).code, ExitCode.ok);
  t.is((await run(audit, ['checkpoint'])).code, ExitCode.ok);
  const publicKey = join(home, 'keys', 'audit-ed25519.pub.pem');

  const report = await run(audit, ['verify', '--version', versionId, '--public-key', publicKey]);
  t.is(report.code, ExitCode.ok, report.stdout + report.stderr);
  t.regex(report.stdout, /chain: intact/);
  t.regex(report.stdout, /signed checkpoint: position \d+, signed .* by key [0-9a-f]{16}: ok/);
  t.regex(report.stdout, /rebuild: bit-identical/);
  t.regex(report.stdout, /was built from exactly the edits in the ledger/);

  const db = new Database(join(home, 'ledger.db'));
  db.exec(`UPDATE events SET data = replace(data, 'Paris', 'Lyon!') WHERE type = 'EditSubmitted'`);
  db.close();
  const forged = await run(audit, ['verify', '--version', versionId, '--public-key', publicKey, '--json']);
  t.is(forged.code, ExitCode.conflict);
  const parsed = JSON.parse(forged.stdout) as { ok: boolean; chain: { firstProblem?: { what: string } } };
  t.false(parsed.ok);
  t.regex(parsed.chain.firstProblem?.what ?? '', /^modified/);
});
