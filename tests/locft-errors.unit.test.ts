// LocFT input errors are clear and name what is wrong: truncated batches, empty edit lists, targets that do not
// tokenize, layers out of range, bad configuration; plus the on-disk activation cache's handling of damage.
import test from 'ava';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskActivationStore, activationKey } from '../trainer/locft/activation-cache.ts';
import { BatchError, buildBatch, stackPadded } from '../trainer/locft/batch.ts';
import { parseHyperParams } from '../trainer/locft/config.ts';
import { EditEncodingError, encodeEdit, encodeEdits } from '../trainer/locft/encode.ts';
import type { EncodingTokenizer } from '../trainer/locft/encode.ts';
import { planTuning } from '../trainer/locft/tuning-plan.ts';
import { parseLocftYaml } from '../trainer/locft/yaml-config.ts';
import { expectedParameterShapes, parseModelConfig } from '../trainer/model/config.ts';

/** Word-level fake: known words map to ids, unknown characters are dropped or mapped to <unk>. */
function fakeTokenizer(unknown: 'drop' | 'unk'): EncodingTokenizer {
  const vocab = ['<s>', '</s>', '<unk>', 'the', 'capital', 'is', 'paris', 'rome', '?'];
  return {
    eosTokenId: 1,
    encode(text, options) {
      const ids = text
        .toLowerCase()
        .split(/\s+/)
        .filter((w) => w.length > 0)
        .flatMap((w) => {
          const id = vocab.indexOf(w);
          return id >= 0 ? [id] : unknown === 'unk' ? [2] : [];
        });
      return options?.addSpecialTokens === false ? ids : [0, ...ids];
    },
    idToToken: (id) => vocab[id],
  };
}

const LIMITS = { vocabSize: 9, maxPositions: 16 };

test('encoding: space prefix, EOS appended, loss positions cover exactly the target', (t) => {
  const e = encodeEdit(fakeTokenizer('unk'), { prompt: 'the capital is', target: 'paris' }, 0, LIMITS);
  t.deepEqual(e.ids, [0, 3, 4, 5, 6, 1]);
  t.is(e.promptLength, 4);
  t.is(e.targetLength, 2); // "paris" + EOS
});

test('an empty edit list is an error', (t) => {
  t.throws(() => encodeEdits(fakeTokenizer('unk'), [], LIMITS), {
    instanceOf: EditEncodingError,
    message: /edit list is empty/,
  });
});

test('a target that does not tokenize is an error naming the edit and field', (t) => {
  const edits = [
    { prompt: 'the capital is', target: 'rome' },
    { prompt: 'the capital is', target: 'Zürich' },
  ];
  t.throws(() => encodeEdits(fakeTokenizer('drop'), edits, LIMITS), {
    message: /^edits\[1\]\.target: "Zürich" encodes to no tokens/,
  });
  t.throws(() => encodeEdits(fakeTokenizer('unk'), edits, LIMITS), {
    message: /^edits\[1\]\.target: .*cannot represent.*<unk>/,
  });
  t.throws(() => encodeEdits(fakeTokenizer('unk'), [{ prompt: 'the capital is', target: '   ' }], LIMITS), {
    message: /^edits\[0\]\.target: is empty/,
  });
  t.throws(() => encodeEdits(fakeTokenizer('unk'), [{ prompt: '', target: 'rome' }], LIMITS), {
    message: /^edits\[0\]\.prompt: is empty/,
  });
  const noEos: EncodingTokenizer = { ...fakeTokenizer('unk'), eosTokenId: null };
  t.throws(() => encodeEdits(noEos, [{ prompt: 'the capital is', target: 'rome' }], LIMITS), {
    message: /no EOS token/,
  });
});

test('a sequence longer than the model positions is refused, not truncated', (t) => {
  const long = { prompt: Array(20).fill('the').join(' '), target: 'rome' };
  t.throws(() => encodeEdits(fakeTokenizer('unk'), [long], LIMITS), {
    message: /edits\[0\]\.target: .*more than the model's 16 positions; it would be truncated/,
  });
});

test('a truncated batch is an error naming the batch item and edit', (t) => {
  const ok = encodeEdit(fakeTokenizer('unk'), { prompt: 'the capital is', target: 'rome' }, 0, LIMITS);
  const truncated = { ...ok, ids: ok.ids.slice(0, -1) };
  t.throws(() => buildBatch([ok, truncated], 1, [4, 9]), {
    instanceOf: BatchError,
    message: /batch item 1 \(edit 9\): holds 5 ids but promptLength 4 \+ targetLength 2 = 6; the sequence is truncated/,
  });
  t.throws(() => buildBatch([], 1), { instanceOf: BatchError, message: /batch: empty/ });
  // Cached activations with fewer rows than the edit has tokens.
  const batch = buildBatch([ok], 1);
  t.throws(() => stackPadded([new Float32Array(3 * 4)], batch, 4), {
    message: /batch item 0: cached activations hold 3 rows of width 4 for 5 tokens; truncated cache entry/,
  });
  t.is(stackPadded([new Float32Array(5 * 4)], batch, 4).length, 5 * 4);
});

const TINY = parseModelConfig({
  model_type: 'llama',
  vocab_size: 16,
  hidden_size: 8,
  intermediate_size: 12,
  num_hidden_layers: 3,
  num_attention_heads: 2,
  max_position_embeddings: 32,
});
const NAMES = [...expectedParameterShapes(TINY).keys()];

