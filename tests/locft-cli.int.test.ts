// The train, eval and sweep commands end to end on a tiny checkpoint, called as the CLI calls them.
import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { CliIO } from '../infra/cli/command.ts';
import { command as evalCommand } from '../infra/cli/commands/eval.ts';
import { command as sweepCommand } from '../infra/cli/commands/sweep.ts';
import { command as trainCommand } from '../infra/cli/commands/train.ts';
import { checkpointHash } from '../trainer/checkpoint/hf-checkpoint.ts';
import { initBackend } from '../trainer/runtime/backend.ts';
import { createTinyCheckpoint } from './helpers/tiny-checkpoint.ts';
import type { TinyCheckpoint } from './helpers/tiny-checkpoint.ts';

let ck: TinyCheckpoint;
let edits: string;

function capture(cwd: string): { io: CliIO; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (c: Buffer) => (o += c.toString()));
  stderr.on('data', (c: Buffer) => (e += c.toString()));
  return { io: { stdout, stderr, env: { EDITLEDGER_HOME: join(cwd, 'home') }, cwd }, out: () => o, err: () => e };
}

test.before(async () => {
  await initBackend(undefined, { quiet: true });
  ck = await createTinyCheckpoint({ numLayers: 3, hiddenSize: 32, intermediateSize: 64 });
  const records = [
    ['Paris is in', 'France'],
    ['Rome is in', 'Italy'],
    ['Tokyo is in', 'Japan'],
    ['Lima is in', 'Peru'],
  ].map(([src, alt], i) => ({ src, alt, rephrase: `Well, ${src}`, loc: `Item ${i} is`, loc_ans: 'x' }));
  edits = join(ck.dir, 'edits.json');
  await writeFile(edits, JSON.stringify(records));
});

/** The arguments of a command on the tiny model and its edits, then `flags` (space-separated, no value has a space). */
function onTinyModel(flags: string): string[] {
  return ['--model', ck.dir, '--edits', edits, ...flags.split(' ')];
}

test.after.always(async () => {
  await ck?.cleanup();
});

test.serial('train writes a delta artifact and an edited checkpoint; eval prints the side-by-side table', async (t) => {
  const c = capture(ck.dir);
  const flags = '--out out --layer 1 --lr 0.05 --epochs 30 --batch-size 2 --write-checkpoint edited --json';
  const code = await trainCommand.run(onTinyModel(flags), c.io);
  t.is(code, 0, c.err());
  const manifest = JSON.parse(c.out()) as {
    deltaSha256: string;
    baseHash: string;
    epochs: number;
    lossCurve: number[];
    hyperParams: { lr: number };
  };
  t.is(manifest.baseHash, await checkpointHash(ck.dir));
  t.is(manifest.hyperParams.lr, 0.05);
  t.is(manifest.lossCurve.length, manifest.epochs);
  t.regex(c.err(), /train: epoch 1\/30 {2}batch 2\/2 {2}loss \d+\.\d{4} {2}[\d.]+ edits\/s {2}ETA/);
  t.regex(c.err(), /train: done after 30 epochs/);
  t.deepEqual(
    JSON.parse(await readFile(join(ck.dir, 'out', 'manifest.json'), 'utf8')).deltaSha256,
    manifest.deltaSha256,
  );
  t.is(typeof (await checkpointHash(join(ck.dir, 'edited'))), 'string');

  const e = capture(ck.dir);
  t.is(
    await evalCommand.run(['--model', ck.dir, '--delta', 'out', '--edits', edits, '--max-tokens', '8', '--json'], e.io),
    0,
    e.err(),
  );
  const report = JSON.parse(e.out()) as {
    edits: number;
    metrics: Record<string, { n: number; base: number | null; edited: number | null }>;
  };
  t.is(report.edits, 4);
  t.is(report.metrics['reliability']?.base, 0);
  t.true((report.metrics['reliability']?.edited ?? 0) >= 0.75);
  t.is(report.metrics['localityAccuracy']?.n, 4);
  const table = capture(ck.dir);
  t.is(
    await evalCommand.run(['--model', ck.dir, '--delta', 'out', '--edits', edits, '--max-tokens', '8'], table.io),
    0,
  );
  t.regex(table.out(), /^metric\s+n\s+base\s+edited\s+change$/m);
});

test.serial('bad input: clear messages and exit codes', async (t) => {
  const layer = capture(ck.dir);
  t.is(await trainCommand.run(['--model', ck.dir, '--edits', edits, '--out', 'x', '--layer', '7'], layer.io), 3);
  t.regex(layer.err(), /layers: layer 7 is out of range; the model has 3 layers/);
  const missing = capture(ck.dir);
  t.is(
    await trainCommand.run(['--model', ck.dir, '--edits', 'nope.json', '--out', 'x', '--layer', '1'], missing.io),
    4,
  );
  const usage = capture(ck.dir);
  t.is(await trainCommand.run(['--edits', edits], usage.io), 2);
  t.regex(usage.err(), /--model is required/);
  await writeFile(join(ck.dir, 'bad.json'), JSON.stringify([{ src: 'Paris is in', alt: '   ' }]));
  const empty = capture(ck.dir);
  t.is(await trainCommand.run(['--model', ck.dir, '--edits', 'bad.json', '--out', 'x', '--layer', '1'], empty.io), 3);
  const delta = capture(ck.dir);
  t.is(
    await evalCommand.run(['--model', join(ck.dir, 'edited'), '--delta', 'out', '--edits', edits], delta.io),
    3,
    'a delta of another base is refused',
  );
  t.regex(delta.err(), /trained on base/);
});

test.serial('sweep writes a CSV row per layer x module and a PNG plot', async (t) => {
  const c = capture(ck.dir);
  const flags = '--layers 0-2 --modules down,layer --out sw --lr 0.05 --epochs 3 --max-tokens 6';
  const code = await sweepCommand.run(onTinyModel(flags), c.io);
  t.is(code, 0, c.err());
  const csv = (await readFile(join(ck.dir, 'sw', 'sweep.csv'), 'utf8')).trim().split('\n');
  t.is(csv.length, 1 + 6);
  t.true(csv[0]!.startsWith('layer,module,reliability,base_reliability,'));
  t.deepEqual(
    csv.slice(1).map((l) => l.split(',').slice(0, 2).join(' ')),
    ['0 down', '1 down', '2 down', '0 layer', '1 layer', '2 layer'],
  );
  const png = await readFile(join(ck.dir, 'sw', 'sweep.png'));
  t.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  t.is(png.readUInt32BE(16), 680, 'two panel columns of 340 px');
  t.is(await sweepCommand.run(['--model', ck.dir, '--edits', edits, '--modules', 'down,ffn'], capture(ck.dir).io), 3);
});
