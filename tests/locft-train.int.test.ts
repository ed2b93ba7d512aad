// LocFT training on a tiny random Llama-style checkpoint: learning, masking, frozen tensors, BF/DF, determinism,
// the activation cache and target-only logits against their plain counterparts, and the delta artifact.
import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../trainer/generate.ts';
import { buildBatch } from '../trainer/locft/batch.ts';
import { batchLoss } from '../trainer/locft/batch-loss.ts';
import { weightedCrossEntropy } from '../trainer/locft/cross-entropy.ts';
import { applyDelta } from '../trainer/locft/delta-artifact.ts';
import { encodeEdits } from '../trainer/locft/encode.ts';
import { frozenPrefix } from '../trainer/locft/frozen-prefix.ts';
import { LlamaModel, createContext, tokenIds } from '../trainer/model/llama.ts';
import { tf } from '../trainer/runtime/backend.ts';
import { base, model, tokenizer, useTinyLocft } from './helpers/locft-tiny.ts';
import { DOWN1, EDITS, FAST, deltaBytes, maxAbsDiff, sha, train } from './helpers/locft-training.ts';

useTinyLocft();

test.serial('breadth-first: the loss goes down and the edits are learned', async (t) => {
  const r = await train();
  t.is(r.plan.level, 'down-input');
  t.deepEqual([...r.tensors.keys()], [DOWN1]);
  t.true(r.updates > 0);
  t.true(r.lossCurve.at(-1)! < 0.4 * r.lossCurve[0]!, `loss ${r.lossCurve[0]} -> ${r.lossCurve.at(-1)}`);
  const edited = LlamaModel.fromHostTensors(base.config, applyDelta(base, r.tensors).tensors);
  try {
    const before = await generate(
      model,
      tokenizer,
      EDITS.map((e) => e.prompt),
      { maxNewTokens: 8, stop: ['.', '\n'] },
    );
    const after = await generate(
      edited,
      tokenizer,
      EDITS.map((e) => e.prompt),
      { maxNewTokens: 8, stop: ['.', '\n'] },
    );
    const hits = (gs: typeof after) => gs.filter((g, i) => g.text.trim() === EDITS[i]!.target).length;
    t.is(hits(before), 0, 'the random base does not know the targets');
    t.true(hits(after) >= 5, `learned ${hits(after)}/6: ${after.map((g) => JSON.stringify(g.text)).join(' ')}`);
    // EOS was appended to every target, so the edited model stops right after the answer.
    t.true(after.filter((g) => g.finishReason === 'eos').length >= 5);
  } finally {
    edited.dispose();
  }
});

test.serial('masking: only target tokens carry loss and gradient', async (t) => {
  const encoded = encodeEdits(
    tokenizer,
    EDITS.slice(0, 3).concat([{ prompt: 'A much longer prompt about Bern is in', target: 'Switzerland' }]),
    { vocabSize: model.config.vocabSize, maxPositions: 128 },
  );
  const batch = buildBatch(encoded, 0);
  const rows = batch.size * batch.seqLen;
  // Target rows are exactly promptLength-1 .. promptLength+targetLength-2 of each row, weights 1/(B*K_i).
  const expected = new Set(
    encoded.flatMap((e, b) =>
      Array.from({ length: e.targetLength }, (_, k) => b * batch.seqLen + e.promptLength - 1 + k),
    ),
  );
  t.deepEqual(new Set(batch.targetRows), expected);
  for (let r = 0; r < rows; r++) t.is(batch.allWeights[r]! > 0, expected.has(r), `row ${r}`);
  // Gradient of the loss w.r.t. the logits of every row: exactly zero off-target (prompt and padding).
  const logits = tf.randomNormal([rows, model.config.vocabSize], 0, 3, 'float32', 7);
  const labels = tf.tensor1d(batch.allLabels, 'int32');
  const weights = tf.tensor1d(batch.allWeights, 'float32');
  const grad = tf.grad((z: tf.Tensor) => weightedCrossEntropy(z, labels, weights))(logits);
  const g = (await grad.array()) as number[][];
  const z = (await logits.array()) as number[][];
  const loss = (await weightedCrossEntropy(logits, labels, weights).data())[0]!;
  for (let r = 0; r < rows; r++) {
    const norm = g[r]!.reduce((a, v) => a + Math.abs(v), 0);
    if (expected.has(r)) t.true(norm > 0, `target row ${r} has gradient`);
    else t.is(norm, 0, `row ${r} (prompt or padding) has no gradient`);
  }
  // The loss equals an independent float64 computation over the target positions only.
  let ref = 0;
  encoded.forEach((e, b) => {
    let sum = 0;
    for (let k = 0; k < e.targetLength; k++) {
      const row = z[b * batch.seqLen + e.promptLength - 1 + k]!;
      const max = Math.max(...row);
      const lse = max + Math.log(row.reduce((a, v) => a + Math.exp(v - max), 0));
      sum += lse - row[e.ids[e.promptLength + k]!]!;
    }
    ref += sum / e.targetLength / encoded.length;
  });
  t.true(Math.abs(loss - ref) < 1e-4 * Math.max(1, ref), `loss ${loss} vs reference ${ref}`);
  // The hand-written gradient equals weight * (softmax - onehot), computed here in float64.
  let worst = 0;
  for (let r = 0; r < rows; r++) {
    const row = z[r]!;
    const max = Math.max(...row);
    const sum = row.reduce((a, v) => a + Math.exp(v - max), 0);
    const w = batch.allWeights[r]!;
    row.forEach((v, j) => {
      const expected = w * (Math.exp(v - max) / sum - (j === batch.allLabels[r] ? 1 : 0));
      worst = Math.max(worst, Math.abs(g[r]![j]! - expected));
    });
  }
  t.true(worst < 1e-6, `gradient off by ${worst}`);
  tf.dispose([logits, labels, weights, grad]);
});