test('a layer index out of range is an error naming the field', (t) => {
  t.throws(() => planTuning(TINY, NAMES, parseHyperParams({ layers: [3] })), {
    message: /^layers: layer 3 is out of range; the model has 3 layers \(0-2\)/,
  });
  t.throws(() => parseHyperParams({ layers: [-1] }), { message: /field "layers\.0"/ });
  t.throws(() => parseHyperParams({ layers: [] }), { message: /field "layers"/ });
});

test('tuning plans: exact selection and cache levels', (t) => {
  const down = planTuning(TINY, NAMES, parseHyperParams({ layers: [2] }));
  t.deepEqual(down, { tunedNames: ['model.layers.2.mlp.down_proj.weight'], lowestLayer: 2, level: 'down-input' });
  t.is(
    planTuning(TINY, NAMES, parseHyperParams({ layers: [1], rewriteModules: ['model.layers.{}.mlp.up_proj.weight'] }))
      .level,
    'mlp-input',
  );
  t.is(
    planTuning(TINY, NAMES, parseHyperParams({ layers: [1], rewriteModules: ['model.layers.{}.self_attn'] })).level,
    'layer-input',
  );
  // Layers 0 and 2 down_proj + layer 2 attention: the lowest layer decides the level.
  const multi = planTuning(
    TINY,
    NAMES,
    parseHyperParams({
      layers: [0, 2],
      rewriteModules: ['model.layers.{}.mlp.down_proj.weight', 'model.layers.{}.self_attn.o_proj'],
    }),
  );
  t.is(multi.level, 'layer-input');
  t.is(multi.lowestLayer, 0);
  t.throws(
    () => planTuning(TINY, NAMES, parseHyperParams({ layers: [0], rewriteModules: ['model.layers.{}.mlp.down'] })),
    { message: /matches no parameter/ },
  );
  t.throws(
    () =>
      planTuning(
        TINY,
        NAMES,
        parseHyperParams({ layers: [0], rewriteModules: ['model.layers.{}.mlp.down_proj.weight', 'lm_head.weight'] }),
      ),
    { message: /layers: given, but|outside the transformer layers/ },
  );
});

test("the authors' YAML is read as-is; bad values name the key", (t) => {
  const cfg = parseLocftYaml(
    'model_name_or_path: ./Qwen2.5-7B\ndata_path: ./data/zsre.json\nsave_model_dir: ./out\nlayer: 21\nrewrite_module: model.layers.{}.mlp.down_proj.weight\nlr: 5.0e-4\nbatch_size: 100\nnum_steps: 25\ndevice: cuda:0\nalg_name: FT\n',
  );
  t.deepEqual(cfg.hyperParams.layers, [21]);
  t.deepEqual(cfg.hyperParams.rewriteModules, ['model.layers.{}.mlp.down_proj.weight']);
  t.is(cfg.hyperParams.lr, 5e-4);
  t.is(cfg.hyperParams.batchSize, 100);
  t.is(cfg.hyperParams.epochs, 25);
  t.is(cfg.hyperParams.weightDecay, 0);
  t.is(cfg.hyperParams.schedule, 'breadth-first');
  t.is(cfg.modelPath, './Qwen2.5-7B');
  t.is(cfg.dataPath, './data/zsre.json');
  t.deepEqual(cfg.ignoredKeys, ['alg_name']);
  t.is(parseLocftYaml('layer: 3\n', 'x.yaml', { seed: 9 }).hyperParams.seed, 9);
  t.throws(() => parseLocftYaml('layer: 3\nlr: -1\n', 'run.yaml'), { message: /run\.yaml.*field "lr"/ });
  t.throws(() => parseLocftYaml('lr: 0.1\n', 'run.yaml'), { message: /field "layer"/ });
  t.throws(() => parseLocftYaml('layer: [3\n', 'run.yaml'), { message: /run\.yaml: not valid YAML/ });
});

test('on-disk activation cache: survives reopen, ignores a torn index line, drops a corrupt entry', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'locft-store-'));
  try {
    const key = (n: number) =>
      activationKey({ baseHash: 'b', backend: 'wasm', level: 'down-input', layer: 1, inputIds: [n] });
    const a = new DiskActivationStore(dir);
    t.is(a.readOnlyReason, undefined);
    a.put(key(1), [Float32Array.from([1, 2, 3]), Float32Array.from([4])]);
    a.put(key(2), [Float32Array.from([5, 6, 7]), Float32Array.from([8])]);
    // A second store in the same process while the first holds the lock only reads.
    const reader = new DiskActivationStore(dir);
    t.regex(reader.readOnlyReason ?? '', /being written by process/);
    reader.close();
    a.close();
    appendFileSync(join(dir, 'index.jsonl'), '{"k":"torn'); // a crash mid-line
    const b = new DiskActivationStore(dir);
    t.is(b.size, 2);
    t.deepEqual(
      b.get(key(1))?.map((x) => [...x]),
      [[1, 2, 3], [4]],
    );
    b.close();
    // Flip a byte of entry 2's data: its crc32 no longer matches, so it is a miss (recomputed), not garbage.
    const data = readFileSync(join(dir, 'activations.f32'));
    data[16 + 1] = (data[16 + 1] ?? 0) ^ 0xff;
    writeFileSync(join(dir, 'activations.f32'), data);
    const c = new DiskActivationStore(dir);
    t.is(c.get(key(2)), undefined);
    t.deepEqual(
      c.get(key(1))?.map((x) => [...x]),
      [[1, 2, 3], [4]],
    );
    c.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
