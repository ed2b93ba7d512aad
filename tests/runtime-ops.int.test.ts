/**
 * The runtime ops (matmul, linear, embed, slicing) on every available backend, checked against independent float64
 * references written in plain loops (tests/helpers/backend-references.ts). Every test is serial: they switch the
 * process-wide tfjs backend.
 */
import test from 'ava';
import { initBackend, tf } from '../trainer/runtime/backend.ts';
import { embed, linear, pickLastDim, sliceLastDim, stopGradient, takeRows } from '../trainer/runtime/ops.ts';
import {
  ALL,
  assertClose,
  prod,
  probeBackends,
  randomArray,
  refMatMul,
  reportUnavailable,
  MATMUL_CASES,
} from './helpers/backend-references.ts';

type Tensor = tf.Tensor;

test.before(probeBackends);

// ---------- matmuls on every backend ----------

test.serial('matmul: every available backend matches the float64 reference', async (t) => {
  for (const name of ALL) {
    if (reportUnavailable(t, name)) continue;
    await initBackend(name, { quiet: true });
    for (const [i, c] of MATMUL_CASES.entries()) {
      const av = randomArray(prod(c.a), 10 + i);
      const bv = randomArray(prod(c.b), 100 + i);
      const ref = refMatMul(av, c.a, bv, c.b, c.ta, c.tb);
      const out = tf.tidy(() => tf.matMul(tf.tensor(av, c.a), tf.tensor(bv, c.b), c.ta, c.tb));
      t.deepEqual(out.shape, ref.shape, `${name} ${c.name}: shape`);
      assertClose(t, out.dataSync(), ref.values, `${name} ${c.name}`);
      out.dispose();
    }
  }
});

/** A small RMSNorm -> linear -> SiLU -> linear -> softmax block, as tensors and as float64 loops. */
const COMPOSED = { batch: 2, seq: 5, hidden: 16, inner: 24 };

function composedTf(x: Float32Array, w1: Float32Array, b1: Float32Array, w2: Float32Array): Tensor {
  const { batch, seq, hidden, inner } = COMPOSED;
  return tf.tidy(() => {
    const xt = tf.tensor(x, [batch, seq, hidden]);
    const norm = tf.mul(xt, tf.rsqrt(tf.add(tf.mean(tf.square(xt), -1, true), 1e-6)));
    const h = linear(norm, tf.tensor2d(w1, [inner, hidden]), tf.tensor1d(b1));
    const act = tf.mul(h, tf.sigmoid(h));
    return tf.softmax(linear(act, tf.tensor2d(w2, [hidden, inner])), -1);
  });
}

function composedRef(x: Float32Array, w1: Float32Array, b1: Float32Array, w2: Float32Array): Float64Array {
  const { batch, seq, hidden, inner } = COMPOSED;
  const out = new Float64Array(batch * seq * hidden);
  for (let r = 0; r < batch * seq; r++) {
    const row = Array.from(x.subarray(r * hidden, (r + 1) * hidden));
    const ms = row.reduce((s, v) => s + v * v, 0) / hidden;
    const norm = row.map((v) => v / Math.sqrt(ms + 1e-6));
    const act = Array.from({ length: inner }, (_, o) => {
      let s = b1[o]!;
      for (let i = 0; i < hidden; i++) s += norm[i]! * w1[o * hidden + i]!;
      return s / (1 + Math.exp(-s));
    });
    const logits = Array.from({ length: hidden }, (_, o) => {
      let s = 0;
      for (let i = 0; i < inner; i++) s += act[i]! * w2[o * inner + i]!;
      return s;
    });
    const max = Math.max(...logits);
    const exps = logits.map((v) => Math.exp(v - max));
    const total = exps.reduce((a, b) => a + b, 0);
    exps.forEach((v, o) => (out[r * hidden + o] = v / total));
  }
  return out;
}

test.serial('composed computation: every available backend matches the float64 reference', async (t) => {
  const { batch, seq, hidden, inner } = COMPOSED;
  const x = randomArray(batch * seq * hidden, 1);
  const w1 = randomArray(inner * hidden, 2);
  const b1 = randomArray(inner, 3);
  const w2 = randomArray(hidden * inner, 4);
  const ref = composedRef(x, w1, b1, w2);
  for (const name of ALL) {
    if (reportUnavailable(t, name)) continue;
    await initBackend(name, { quiet: true });
    const out = composedTf(x, w1, b1, w2);
    assertClose(t, out.dataSync(), ref, `${name} composed`, 1e-5);
    out.dispose();
  }
});

// ---------- gradients ----------

