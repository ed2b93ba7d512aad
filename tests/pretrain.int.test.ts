// Pretraining end to end on a micro world (24 facts): the loss falls, the model recalls its facts and stops with
// EOS, the build writes a loadable HF folder whose card states its hash, and a killed-and-resumed run ends with
// exactly the weights of an uninterrupted one.

import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBaseModel } from '../scripts/build-base-model.ts';
import { checkpointHash } from '../trainer/checkpoint/hf-checkpoint.ts';
import { BatchPlan } from '../trainer/pretrain/batches.ts';
import { initialWeights } from '../trainer/pretrain/init.ts';
import { SHA_LINE } from '../trainer/pretrain/model-card.ts';
import { RECIPES, type BaseModelRecipe } from '../trainer/pretrain/recipe.ts';
import { learningRate } from '../trainer/pretrain/schedule.ts';
import { parseModelConfig } from '../trainer/model/config.ts';
import { initBackend } from '../trainer/runtime/backend.ts';

/** 3 countries, 3 cities, 3 organisations, 3 people: 24 facts, every template still seen with some fact. */
const MICRO: BaseModelRecipe = {
  name: 'micro',
  world: { seed: 11, countries: 3, citiesPerCountry: 1, organisations: 3, people: 3 },
  corpus: { edits: 4 },
  tokenizer: { vocabSize: 320 },
  model: { ...RECIPES.tiny.model, hiddenSize: 64, intermediateSize: 176, numLayers: 2 },
  epochs: 30,
  pretrain: { seed: 3, batchSize: 16, peakLr: 1e-2, checkpointEvery: 40, logEvery: 5 },
};

const silent = { write: () => true } as unknown as NodeJS.WritableStream;
let root = '';

