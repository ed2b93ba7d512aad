// The TensorFlow.js model against an independent plain-loop float64 implementation of the same architecture,
// written here from the Hugging Face definitions (RMSNorm, rotate-half RoPE, GQA, SwiGLU, tied/untied lm_head).
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { backendUnavailableReason, initBackend, tf } from '../trainer/runtime/backend.ts';
import type { BackendName } from '../trainer/runtime/backend.ts';
import { readHfCheckpoint } from '../trainer/checkpoint/hf-checkpoint.ts';
import type { HostTensor } from '../trainer/checkpoint/safetensors.ts';
import type { ModelConfig } from '../trainer/model/config.ts';
import { KVCache, LlamaModel, createContext, tokenIds } from '../trainer/model/llama.ts';
import { createTinyCheckpoint } from './helpers/tiny-checkpoint.ts';
import type { TinyStyle } from './helpers/tiny-checkpoint.ts';

// ---------------------------------------------------------------------------------------------------------------
// Reference: one sequence, no padding, float64, loops only.

type Weights = ReadonlyMap<string, HostTensor>;

function matVec(w: HostTensor, x: number[], bias?: HostTensor): number[] {
  const [rows, cols] = w.shape as [number, number];
  const out = new Array<number>(rows).fill(0);
  for (let r = 0; r < rows; r++) {
    let s = bias ? bias.data[r]! : 0;
    for (let c = 0; c < cols; c++) s += w.data[r * cols + c]! * x[c]!;
    out[r] = s;
  }
  return out;
}

function rmsNorm(x: number[], w: HostTensor, eps: number): number[] {
  const ms = x.reduce((a, v) => a + v * v, 0) / x.length;
  const inv = 1 / Math.sqrt(ms + eps);
  return x.map((v, i) => v * inv * w.data[i]!);
}

function ropeInPlace(vec: number[], heads: number, d: number, pos: number, theta: number): void {
  for (let h = 0; h < heads; h++) {
    for (let k = 0; k < d / 2; k++) {
      const angle = pos / theta ** ((2 * k) / d);
      const i1 = h * d + k;
      const i2 = h * d + k + d / 2;
      const x1 = vec[i1]!;
      const x2 = vec[i2]!;
      vec[i1] = x1 * Math.cos(angle) - x2 * Math.sin(angle);
      vec[i2] = x2 * Math.cos(angle) + x1 * Math.sin(angle);
    }
  }
}

/** Logits [seq][vocab] for one unpadded sequence. */
function referenceLogits(c: ModelConfig, w: Weights, ids: number[]): number[][] {
  const get = (n: string) => w.get(n)!;
  const opt = (n: string) => w.get(n);
  const d = c.headDim;
  const group = c.numHeads / c.numKvHeads;
  const emb = get('model.embed_tokens.weight');
  let x = ids.map((id) => Array.from(emb.data.subarray(id * c.hiddenSize, (id + 1) * c.hiddenSize)));
  for (let l = 0; l < c.numLayers; l++) {
    const p = `model.layers.${l}`;
    const normed = x.map((row) => rmsNorm(row, get(`${p}.input_layernorm.weight`), c.rmsNormEps));
    const q = normed.map((n) => matVec(get(`${p}.self_attn.q_proj.weight`), n, opt(`${p}.self_attn.q_proj.bias`)));
    const k = normed.map((n) => matVec(get(`${p}.self_attn.k_proj.weight`), n, opt(`${p}.self_attn.k_proj.bias`)));
    const v = normed.map((n) => matVec(get(`${p}.self_attn.v_proj.weight`), n, opt(`${p}.self_attn.v_proj.bias`)));
    q.forEach((row, t) => ropeInPlace(row, c.numHeads, d, t, c.ropeTheta));
    k.forEach((row, t) => ropeInPlace(row, c.numKvHeads, d, t, c.ropeTheta));
    x = x.map((row, t) => {
      const merged = new Array<number>(c.numHeads * d).fill(0);
      for (let h = 0; h < c.numHeads; h++) {
        const kv = Math.floor(h / group);
        const scores: number[] = [];
        for (let j = 0; j <= t; j++) {
          let s = 0;
          for (let e = 0; e < d; e++) s += q[t]![h * d + e]! * k[j]![kv * d + e]!;
          scores.push(s / Math.sqrt(d));
        }
        const m = Math.max(...scores);
        const exps = scores.map((s) => Math.exp(s - m));
        const z = exps.reduce((a, b) => a + b, 0);
        for (let j = 0; j <= t; j++)
          for (let e = 0; e < d; e++) merged[h * d + e]! += (exps[j]! / z) * v[j]![kv * d + e]!;
      }
      const o = matVec(get(`${p}.self_attn.o_proj.weight`), merged, opt(`${p}.self_attn.o_proj.bias`));
      return row.map((val, i) => val + o[i]!);
    });
    x = x.map((row) => {
      const n = rmsNorm(row, get(`${p}.post_attention_layernorm.weight`), c.rmsNormEps);
      const gate = matVec(get(`${p}.mlp.gate_proj.weight`), n);
      const up = matVec(get(`${p}.mlp.up_proj.weight`), n);
      const act = gate.map((g, i) => (g / (1 + Math.exp(-g))) * up[i]!);
      const down = matVec(get(`${p}.mlp.down_proj.weight`), act);
      return row.map((val, i) => val + down[i]!);
    });
  }
  const head = c.tieWordEmbeddings ? emb : get('lm_head.weight');
  return x.map((row) => matVec(head, rmsNorm(row, get('model.norm.weight'), c.rmsNormEps)));
}