// Many rows (training: the weight is transposed) and few rows (generation: the input is transposed instead).
const LINEAR_SHAPES: { x: number[]; out: number }[] = [
  { x: [2, 6, 10], out: 7 },
  { x: [1, 2, 40], out: 30 },
];

test.serial("linear: custom gradient equals tfjs's own gradient of the plain formula, on every backend", async (t) => {
  for (const name of ALL) {
    if (reportUnavailable(t, name)) continue;
    await initBackend(name, { quiet: true });
    for (const [si, shape] of LINEAR_SHAPES.entries()) {
      const inF = shape.x[shape.x.length - 1]!;
      const rows = prod(shape.x) / inF;
      const yShape = [...shape.x.slice(0, -1), shape.out];
      for (const withBias of [true, false]) {
        tf.tidy(() => {
          const x = tf.tensor(randomArray(prod(shape.x), 5 + si), shape.x);
          const w = tf.tensor2d(randomArray(shape.out * inF, 6 + si), [shape.out, inF]);
          const b = tf.tensor1d(randomArray(shape.out, 7 + si));
          const dy = tf.tensor(randomArray(prod(yShape), 8 + si), yShape);
          const inputs = withBias ? [x, w, b] : [x, w];
          const ours = tf.grads((...v: Tensor[]) =>
            tf.sum(tf.mul(linear(v[0]!, v[1] as tf.Tensor2D, v[2] as tf.Tensor1D | undefined), dy)),
          );
          const plain = tf.grads((...v: Tensor[]) => {
            const y = tf.matMul(tf.reshape(v[0]!, [rows, inF]), v[1]!, false, true);
            return tf.sum(tf.mul(tf.reshape(v[2] ? tf.add(y, v[2]) : y, yShape), dy));
          });
          const value = linear(x, w, withBias ? b : undefined);
          const refValue = refMatMul(
            x.dataSync() as Float32Array,
            [rows, inF],
            w.dataSync() as Float32Array,
            [shape.out, inF],
            false,
            true,
          );
          const bias = b.dataSync();
          assertClose(
            t,
            value.dataSync(),
            refValue.values.map((v, i) => v + (withBias ? bias[i % shape.out]! : 0)),
            `${name} ${shape.x} forward`,
          );
          const g1 = ours(inputs);
          const g2 = plain(inputs);
          t.is(g1.length, inputs.length);
          for (const [i, label] of ['dx', 'dw', 'db'].slice(0, inputs.length).entries()) {
            t.deepEqual(g1[i]!.shape, g2[i]!.shape, `${name} ${label} shape`);
            assertClose(t, g1[i]!.dataSync(), g2[i]!.dataSync(), `${name} ${shape.x} bias=${withBias} ${label}`, 1e-5);
          }
        });
      }
    }
  }
});

test.serial('linear: on plain wasm neither forward nor gradient uses a transposed matmul', async (t) => {
  await initBackend('wasm', { quiet: true });
  const original = tf.getKernel('BatchMatMul', 'wasm');
  if (!original) return t.fail('wasm BatchMatMul missing');
  const seen: string[] = [];
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      seen.push(
        `${args.inputs['a']!.shape}x${args.inputs['b']!.shape} tA=${JSON.stringify(args.attrs?.['transposeA'])} tB=${JSON.stringify(args.attrs?.['transposeB'])}`,
      );
      return original.kernelFunc(args);
    },
  });
  try {
    tf.tidy(() => {
      for (const rows of [64, 2]) {
        const x = tf.tensor(randomArray(rows * 12, 9), [rows, 12]);
        const w = tf.tensor2d(randomArray(8 * 12, 10), [8, 12]);
        tf.grads((xx: Tensor, ww: Tensor) => tf.sum(linear(xx, ww as tf.Tensor2D)))([x, w]);
      }
    });
  } finally {
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel(original);
  }
  t.is(seen.length, 6, `forward + dx + dw, twice: ${seen.join('; ')}`);
  for (const call of seen) t.regex(call, /tA=false tB=false/);
});