test.serial('frozen tensors are bit-identical after training; only the selected tensor changes', async (t) => {
  const r = await train({ hyperParams: { ...FAST, epochs: 3 } });
  for (const [name, host] of base.tensors) {
    const now = await model.param(name).data();
    t.true(
      Buffer.from(now.buffer, now.byteOffset, now.byteLength).equals(
        Buffer.from(host.data.buffer, host.data.byteOffset, host.data.byteLength),
      ),
      `${name} unchanged in the model`,
    );
  }
  t.deepEqual([...r.tensors.keys()], [DOWN1]);
  t.true(maxAbsDiff(r.tensors.get(DOWN1)!.data, base.tensors.get(DOWN1)!.data) > 0, 'the tuned tensor moved');
});

test.serial('breadth-first and depth-first both run on the same loop', async (t) => {
  const bf = await train({ hyperParams: { ...FAST, epochs: 4 } });
  const df = await train({ hyperParams: { ...FAST, epochs: 4, schedule: 'depth-first' } });
  t.is(bf.lossCurve.length, bf.epochs);
  t.true(bf.epochs <= 4);
  // Depth-first: one edit at a time, up to epochs epochs each, batch of one.
  t.true(df.epochs >= EDITS.length && df.epochs <= EDITS.length * 4, `df epochs ${df.epochs}`);
  t.is(df.steps, df.epochs);
  t.true(df.updates > 0 && bf.updates > 0);
  t.notDeepEqual(sha(deltaBytes(bf)), sha(deltaBytes(df)));
});

test.serial('determinism: two runs give the same delta bytes; a different seed does not', async (t) => {
  const hp = { ...FAST, epochs: 5, seed: 11 };
  const a = await train({ hyperParams: hp });
  const b = await train({ hyperParams: hp });
  const c = await train({ hyperParams: { ...hp, seed: 12 } });
  t.is(sha(deltaBytes(a)), sha(deltaBytes(b)));
  t.deepEqual(a.lossCurve, b.lossCurve);
  t.not(sha(deltaBytes(a)), sha(deltaBytes(c)));
});

test.serial('skipped batches: a forward-only probe gives the same result as a full training pass', async (t) => {
  // A high threshold makes batches fall below it (and epochs end early) within a few epochs.
  const hp = { ...FAST, epochs: 12, lossThreshold: 2.5, batchSize: 2 };
  const probed = await train({ hyperParams: hp });
  const plain = await train({ hyperParams: hp, options: { forwardProbe: false } });
  t.true(probed.skippedBatches > 0, `skipped ${probed.skippedBatches}`);
  t.is(probed.skippedBatches, plain.skippedBatches);
  t.is(probed.updates, plain.updates);
  t.deepEqual(probed.lossCurve, plain.lossCurve);
  t.is(sha(deltaBytes(probed)), sha(deltaBytes(plain)));
  t.true(probed.flops < plain.flops, 'skipped batches ran no backward pass');
});