// ---------------------------------------------------------------------------------------------------------------

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** max |got - want| / max |want| over all entries. */
function relError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < want.length; i++) m = Math.max(m, Math.abs(got[i]! - want[i]!));
  return m / maxAbs(want);
}

async function backends(): Promise<BackendName[]> {
  const out: BackendName[] = [];
  for (const name of ['wasm', 'wasm-blas', 'cpu'] as const)
    if ((await backendUnavailableReason(name)) === undefined) out.push(name);
  return out;
}

const SEQ = [3, 17, 99, 250, 5, 42, 42, 7, 256, 1, 64];

async function withModel(
  style: TinyStyle,
  fn: (model: LlamaModel, weights: Weights) => void | Promise<void>,
): Promise<void> {
  const ckpt = await createTinyCheckpoint({ style, seed: style === 'llama' ? 11 : 12 });
  try {
    const read = await readHfCheckpoint(ckpt.dir);
    const model = LlamaModel.fromHostTensors(read.config, read.tensors);
    try {
      await fn(model, read.tensors);
    } finally {
      model.dispose();
    }
  } finally {
    await ckpt.cleanup();
  }
}

function logitsOf(model: LlamaModel, rows: number[][], mask?: number[][]): { data: Float32Array; shape: number[] } {
  return tf.tidy(() => {
    const ctx = createContext(
      model.config,
      mask ? { attentionMask: mask } : { batch: rows.length, seqLen: rows[0]!.length },
    );
    const out = model.forward(tokenIds(rows, model.config.vocabSize), ctx);
    return { data: out.dataSync() as Float32Array, shape: out.shape };
  });
}

for (const style of ['llama', 'qwen2'] as const) {
  test.serial(`${style}: logits match the float64 reference within 1e-4 relative on every backend`, async (t) => {
    const names = await backends();
    t.true(names.includes('cpu'));
    for (const name of names) {
      await initBackend(name, { quiet: true });
      await withModel(style, (model, weights) => {
        if (style === 'llama')
          t.true(model.config.numKvHeads < model.config.numHeads && !model.config.tieWordEmbeddings);
        else t.true(model.config.qkvBias && model.config.tieWordEmbeddings);
        const want = referenceLogits(model.config, weights, SEQ).flat();
        const got = logitsOf(model, [SEQ]);
        t.deepEqual(got.shape, [1, SEQ.length, model.config.vocabSize]);
        const err = relError(got.data, want);
        t.true(err < 1e-4, `${name}: relative error ${err}`);
        t.true(maxAbs(want) > 1, 'logits are far from zero (meaningful comparison)');
      });
    }
    await initBackend('wasm', { quiet: true });
  });
}

/** Logits of row b at its real positions, from a batched [B, T, V] result. */
function realRows(all: { data: Float32Array; shape: number[] }, b: number, columns: number[]): number[] {
  const [, seq, vocab] = all.shape as [number, number, number];
  return columns.flatMap((col) => Array.from(all.data.subarray((b * seq + col) * vocab, (b * seq + col + 1) * vocab)));
}

