// The hand-written host step (trainer/locft/host-step.ts) against the tfjs step it replaces: same loss and same
// down_proj gradient (to float32 rounding) on tiny Llama (GQA, untied head) and Qwen2 (q/k/v biases, tied
// embeddings) checkpoints, for a split below the last layer, at the last layer, and on the shipped base model;
// the same bits on a second call; the engine's own cache entries (frozen prefix) equal tfjs's.
import test from 'ava';
import { readHfCheckpoint } from '../trainer/checkpoint/hf-checkpoint.ts';
import { buildBatch } from '../trainer/locft/batch.ts';
import { batchLoss } from '../trainer/locft/batch-loss.ts';
import { encodeEdits, inputIds } from '../trainer/locft/encode.ts';
import { frozenPrefix } from '../trainer/locft/frozen-prefix.ts';
import { HostStepEngine, packBatch } from '../trainer/locft/host-step.ts';
import { trainLocft } from '../trainer/locft/trainer.ts';
import type { LocftHyperParamsInput } from '../trainer/locft/config.ts';
import { LlamaModel, createContext, tokenIds } from '../trainer/model/llama.ts';
import { initBackend, tf } from '../trainer/runtime/backend.ts';
import { hasRowKernels, loadSgemmAddon } from '../trainer/runtime/blas-kernel.ts';
import { loadHfTokenizer } from '../trainer/tokenizer/hf-tokenizer.ts';
import { createTinyCheckpoint, type TinyStyle } from './helpers/tiny-checkpoint.ts';

const EDITS = [
  ['Paris is in', 'France'],
  ['The capital of Italy is the city of', 'Rome'],
  ['Tokyo is in', 'Japan'],
  ['Lima', 'Peru and nowhere else'],
  ['Oslo is in', 'Norway'],
].map(([prompt, target]) => ({ prompt: prompt!, target: target! }));

const loaded = loadSgemmAddon();
const addon =
  loaded.ok && !hasRowKernels(loaded.addon)
    ? { ok: false as const, reason: 'the native addon has no row kernels (npm run build:native)' }
    : loaded;

test.before(async () => {
  await initBackend(undefined, { quiet: true });
});

/** Loss and dLoss/dW of model.layers.L.mlp.down_proj.weight from both implementations. */
async function compare(dir: string, layer: number, edits = EDITS) {
  if (!addon.ok || !hasRowKernels(addon.addon)) throw new Error('no native row kernels');
  const ck = await readHfCheckpoint(dir);
  const tokenizer = await loadHfTokenizer(dir);
  const model = LlamaModel.fromHostTensors(ck.config, ck.tensors);
  const c = ck.config;
  const encoded = encodeEdits(tokenizer, edits, { vocabSize: c.vocabSize, maxPositions: c.maxPositionEmbeddings });
  const at = { level: 'down-input' as const, layer };
  const entries = encoded.map((e) => {
    const ids = inputIds(e);
    const t = tokenIds([ids], c.vocabSize);
    const ctx = createContext(c, { batch: 1, seqLen: ids.length });
    const out = frozenPrefix(model, at, t, ctx);
    const arrays = out.map((x) => x.dataSync() as Float32Array);
    tf.dispose([...out, t]);
    ctx.dispose();
    return arrays;
  });
  const batch = buildBatch(encoded, tokenizer.padTokenId ?? 0);
  const name = `model.layers.${layer}.mlp.down_proj.weight`;
  // tfjs: the prefix stacked with padding, the down_proj as a variable.
  const ctx = createContext(c, { attentionMask: batch.attentionMask });
  const ids = tokenIds(batch.inputIds, c.vocabSize);
  const prefix = frozenPrefix(model, at, ids, ctx);
  const original = model.param(name);
  const v = tf.variable(original, true);
  model.weights.set(name, v);
  const { value, grads } = tf.variableGrads(() => batchLoss(model, at, prefix, ctx, batch, true), [v]);
  const tfLoss = value.dataSync()[0]!;
  const tfGrad = grads[v.name]!.dataSync() as Float32Array;
  model.weights.set(name, original);
  // host
  const engine = new HostStepEngine(
    addon.addon,
    { config: c, read: (n) => ck.tensors.get(n)!.data },
    layer,
    new Float32Array(ck.tensors.get(name)!.data),
  );
  const packed = packBatch(batch, entries, c.hiddenSize, c.intermediateSize);
  // The host engine's own cache entries (each edit alone) against tfjs's frozen prefix.
  let prefixErr = 0;
  encoded.forEach((e, i) => {
    engine.prefix(inputIds(e)).forEach((mine, k) => {
      const ref = entries[i]![k]!;
      let scale = 0;
      let diff = 0;
      for (let j = 0; j < ref.length; j++) {
        scale = Math.max(scale, Math.abs(ref[j]!));
        diff = Math.max(diff, Math.abs(ref[j]! - mine[j]!));
      }
      prefixErr = Math.max(prefixErr, diff / scale);
    });
  });
  const first = engine.run(packed, true);
  const second = engine.run(packed, true);
  const probe = engine.run(packed, false);
  tf.dispose([value, ...Object.values(grads), v, ids, ...prefix]);
  ctx.dispose();
  model.dispose();
  let maxAbs = 0;
  let maxDiff = 0;
  for (let i = 0; i < tfGrad.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(tfGrad[i]!));
    maxDiff = Math.max(maxDiff, Math.abs(tfGrad[i]! - first.grad![i]!));
  }
  return {
    prefixErr,
    tfLoss,
    hostLoss: first.loss,
    probeLoss: probe.loss,
    relGradErr: maxDiff / maxAbs,
    repeatIdentical:
      Buffer.from(first.grad!.buffer).equals(Buffer.from(second.grad!.buffer)) && first.loss === second.loss,
    flops: first.flops,
  };
}