test.before(async () => {
  await initBackend('wasm', { quiet: true });
  root = await mkdtemp(join(tmpdir(), 'editledger-pretrain-'));
});
test.after.always(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

test.serial('a short pretraining run lowers the loss, recalls its facts and stops with EOS', async (t) => {
  const out = join(root, 'model');
  const result = await buildBaseModel({ recipe: MICRO, out, work: join(root, 'work'), log: silent, progress: null });
  const curve = result.training.lossHistory;
  t.true(curve.length >= 4);
  const first = curve[0]!.loss;
  const last = curve.at(-1)!.loss;
  t.true(first > 3, `initial loss ${first} should be near ln(vocab)`);
  t.true(last < first / 4, `loss ${first} -> ${last} should fall by 4x or more`);

  const q = result.quality!;
  t.true(q.recall.pretrain.probes > 100);
  t.true(q.recall.pretrain.accuracy >= 0.9, `recall on pretraining templates ${q.recall.pretrain.accuracy}`);
  t.true(q.recall.pretrain.stopsWithEos >= 0.9, `answers followed by EOS ${q.recall.pretrain.stopsWithEos}`);
  t.true(Number.isFinite(q.heldoutPerplexity) && q.heldoutPerplexity > 1);

  // The folder as written: card and quality.json state the checkpoint's real hash.
  const sha = await checkpointHash(out);
  t.is(q.checkpointSha256, sha);
  t.is(SHA_LINE.exec(await readFile(join(out, 'MODEL_CARD.md'), 'utf8'))?.[1], sha);
  t.is(JSON.parse(await readFile(join(out, 'quality.json'), 'utf8')).checkpointSha256, sha);
  t.truthy(await readFile(join(out, 'world', 'edits.json'), 'utf8'));
});

test.serial(
  'a killed build resumes from its snapshot and ends with the same checkpoint as an uninterrupted one',
  async (t) => {
    const short: BaseModelRecipe = { ...MICRO, epochs: 2, pretrain: { ...MICRO.pretrain, checkpointEvery: 5 } };
    const straight = await buildBaseModel({
      recipe: short,
      out: join(root, 'a'),
      work: join(root, 'wa'),
      log: silent,
      progress: null,
    });
    const stopped = await buildBaseModel({
      recipe: short,
      out: join(root, 'b'),
      work: join(root, 'wb'),
      log: silent,
      progress: null,
      stopAtStep: 7,
    });
    t.is(stopped.training.step, 7);
    t.is(stopped.quality, undefined);
    const resumed = await buildBaseModel({
      recipe: short,
      out: join(root, 'b'),
      work: join(root, 'wb'),
      log: silent,
      progress: null,
    });
    t.is(resumed.training.resumedFrom, 7);
    t.deepEqual(resumed.training.lossHistory, straight.training.lossHistory);
    t.is(await checkpointHash(join(root, 'b')), await checkpointHash(join(root, 'a')));

    // Another recipe must not pick up this state.
    const other: BaseModelRecipe = { ...short, pretrain: { ...short.pretrain, peakLr: 5e-3 } };
    await t.throwsAsync(
      buildBaseModel({ recipe: other, out: join(root, 'c'), work: join(root, 'wb'), log: silent, progress: null }),
      {
        message: /holds the state of a different run/,
      },
    );
  },
);

test('the data order is a pure function of (seed, step), covers each sequence once per epoch, and buckets lengths', (t) => {
  const lengths = Array.from({ length: 200 }, (_, i) => 3 + ((i * 7919) % 23));
  const a = new BatchPlan(lengths, 8, 5);
  const b = new BatchPlan(lengths, 8, 5);
  t.is(a.batchesPerEpoch, 25);
  const epoch0 = Array.from({ length: 25 }, (_, s) => a.batch(s).rows).flat();
  t.deepEqual(
    [...epoch0].sort((x, y) => x - y),
    Array.from(lengths.keys()),
  );
  t.deepEqual(b.batch(30), a.batch(30)); // queried out of order, same answer
  t.notDeepEqual(a.batch(25).rows, a.batch(0).rows); // a new epoch, a new order
  t.notDeepEqual(new BatchPlan(lengths, 8, 6).batch(0).rows, a.batch(0).rows);
  const spread = (rows: readonly number[]) =>
    Math.max(...rows.map((r) => lengths[r]!)) - Math.min(...rows.map((r) => lengths[r]!));
  const meanSpread = Array.from({ length: 25 }, (_, s) => spread(a.batch(s).rows)).reduce((x, y) => x + y) / 25;
  t.true(meanSpread < 8, `mean length spread in a batch ${meanSpread} (lengths span 22)`);
});

test('warmup rises linearly to the peak, cosine decays to the floor at the last step', (t) => {
  const s = { peakLr: 1e-3, warmupSteps: 10, totalSteps: 110, minLrRatio: 0.1 };
  t.is(learningRate(s, 0), 1e-4);
  t.is(learningRate(s, 9), 1e-3);
  t.true(Math.abs(learningRate(s, 10) - 1e-3) < 1e-12);
  t.true(Math.abs(learningRate(s, 109) - 1e-4) < 1e-12);
  for (let i = 11; i < 110; i++) t.true(learningRate(s, i) <= learningRate(s, i - 1));
});

test('initial weights are seeded per tensor: same seed same values, other seed other values, norms start at 1', (t) => {
  const config = parseModelConfig({
    model_type: 'llama',
    vocab_size: 50,
    hidden_size: 16,
    intermediate_size: 32,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    max_position_embeddings: 32,
  });
  const a = initialWeights(config, 1);
  const b = initialWeights(config, 1);
  const c = initialWeights(config, 2);
  const q = 'model.layers.1.self_attn.q_proj.weight';
  t.deepEqual(a.get(q)!.data, b.get(q)!.data);
  t.notDeepEqual(a.get(q)!.data, c.get(q)!.data);
  t.true(a.get('model.norm.weight')!.data.every((x) => x === 1));
  const std = (d: Float32Array) => Math.sqrt(d.reduce((s, x) => s + x * x, 0) / d.length);
  t.true(Math.abs(std(a.get('model.embed_tokens.weight')!.data) - 0.02) < 0.003);
  t.true(std(a.get('model.layers.0.mlp.down_proj.weight')!.data) < 0.012); // residual writers scaled by 1/sqrt(2L)
});