test.serial('a padded batch (right and left padding) equals each sequence run alone', async (t) => {
  await initBackend('wasm', { quiet: true });
  await withModel('llama', (model) => {
    const seqs = [SEQ, SEQ.slice(3, 8), [9, 8]];
    const width = SEQ.length;
    const alone = seqs.map((s) => logitsOf(model, [s]).data);
    const right = logitsOf(
      model,
      seqs.map((s) => [...s, ...new Array<number>(width - s.length).fill(0)]),
      seqs.map((s) => [...s.map(() => 1), ...new Array<number>(width - s.length).fill(0)]),
    );
    const left = logitsOf(
      model,
      seqs.map((s) => [...new Array<number>(width - s.length).fill(1), ...s]),
      seqs.map((s) => [...new Array<number>(width - s.length).fill(0), ...s.map(() => 1)]),
    );
    seqs.forEach((s, b) => {
      const cols = s.map((_, i) => i);
      t.true(relError(realRows(right, b, cols), alone[b]!) < 1e-5, `right padding row ${b}`);
      t.true(
        relError(
          realRows(
            left,
            b,
            cols.map((c) => c + width - s.length),
          ),
          alone[b]!,
        ) < 1e-5,
        `left padding row ${b}`,
      );
      t.true(Array.from(right.data).every(Number.isFinite) && Array.from(left.data).every(Number.isFinite));
    });
  });
});

test.serial('feeding a sequence in pieces through the KV cache gives the same logits', async (t) => {
  await initBackend('wasm', { quiet: true });
  await withModel('qwen2', (model) => {
    const full = logitsOf(model, [SEQ]).data;
    const cache = new KVCache(model.numLayers, 1);
    const pieces = [SEQ.slice(0, 4), SEQ.slice(4, 5), SEQ.slice(5)];
    const got: number[] = [];
    for (const piece of pieces) {
      tf.tidy(() => {
        const ctx = createContext(model.config, { batch: 1, seqLen: piece.length, cache });
        got.push(...model.forward(tokenIds([piece], model.config.vocabSize), ctx).dataSync());
      });
    }
    t.is(cache.length, SEQ.length);
    cache.dispose();
    t.true(relError(got, full) < 1e-5);
  });
});

test.serial(
  'pieces compose: attentionBlock/mlpHidden/mlpOut/runLayers/finalNorm/logits == forward; no tensor leaks',
  async (t) => {
    await initBackend('wasm', { quiet: true });
    await withModel('llama', (model) => {
      const before = tf.memory().numTensors;
      const full = logitsOf(model, [SEQ]).data;
      const L = 1;
      const composed = tf.tidy(() => {
        const ctx = createContext(model.config, { batch: 1, seqLen: SEQ.length });
        const below = model.runLayers(model.embed(tokenIds([SEQ], model.config.vocabSize)), 0, L, ctx);
        const mid = model.attentionBlock(L, below, ctx);
        const out = tf.add(mid, model.mlpOut(L, model.mlpHidden(L, mid)));
        const top = model.runLayers(out, L + 1, model.numLayers, ctx);
        // logits() on a gathered subset of rows: the last 3 positions only.
        const rows = tf.reshape(
          tf.slice(model.finalNorm(top), [0, SEQ.length - 3, 0], [1, 3, model.config.hiddenSize]),
          [3, model.config.hiddenSize],
        );
        return model.logits(rows).dataSync();
      });
      const vocab = model.config.vocabSize;
      t.true(relError(composed, full.subarray((SEQ.length - 3) * vocab)) < 1e-6);
      t.is(tf.memory().numTensors, before);
    });
  },
);

