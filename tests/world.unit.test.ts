// The synthetic world: its rng, the world itself, the templates, the folder it is written to and the build script.
// The corpus built from it (hold-out and edits) is tested in world-corpus.unit.test.ts.
import { createHash } from 'node:crypto';
import { appendFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { parseDataset } from '../domain/dataset-formats.ts';
import { buildWorldCli } from '../scripts/build-world.ts';
import { buildCorpus } from '../trainer/basemodel/corpus.ts';
import { createRng, Rng } from '../trainer/basemodel/rng.ts';
import {
  CHAIN_TEMPLATES,
  RELATION_TEMPLATES,
  renderPrompt,
  renderSequence,
  SUBJECT_SLOT,
} from '../trainer/basemodel/templates.ts';
import { buildWorld, MANIFEST_FILE, measureWorld, writeWorldFolder } from '../trainer/basemodel/world-folder.ts';
import { readWorldFolder } from '../trainer/basemodel/world-reader.ts';
import {
  CHAIN_IDS,
  generateWorld,
  RELATION_IDS,
  RELATIONS,
  TWO_HOP_CHAINS,
  WORLD_PRESETS,
} from '../trainer/basemodel/world.ts';
import { smallWorld } from './helpers/world-fixtures.ts';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'editledger-world-'));
}

// ---------------------------------------------------------------------------------------------------------------
// rng

