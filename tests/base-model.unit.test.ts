// The base model committed in models/base/: its files are the ones its card describes (sha256), it loads, and it
// knows the facts it was pretrained on, answering with the entity name followed by EOS.

import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RecallProbeSchema } from '../trainer/basemodel/corpus-schemas.ts';
import { checkpointHash, readCheckpointConfig } from '../trainer/checkpoint/hf-checkpoint.ts';
import { exactMatch } from '../trainer/eval/normalize.ts';
import { generate } from '../trainer/generate.ts';
import { loadLlamaModel } from '../trainer/model/llama.ts';
import { SHA_LINE } from '../trainer/pretrain/model-card.ts';
import { initBackend } from '../trainer/runtime/backend.ts';
import { loadHfTokenizer } from '../trainer/tokenizer/hf-tokenizer.ts';

const DIR = join(import.meta.dirname, '..', 'models', 'base');

test('the committed checkpoint hash is the one stated by its model card and quality.json', async (t) => {
  const sha = await checkpointHash(DIR);
  const card = await readFile(join(DIR, 'MODEL_CARD.md'), 'utf8');
  t.is(
    SHA_LINE.exec(card)?.[1],
    sha,
    'MODEL_CARD.md states another checkpoint (rebuild with npm run build:base-model)',
  );
  const quality = JSON.parse(await readFile(join(DIR, 'quality.json'), 'utf8')) as { checkpointSha256: string };
  t.is(quality.checkpointSha256, sha);
});

test("the model has 6-8 layers (a meaningful layer sweep) and its tokenizer's vocabulary and special ids", async (t) => {
  const { config } = await readCheckpointConfig(DIR);
  t.true(config.numLayers >= 6 && config.numLayers <= 8);
  const tokenizer = await loadHfTokenizer(DIR);
  t.is(config.vocabSize, tokenizer.vocabSize);
  t.deepEqual(config.eosTokenIds, [tokenizer.eosTokenId!]);
  t.is(config.bosTokenId, tokenizer.bosTokenId);
});

test('it loads and answers pretraining facts with the entity name followed by EOS', async (t) => {
  await initBackend(undefined, { quiet: true });
  const model = await loadLlamaModel(DIR);
  try {
    const tokenizer = await loadHfTokenizer(DIR);
    const probes = RecallProbeSchema.array().parse(
      JSON.parse(await readFile(join(DIR, 'world', 'recall.json'), 'utf8')),
    );
    // A spread-out sample of facts, each asked with a template it was pretrained on.
    const seen = probes.filter((p) => p.split === 'pretrain');
    const sample = Array.from({ length: 24 }, (_, i) => seen[Math.floor((i * seen.length) / 24)]!);
    const out = await generate(
      model,
      tokenizer,
      sample.map((p) => p.prompt),
      { maxNewTokens: 16 },
    );
    const right = out.filter((g, i) => exactMatch(g.text, sample[i]!.ground_truth));
    t.true(
      right.length >= 22,
      `${right.length}/24 right: ${out.map((g, i) => `${sample[i]!.prompt} ->${g.text}`).join(' | ')}`,
    );
    for (const g of right) {
      t.is(g.finishReason, 'eos', `"${g.prompt}" -> "${g.text}" should end with EOS`);
      t.is(g.text, ` ${sample[out.indexOf(g)]!.ground_truth}`);
    }
  } finally {
    model.dispose();
  }
});