test.serial('embed: forward rows and table gradient match a scatter-add reference, on every backend', async (t) => {
  const vocab = 11;
  const hidden = 6;
  const idsValues = [3, 0, 3, 10, 7, 3, 0, 9];
  const table = randomArray(vocab * hidden, 11);
  const dy = randomArray(idsValues.length * hidden, 12);
  const refGrad = new Float64Array(vocab * hidden);
  idsValues.forEach((id, p) => {
    for (let j = 0; j < hidden; j++) refGrad[id * hidden + j]! += dy[p * hidden + j]!;
  });
  const refRows = Float64Array.from(
    idsValues.flatMap((id) => Array.from(table.subarray(id * hidden, (id + 1) * hidden))),
  );
  for (const name of ALL) {
    if (reportUnavailable(t, name)) continue;
    await initBackend(name, { quiet: true });
    tf.tidy(() => {
      const ids = tf.tensor2d(idsValues, [2, 4], 'int32');
      const tbl = tf.tensor2d(table, [vocab, hidden]);
      const rows = embed(ids, tbl);
      t.deepEqual(rows.shape, [2, 4, hidden]);
      assertClose(t, rows.dataSync(), refRows, `${name} embed rows`, 0);
      const g = tf.grad((tt: Tensor) => tf.sum(tf.mul(embed(ids, tt as tf.Tensor2D), tf.tensor(dy, [2, 4, hidden]))))(
        tbl,
      );
      assertClose(t, g.dataSync(), refGrad, `${name} embed gradient`, 1e-6);
      const picked = takeRows(tbl, tf.tensor1d([10, 0], 'int32'));
      assertClose(t, picked.dataSync(), [...table.subarray(60, 66), ...table.subarray(0, 6)], `${name} takeRows`, 0);
    });
  }
});

test.serial('pickLastDim, sliceLastDim and stopGradient: values and gradients match references', async (t) => {
  const x = randomArray(2 * 3 * 5, 13);
  const idx = [4, 0, 2, 1, 1, 3];
  for (const name of ALL) {
    if (reportUnavailable(t, name)) continue;
    await initBackend(name, { quiet: true });
    tf.tidy(() => {
      const xt = tf.tensor(x, [2, 3, 5]);
      const it = tf.tensor2d(idx, [2, 3], 'int32');
      assertClose(
        t,
        pickLastDim(xt, it).dataSync(),
        idx.map((v, r) => x[r * 5 + v]!),
        `${name} pickLastDim`,
        0,
      );
      const weights = [1, 2, 3, 4, 5, 6];
      const g = tf.grad((xx: Tensor) => tf.sum(tf.mul(pickLastDim(xx, it), tf.tensor2d(weights, [2, 3]))))(xt);
      const refG = new Float64Array(30);
      idx.forEach((v, r) => (refG[r * 5 + v] = weights[r]!));
      assertClose(t, g.dataSync(), refG, `${name} pickLastDim gradient`, 0);

      const s = sliceLastDim(xt, 1, 3);
      t.deepEqual(s.shape, [2, 3, 3]);
      const gs = tf.grad((xx: Tensor) => tf.sum(sliceLastDim(xx, 1, 3)))(xt);
      assertClose(
        t,
        gs.dataSync(),
        Array.from({ length: 30 }, (_, i) => (i % 5 >= 1 && i % 5 < 4 ? 1 : 0)),
        `${name} slice grad`,
        0,
      );

      const gStop = tf.grad((xx: Tensor) => tf.sum(tf.add(tf.mul(stopGradient(xx), xx), xx)))(xt);
      assertClose(
        t,
        gStop.dataSync(),
        Array.from(x, (v) => v + 1),
        `${name} stopGradient`,
        1e-6,
      );

      // A mask computed from a differentiated tensor (comparison ops get zero gradients).
      const gMask = tf.grad((xx: Tensor) => tf.sum(tf.where(tf.greater(xx, 0), xx, tf.mul(xx, 3))))(xt);
      assertClose(
        t,
        gMask.dataSync(),
        Array.from(x, (v) => (v > 0 ? 1 : 3)),
        `${name} masked gradient`,
        0,
      );

      // Negative-axis cumsum (broken in tfjs-backend-wasm 4.22 without our wrapper) and its gradient.
      const cs = tf.cumsum(xt, -1);
      const refCs = Array.from(x, (_, i) => x.subarray(i - (i % 5), i + 1).reduce((a, b) => a + b, 0));
      assertClose(t, cs.dataSync(), refCs, `${name} cumsum(-1)`, 1e-6);
      const gCs = tf.grad((xx: Tensor) => tf.sum(tf.cumsum(xx, -1)))(xt);
      assertClose(
        t,
        gCs.dataSync(),
        Array.from({ length: 30 }, (_, i) => 5 - (i % 5)),
        `${name} cumsum grad`,
        0,
      );
    });
  }
});

test.serial('chained tensor methods exist at run time (tfjs-core Node build lacks them)', async (t) => {
  await initBackend('cpu', { quiet: true });
  const y = tf.tidy(() => tf.tensor1d([1, 2, 3]).expandDims(0).reshape([3, 1]).square().sum());
  t.is(y.dataSync()[0], 14);
  y.dispose();
});