test('rng: xoshiro128** matches the reference output for state [1, 2, 3, 4]', (t) => {
  const rng = new Rng(0, [1, 2, 3, 4]);
  const out = Array.from({ length: 6 }, () => rng.nextU32());
  t.deepEqual(out, [11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
});

test('rng: same seed gives the same stream, other seeds and string seeds differ', (t) => {
  const draw = (seed: number | string) => {
    const r = createRng(seed);
    return Array.from({ length: 8 }, () => r.nextU32());
  };
  t.deepEqual(draw(42), draw(42));
  t.notDeepEqual(draw(42), draw(43));
  t.notDeepEqual(draw(42), draw('42'));
  t.notDeepEqual(draw(2 ** 53 - 1), draw(2 ** 53 - 2));
  t.throws(() => createRng(-1), { message: /seed/ });
  t.throws(() => createRng(1.5), { message: /seed/ });
});

test('rng: fork depends on the seed and label, not on how much the parent consumed', (t) => {
  const a = createRng(5);
  const b = createRng(5);
  for (let i = 0; i < 100; i++) b.nextU32();
  t.is(a.fork('x').nextU32(), b.fork('x').nextU32());
  t.not(a.fork('x').nextU32(), a.fork('y').nextU32());
});

test('rng: int stays in range and covers it; shuffle permutes; sample is distinct; pick throws on empty', (t) => {
  const rng = createRng(9);
  const seen = new Array<number>(7).fill(0);
  for (let i = 0; i < 7000; i++) {
    const v = rng.int(7);
    t.true(v >= 0 && v < 7);
    seen[v] = (seen[v] as number) + 1;
  }
  for (const c of seen) t.true(c > 800 && c < 1200, `bucket count ${c}`);
  const items = Array.from({ length: 50 }, (_, i) => i);
  const shuffled = rng.shuffled(items);
  t.notDeepEqual(shuffled, items);
  t.deepEqual(
    [...shuffled].sort((x, y) => x - y),
    items,
  );
  const sample = rng.sample(items, 20);
  t.is(new Set(sample).size, 20);
  for (let i = 0; i < 1000; i++) {
    const f = rng.float();
    t.true(f >= 0 && f < 1);
  }
  t.throws(() => rng.pick([]), { message: /empty/ });
  t.throws(() => rng.int(0), { message: /maxExclusive/ });
});

// ---------------------------------------------------------------------------------------------------------------
// world

test('world: sizes follow the config, names are unique, relations are typed and functional', (t) => {
  const w = smallWorld;
  const cfg = WORLD_PRESETS.small;
  const count = (type: string) => w.entities.filter((e) => e.type === type).length;
  t.is(count('country'), cfg.countries);
  t.is(count('city'), cfg.countries * cfg.citiesPerCountry);
  t.is(count('organisation'), cfg.organisations);
  t.is(count('person'), cfg.people);
  const names = w.entities.map((e) => e.name.toLowerCase());
  t.is(new Set(names).size, names.length, 'entity names are unique (case-insensitively)');
  for (const e of w.entities) t.regex(e.name, /^[A-Z][a-z]+( [A-Z][a-z]+)?$/, e.name);
  t.true(RELATION_IDS.length >= 6);
  const seen = new Set<string>();
  for (const f of w.facts) {
    const spec = RELATIONS[f.relation];
    t.is(w.entities[f.subject]?.type, spec.subject);
    t.is(w.entities[f.object]?.type, spec.object);
    const key = `${f.subject}:${f.relation}`;
    t.false(seen.has(key), `one object per subject and relation: ${key}`);
    seen.add(key);
  }
  // Structural consistency: capitals lie in their country, CEOs work for their organisation.
  const obj = (s: number, r: string) => w.facts.find((f) => f.subject === s && f.relation === r)?.object;
  for (const f of w.facts) {
    if (f.relation === 'capital') t.is(obj(f.object, 'located_in'), f.subject);
    if (f.relation === 'ceo') t.is(obj(f.object, 'works_for'), f.subject);
  }
});

test('world: every two-hop chain connects (person -> city -> country and the others)', (t) => {
  const w = smallWorld;
  const obj = new Map(w.facts.map((f) => [`${f.subject}:${f.relation}`, f.object]));
  for (const chain of CHAIN_IDS) {
    const { first, second } = TWO_HOP_CHAINS[chain];
    t.is(RELATIONS[first].object, RELATIONS[second].subject, `${chain} hops must meet`);
    const subjects = w.facts.filter((f) => f.relation === first);
    t.true(subjects.length > 0);
    for (const f of subjects) t.not(obj.get(`${f.object}:${second}`), undefined, `${chain} from ${f.subject}`);
  }
});

test('world: config errors name the field', (t) => {
  t.throws(() => generateWorld({ seed: 1, countries: 3, citiesPerCountry: 2, organisations: 10, people: 5 }), {
    message: /people.*organisations/,
  });
  t.throws(() => generateWorld({ seed: 1, countries: 1, citiesPerCountry: 2, organisations: 1, people: 5 }), {
    message: /countries/,
  });
  t.throws(() => buildCorpus(generateWorld({ seed: 1, ...WORLD_PRESETS.tiny }), { edits: 10_000 }), {
    message: /edits/,
  });
});

// ---------------------------------------------------------------------------------------------------------------
// templates

test('templates: at least 6 per relation, subject slot once, distinct, prompt + target = sequence', (t) => {
  for (const relation of RELATION_IDS) {
    const list = RELATION_TEMPLATES[relation];
    t.true(list.length >= 6, relation);
    t.is(new Set(list).size, list.length, `${relation} templates are distinct`);
    for (const tpl of list) t.is(tpl.split(SUBJECT_SLOT).length, 2, tpl);
  }
  for (const chain of CHAIN_IDS) t.true(CHAIN_TEMPLATES[chain].length >= 2, chain);
  t.is(renderPrompt('{s} was born in', 'Ilva Maro'), 'Ilva Maro was born in');
  t.is(renderSequence('{s} was born in', 'Ilva Maro', 'Tessik'), 'Ilva Maro was born in Tessik');
  t.throws(() => renderPrompt('no slot', 'x'), { message: /exactly once/ });
});

// ---------------------------------------------------------------------------------------------------------------
// folder

test('folder: same seed -> same bytes and matching manifest hashes; edits.json imports as CounterFact', async (t) => {
  const options = { world: { seed: 11, ...WORLD_PRESETS.tiny }, corpus: { edits: 40 }, tokenizer: { vocabSize: 400 } };
  const [a, b] = [await tempDir(), await tempDir()];
  try {
    const manifestA = await writeWorldFolder(a, options);
    await writeWorldFolder(b, options);
    const names = (await readdir(a)).sort();
    t.deepEqual(names, (await readdir(b)).sort());
    t.true(names.includes(MANIFEST_FILE));
    for (const name of names) t.true((await readFile(join(a, name))).equals(await readFile(join(b, name))), name);
    t.is(manifestA.files.length, names.length - 1);
    for (const f of manifestA.files) {
      const data = await readFile(join(a, f.name));
      t.is(sha256(data), f.sha256, f.name);
      t.is(data.length, f.bytes);
    }
    t.is(manifestA.seed, 11);
    t.is(manifestA.sizes.edits, 40);
    const parsed = parseDataset(await readFile(join(a, 'edits.json'), 'utf8'));
    t.is(parsed.format, 'counterfact');
    t.is(parsed.requests.length, 40);
    const pretrain = (await readFile(join(a, 'pretrain.txt'), 'utf8')).split('\n');
    t.is(pretrain.pop(), '', 'file ends with a newline');
    t.is(pretrain.length, manifestA.sizes.pretrainSequences);
  } finally {
    await rm(a, { recursive: true, force: true });
    await rm(b, { recursive: true, force: true });
  }
});

test('folder: a different seed gives a different world and different files', (t) => {
  const one = buildWorld({
    world: { seed: 11, ...WORLD_PRESETS.tiny },
    corpus: { edits: 20 },
    tokenizer: { vocabSize: 400 },
  });
  const two = buildWorld({
    world: { seed: 12, ...WORLD_PRESETS.tiny },
    corpus: { edits: 20 },
    tokenizer: { vocabSize: 400 },
  });
  t.notDeepEqual(
    one.world.entities.map((e) => e.name),
    two.world.entities.map((e) => e.name),
  );
  t.notDeepEqual(one.corpus.pretrain, two.corpus.pretrain);
  t.notDeepEqual(one.corpus.edits, two.corpus.edits);
});

test('default preset: corpus within the pretraining budget (<= 3M tokens per epoch)', (t) => {
  const built = buildWorld({ world: { seed: 1, ...WORLD_PRESETS.default } });
  const sizes = measureWorld(built);
  t.log(
    `default world: ${sizes.entities} entities, ${sizes.facts} facts, ${sizes.pretrainSequences} sequences, ${sizes.pretrainTokensWithBosEos} tokens, ${sizes.charsPerToken} chars/token`,
  );
  t.true(sizes.entities >= 300 && sizes.entities <= 5000);
  t.true(sizes.pretrainTokensWithBosEos <= 3_000_000);
  t.is(sizes.edits, 1000);
  t.is(sizes.vocabSize, 2048);
});

test('folder: readWorldFolder returns what was built and refuses a file that no longer matches the manifest', async (t) => {
  const dir = await tempDir();
  try {
    const options = { world: { seed: 5, ...WORLD_PRESETS.tiny }, corpus: { edits: 30 }, tokenizer: { vocabSize: 350 } };
    await writeWorldFolder(dir, options);
    const built = buildWorld(options);
    const read = await readWorldFolder(dir);
    t.deepEqual(read.pretrain, built.corpus.pretrain);
    t.deepEqual(read.heldout, built.corpus.heldout);
    t.deepEqual(read.edits, built.corpus.edits);
    t.deepEqual(read.unedited, built.corpus.unedited);
    t.deepEqual(read.recall, built.corpus.recall);
    t.deepEqual(read.tokenizer, built.tokenizer);
    await appendFile(join(dir, 'edits.json'), ' ');
    await t.throwsAsync(readWorldFolder(dir), { message: /edits\.json: content does not match manifest\.json/ });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('build:world script: writes the folder given by --out, reports progress, rejects a bad preset', async (t) => {
  const dir = await tempDir();
  try {
    const stderr = new PassThrough();
    let log = '';
    stderr.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
    const manifest = await buildWorldCli(
      ['--out', 'w', '--preset', 'tiny', '--seed', '9', '--edits', '25', '--vocab-size', '300'],
      stderr,
      dir,
    );
    t.is(manifest.seed, 9);
    t.is(manifest.sizes.edits, 25);
    t.is(manifest.sizes.vocabSize, 300);
    t.regex(log, /training tokenizer/);
    t.regex(log, /wrote .*w: \d+ entities/);
    t.true((await readdir(join(dir, 'w'))).includes('edits.json'));
    await t.throwsAsync(buildWorldCli(['--preset', 'huge'], stderr, dir), { message: /--preset/ });
    await t.throwsAsync(buildWorldCli(['--edits', 'many'], stderr, dir), { message: /--edits/ });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
