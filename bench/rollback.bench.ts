// npm run bench:rollback [-- --base DIR] — what a rollback costs when the target edit set was materialized before
// (hash check of the stored artifact + one ServingVersionChanged) next to rebuilding that version from the base
// (LocFT-BF replay + artifact write), both measured here, in the same process, on the same ledger.
// Target from the trainer issue: a rollback that reuses an artifact takes <= 1 s.
// Default model: models/base when present, else a tiny random checkpoint (then the rebuild column is tiny too).
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { command as edit } from '../infra/cli/commands/edit.ts';
import { command as materialize } from '../infra/cli/commands/materialize.ts';
import { command as model } from '../infra/cli/commands/model.ts';
import { rollback } from '../infra/cli/commands/rollback.ts';
import { renderTable } from '../infra/cli/format.ts';
import { withModels } from '../infra/cli/model-session.ts';
import { createTinyCheckpoint } from '../tests/helpers/tiny-checkpoint.ts';

const argBase = process.argv.indexOf('--base');
const shipped = resolve('models/base');
const baseDir =
  argBase > 0
    ? resolve(process.argv[argBase + 1]!)
    : await stat(join(shipped, 'config.json')).then(
        () => shipped,
        () => undefined,
      );
const tiny = baseDir === undefined ? await createTinyCheckpoint({ style: 'llama' }) : undefined;
const home = await mkdtemp(join(tmpdir(), 'editledger-bench-rollback-'));
const sink = new Writable({ write: (_c, _e, done) => done() });
const io = { stdout: sink, stderr: sink, env: { ...process.env, EDITLEDGER_HOME: home }, cwd: process.cwd() };
const run = async (command: { run(a: readonly string[], io: unknown): Promise<number> }, args: string[]) => {
  const code = await command.run(args, io);
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}`);
};

try {
  await run(model, ['register', baseDir ?? tiny!.dir, '--epochs', '10', ...(tiny ? ['--layer', '1'] : [])]);
  for (let i = 0; i < 8; i++) {
    await run(edit, [
      'submit',
      '--fact-key',
      `bench-${i}::fact`,
      '--prompt',
      `Benchmark fact number ${i} is`,
      '--target',
      `value ${i}`,
      '--reason',
      'bench',
    ]);
    if (i === 3 || i === 7) await run(materialize, []);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const rows = await withModels(
    io,
    home,
    { actor: 'bench', channel: 'bench', progress: false, echoLog: false },
    async (session) => {
      const { versions } = await session.materializer.readModels();
      const [first, second] = versions.versions;
      const reuse: number[] = [];
      for (let i = 0; i < 6; i++) {
        const target = i % 2 === 0 ? first! : second!;
        reuse.push((await rollback(session, { version: target.versionId }, 'bench', 'bench')).seconds * 1000);
      }
      const byPosition: number[] = [];
      for (let i = 0; i < 6; i++)
        byPosition.push(
          (await rollback(session, { position: (i % 2 === 0 ? first! : second!).position }, 'bench', 'bench')).seconds *
            1000,
        );
      const rebuild: number[] = [];
      for (let i = 0; i < 2; i++) {
        const started = performance.now();
        await session.materializer.rebuild(first!);
        rebuild.push(performance.now() - started);
      }
      return [
        ['rollback --to-version (artifact reused)', median(reuse), median(rebuild)],
        ['rollback --to-position (materialized set)', median(byPosition), median(rebuild)],
        ['rebuild the same version (LocFT-BF replay)', median(rebuild), median(rebuild)],
      ] as const;
    },
  );
  process.stdout.write(`model: ${baseDir ?? 'tiny random checkpoint'}; 4 edits in the rolled-back version\n`);
  process.stdout.write(
    renderTable(
      [
        { header: 'operation' },
        { header: 'median ms', align: 'right' },
        { header: 'vs rebuild', align: 'right' },
        { header: 'target <= 1 s', align: 'right' },
      ],
      rows.map(([name, ms, rebuild]) => [
        name,
        ms.toFixed(1),
        `${(ms / rebuild).toFixed(3)}x`,
        name.startsWith('rollback') ? (ms <= 1000 ? 'yes' : 'NO') : '',
      ]),
    ),
  );
} finally {
  await rm(home, { recursive: true, force: true });
  await tiny?.cleanup();
}