const run = addon.ok ? test : test.skip;
if (!addon.ok) console.log(`SKIPPED host-step tests: ${addon.reason}`);

for (const style of ['llama', 'qwen2'] as TinyStyle[]) {
  for (const layer of [0, 1, 2]) {
    run(`host step == tfjs step: ${style}, down_proj of layer ${layer} of 3`, async (t) => {
      const ck = await createTinyCheckpoint({ style, numLayers: 3, hiddenSize: 32, intermediateSize: 64 });
      try {
        const r = await compare(ck.dir, layer);
        t.true(Math.abs(r.hostLoss - r.tfLoss) <= 1e-5 * Math.abs(r.tfLoss), `loss ${r.hostLoss} vs ${r.tfLoss}`);
        t.true(r.relGradErr < 1e-4, `gradient relative error ${r.relGradErr}`);
        t.is(r.probeLoss, r.hostLoss, 'the forward-only probe gives the same loss bits');
        t.true(r.repeatIdentical, 'a second call gives the same bits');
        t.true(r.flops > 0);
        t.true(r.prefixErr < 1e-4, `host prefix vs tfjs prefix: relative error ${r.prefixErr}`);
      } finally {
        await ck.cleanup();
      }
    });
  }
}

run('host step == tfjs step on the shipped base model (layer 6)', async (t) => {
  const r = await compare('models/base', 6);
  t.true(Math.abs(r.hostLoss - r.tfLoss) <= 1e-5 * Math.abs(r.tfLoss), `loss ${r.hostLoss} vs ${r.tfLoss}`);
  t.true(r.relGradErr < 1e-4, `gradient relative error ${r.relGradErr}`);
  t.true(r.prefixErr < 1e-4, `host prefix vs tfjs prefix: relative error ${r.prefixErr}`);
});

run(
  'trainLocft: the host engine learns the edits like the tfjs engine, is recorded, and is refused where it cannot run',
  async (t) => {
    const ck = await createTinyCheckpoint({ numLayers: 3, hiddenSize: 32, intermediateSize: 64 });
    try {
      const base = await readHfCheckpoint(ck.dir);
      const tokenizer = await loadHfTokenizer(ck.dir);
      const model = LlamaModel.fromHostTensors(base.config, base.tensors);
      const hyperParams = { layers: [1], batchSize: 4, epochs: 40, lr: 5e-2 };
      const train = (engine: 'host' | 'tfjs', hp: LocftHyperParamsInput = hyperParams) =>
        trainLocft({ model, tokenizer, baseHash: 'h', edits: EDITS, hyperParams: hp, options: { engine } });
      const host = await train('host');
      const again = await train('host');
      const tfjs = await train('tfjs');
      t.is(host.engine, 'host');
      t.regex(host.backend, /\+host-step$/);
      t.is(tfjs.engine, 'tfjs');
      t.notRegex(tfjs.backend, /host-step/);
      const name = 'model.layers.1.mlp.down_proj.weight';
      t.true(
        Buffer.from(host.tensors.get(name)!.data.buffer).equals(Buffer.from(again.tensors.get(name)!.data.buffer)),
        'host runs are bit-identical',
      );
      // Both engines drive the loss down alike (their float rounding differs, so trajectories drift apart slowly).
      const drop = (r: typeof host) => r.lossCurve[0]! / r.lossCurve.at(-1)!;
      t.true(drop(host) > 3, `host loss ${host.lossCurve[0]} -> ${host.lossCurve.at(-1)}`);
      t.true(
        drop(host) > drop(tfjs) / 1.5 && drop(host) < drop(tfjs) * 1.5,
        `loss drop host ${drop(host)} vs tfjs ${drop(tfjs)}`,
      );
      t.true(Math.abs(host.lossCurve[0]! - tfjs.lossCurve[0]!) < 1e-4 * tfjs.lossCurve[0]!, 'same first-epoch loss');
      t.true(host.flops > 0 && (host.sgemmMs ?? 0) > 0);
      // The host engine tunes one down_proj from cached activations with target-only logits; anything else is refused.
      await t.throwsAsync(train('host', { ...hyperParams, rewriteModules: ['model.layers.{}'] }), {
        message: /field "engine".*exactly one mlp\.down_proj/,
      });
      await t.throwsAsync(
        trainLocft({
          model,
          tokenizer,
          baseHash: 'h',
          edits: EDITS,
          hyperParams,
          options: { engine: 'host', activationCache: 'off' },
        }),
        { message: /field "engine".*activation cache/ },
      );
      model.dispose();
    } finally {
      await ck.cleanup();
    }
  },
);