test.serial('activation cache: on == off, and a warm on-disk cache gives the same bytes as a cold one', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'locft-cache-'));
  try {
    const hp = { ...FAST, epochs: 6 };
    const cold = await train({ hyperParams: hp, options: { cacheDir: dir } });
    const warm = await train({ hyperParams: hp, options: { cacheDir: dir } });
    const off = await train({ hyperParams: hp, options: { activationCache: 'off' } });
    t.is(cold.cache.computed, EDITS.length);
    t.is(warm.cache.computed, 0);
    t.is(warm.cache.reused, EDITS.length);
    t.is(sha(deltaBytes(cold)), sha(deltaBytes(warm)));
    // A damaged cache file: the bad entries fail their crc32 and are recomputed, giving the same bytes again.
    const data = await readFile(join(dir, 'activations.f32'));
    for (let i = 100; i < data.length; i += 4099) data[i] = (data[i] ?? 0) ^ 0x5a;
    await writeFile(join(dir, 'activations.f32'), data);
    const repaired = await train({ hyperParams: hp, options: { cacheDir: dir } });
    t.is(sha(deltaBytes(repaired)), sha(deltaBytes(cold)));
    // Cache off computes the frozen part inside padded batches: the same maths, float32 rounding may differ.
    off.lossCurve.forEach((l, i) =>
      t.true(Math.abs(l - cold.lossCurve[i]!) <= 1e-5 * Math.max(1, l), `epoch ${i}: ${l} vs ${cold.lossCurve[i]}`),
    );
    t.true(maxAbsDiff(off.tensors.get(DOWN1)!.data, cold.tensors.get(DOWN1)!.data) < 1e-4);
    // A later run with one new edit recomputes only that edit.
    const more = await train({
      hyperParams: hp,
      options: { cacheDir: dir },
      edits: [...EDITS, { prompt: 'Quito is in', target: 'Ecuador' }],
    });
    t.is(more.cache.computed, 1);
    t.is(more.cache.reused, EDITS.length);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.serial('target-only logits give the full-logits loss and gradient', async (t) => {
  const encoded = encodeEdits(
    tokenizer,
    [...EDITS, { prompt: 'The longest prompt of all says Bern is in', target: 'Switzerland' }],
    { vocabSize: model.config.vocabSize, maxPositions: 128 },
  );
  const batch = buildBatch(encoded, 0);
  const ctx = createContext(model.config, { attentionMask: batch.attentionMask });
  const at = { level: 'down-input' as const, layer: 1 };
  const ids = tokenIds(batch.inputIds, model.config.vocabSize);
  const prefix = frozenPrefix(model, at, ids, ctx);
  const original = model.param(DOWN1);
  const v = tf.variable(original, true, 'locft-test/target-only');
  model.weights.set(DOWN1, v);
  try {
    const only = tf.variableGrads(() => batchLoss(model, at, prefix, ctx, batch, true), [v]);
    const full = tf.variableGrads(() => batchLoss(model, at, prefix, ctx, batch, false), [v]);
    const [lo, lf] = [(await only.value.data())[0]!, (await full.value.data())[0]!];
    t.true(Math.abs(lo - lf) <= 1e-6 * Math.max(1, lf), `${lo} vs ${lf}`);
    t.true(
      maxAbsDiff(
        (await only.grads[v.name]!.data()) as Float32Array,
        (await full.grads[v.name]!.data()) as Float32Array,
      ) < 1e-6,
    );
    tf.dispose([only.value, full.value, ...Object.values(only.grads), ...Object.values(full.grads)]);
  } finally {
    model.weights.set(DOWN1, original);
    v.dispose();
    tf.dispose([...prefix, ids]);
    ctx.dispose();
  }
  const a = await train({ hyperParams: { ...FAST, epochs: 3 } });
  const b = await train({ hyperParams: { ...FAST, epochs: 3 }, options: { targetOnlyLogits: false } });
  a.lossCurve.forEach((l, i) => t.true(Math.abs(l - b.lossCurve[i]!) <= 1e-5 * Math.max(1, l)));
});

test.serial('full-layer and multi-layer tuning', async (t) => {
  const layer = await train({ hyperParams: { ...FAST, rewriteModules: ['model.layers.{}'], epochs: 2 } });
  t.is(layer.plan.level, 'layer-input');
  t.deepEqual(
    [...layer.tensors.keys()].sort(),
    [...base.tensors.keys()].filter((n) => n.startsWith('model.layers.1.')).sort(),
  );
  const mlp = await train({ hyperParams: { ...FAST, rewriteModules: ['model.layers.{}.mlp'], epochs: 2 } });
  t.is(mlp.plan.level, 'mlp-input');
  t.is(mlp.tensors.size, 3);
  const multi = await train({ hyperParams: { ...FAST, layers: [0, 2], epochs: 2 } });
  t.deepEqual(
    [...multi.tensors.keys()],
    ['model.layers.0.mlp.down_proj.weight', 'model.layers.2.mlp.down_proj.weight'],
  );
  t.is(multi.plan.lowestLayer, 0);
  for (const r of [layer, mlp, multi]) t.true(r.lossCurve.at(-1)! < r.lossCurve[0]!);
});