/** Float64 finite differences of sum(logits * probe) w.r.t. entries of down_proj, against tf.grad on a Variable. */
test.serial(
  'gradient through the model w.r.t. a swapped-in down_proj Variable matches float64 finite differences',
  async (t) => {
    await initBackend('wasm', { quiet: true });
    await withModel('qwen2', (model, weights) => {
      const name = 'model.layers.0.mlp.down_proj.weight';
      const vocab = model.config.vocabSize;
      const probe = Array.from({ length: SEQ.length * vocab }, (_, i) => Math.sin(i * 0.37));
      const original = model.weights.get(name)!;
      const variable = tf.variable(original);
      model.weights.set(name, variable);
      const grad = tf.tidy(() => {
        const { grads } = tf.variableGrads(() => {
          const ctx = createContext(model.config, { batch: 1, seqLen: SEQ.length });
          return tf.sum<tf.Scalar>(
            tf.mul(model.forward(tokenIds([SEQ], vocab), ctx), tf.tensor(probe, [1, SEQ.length, vocab])),
          );
        }, [variable]);
        return grads[variable.name]!.dataSync();
      });
      model.weights.set(name, original);
      variable.dispose();

      const objective = (w: Weights) =>
        referenceLogits(model.config, w, SEQ)
          .flat()
          .reduce((a, v, i) => a + v * probe[i]!, 0);
      const base = weights.get(name)!;
      for (const index of [0, 17, base.data.length - 1]) {
        const eps = 1e-3;
        const shifted = (delta: number): Weights => {
          const data = Float64Array.from(base.data) as unknown as Float32Array; // float64 so eps is exact
          data[index] = data[index]! + delta;
          return new Map(weights).set(name, { shape: base.shape, data });
        };
        const fd = (objective(shifted(eps)) - objective(shifted(-eps))) / (2 * eps);
        t.true(
          Math.abs(grad[index]! - fd) <= 1e-3 * Math.max(1, Math.abs(fd)),
          `d/dw[${index}]: tf ${grad[index]} vs fd ${fd}`,
        );
      }
    });
  },
);

test.serial('logits in vocabulary slices equal the single product (values and gradient)', async (t) => {
  await initBackend('wasm', { quiet: true });
  await withModel('qwen2', (model) => {
    const { hiddenSize, vocabSize } = model.config;
    // 7 rows of the matrix per slice: ceil(vocab / 7) slices, the last one partial.
    const sliced = new LlamaModel(model.config, model.weights, { vocabSliceElements: 7 * hiddenSize });
    t.not(vocabSize % 7, 0);
    const h = tf.randomNormal([2, 3, hiddenSize], 0, 1, 'float32', 5);
    const probe = tf.randomNormal([2, 3, vocabSize], 0, 1, 'float32', 6);
    const [whole, wholeGrad] = tf.tidy(() => [
      model.logits(h).dataSync(),
      tf
        .grad((x: tf.Tensor) => tf.sum(tf.mul(model.logits(x), probe)))(h)
        .dataSync(),
    ]);
    const [parts, partsGrad] = tf.tidy(() => [
      sliced.logits(h).dataSync(),
      tf
        .grad((x: tf.Tensor) => tf.sum(tf.mul(sliced.logits(x), probe)))(h)
        .dataSync(),
    ]);
    t.true(relError(parts, whole) < 1e-6);
    t.true(relError(partsGrad, wholeGrad) < 1e-5);
    tf.dispose([h, probe]);
  });
});

test.serial('bad inputs are clear errors', async (t: ExecutionContext) => {
  await initBackend('wasm', { quiet: true });
  await withModel('llama', (model) => {
    t.throws(() => tokenIds([[1, model.config.vocabSize]], model.config.vocabSize), {
      message: /id \d+ at \[0, 1\] is outside the vocabulary/,
    });
    t.throws(() => tokenIds([[1, 2], [3]], model.config.vocabSize), { message: /row 1 has 1 ids, expected 2/ });
    t.throws(() => createContext(model.config, { attentionMask: [[1, 2]] }), { message: /only 0 and 1/ });
    t.throws(() => createContext(model.config, {}), { message: /give attentionMask, or batch and seqLen/ });
    const ctx = createContext(model.config, { batch: 1, seqLen: 2 });
    t.throws(() => model.runLayers(tf.zeros([1, 2, model.config.hiddenSize]), 2, 1, ctx), {
      message: /invalid layer range \[2, 1\)/,
    });
    ctx.dispose();
    t.throws(
      () => new LlamaModel(model.config, new Map([...model.weights].filter(([n]) => n !== 'model.norm.weight'))),
      { message: /missing weight "model.norm.weight"/ },
    );
  });
});
