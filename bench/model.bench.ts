// npm run bench:model — model runtime speed per compute backend, in one process:
//   ceiling   the backend's measured plain-matmul GFLOP/s (the baseline every other number is compared with)
//   forward   full forward pass (logits at every position) over a batch: tokens/s and achieved GFLOP/s
//   train     one LocFT-style step: Adam on a single mlp.down_proj, next-token cross-entropy over the whole batch
//   generate  greedy KV-cache decoding, one prompt: new tokens/s
// GFLOP/s counts the matmul FLOPs actually executed (the elementwise work is small next to them): the forward
// pass, plus for the train step the backward pass through every layer above the tuned one, the head, and the tuned
// down_proj (ops.linear computes both dx and dw for each, i.e. 2x their forward FLOPs).
//
// Environment: BENCH_BACKENDS=wasm,cpu (default: every available backend), BENCH_BATCH=64, BENCH_SEQ=32.
// The cpu backend is ~30x slower; it runs a batch of 8 unless BENCH_BATCH is set, which the table shows.

import { backendUnavailableReason, initBackend, tf } from '../trainer/runtime/backend.ts';
import type { BackendName } from '../trainer/runtime/backend.ts';
import { parseModelConfig } from '../trainer/model/config.ts';
import type { ModelConfig } from '../trainer/model/config.ts';
import { LlamaModel, createContext, tokenIds } from '../trainer/model/llama.ts';
import { generateIds } from '../trainer/generate.ts';
import { tinyWeights } from '../tests/helpers/tiny-checkpoint.ts';
import { markdownTable } from './table.ts';

// A small Llama-shaped model with GQA, about the size of a base model trained on a synthetic world.
const CONFIG = parseModelConfig({
  model_type: 'llama',
  vocab_size: 4096,
  hidden_size: 256,
  intermediate_size: 688,
  num_hidden_layers: 4,
  num_attention_heads: 8,
  num_key_value_heads: 4,
  max_position_embeddings: 512,
  tie_word_embeddings: false,
  bos_token_id: 1,
  eos_token_id: 2,
});
const TUNED_LAYER = 2;
const TUNED = `model.layers.${TUNED_LAYER}.mlp.down_proj.weight`;

// ---------------------------------------------------------------------------------------------------------------
// FLOP accounting

function layerFlops(c: ModelConfig, batch: number, seq: number): { linear: number; attention: number; down: number } {
  const tokens = batch * seq;
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const linear =
    2 * tokens * (c.hiddenSize * q + 2 * c.hiddenSize * kv + q * c.hiddenSize + 3 * c.hiddenSize * c.intermediateSize);
  const attention = 2 * 2 * batch * c.numHeads * seq * seq * c.headDim; // scores and probs·v (full square)
  const down = 2 * tokens * c.intermediateSize * c.hiddenSize;
  return { linear, attention, down };
}

function forwardFlops(c: ModelConfig, batch: number, seq: number): number {
  const l = layerFlops(c, batch, seq);
  return c.numLayers * (l.linear + l.attention) + 2 * batch * seq * c.hiddenSize * c.vocabSize;
}

function trainStepFlops(c: ModelConfig, batch: number, seq: number): number {
  const l = layerFlops(c, batch, seq);
  const above = c.numLayers - TUNED_LAYER - 1;
  const head = 2 * batch * seq * c.hiddenSize * c.vocabSize;
  return forwardFlops(c, batch, seq) + 2 * (above * (l.linear + l.attention) + head) + 2 * l.down;
}

// ---------------------------------------------------------------------------------------------------------------
// Measurements

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median seconds of `reps` runs after one warm-up run. */
async function time(reps: number, run: () => Promise<void> | void): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    await run();
    times.push((performance.now() - start) / 1000);
  }
  return median(times);
}

type CeilingFn = (m: number, k: number, n: number, opts?: { repeats?: number }) => { gflops: number };

/**
 * Matmul ceiling for the model's dominant product shape, [tokens, hidden] x [hidden, intermediate], with the
 * compute engineer's measureMatmulGflops (trainer/runtime/ceiling.ts) when present, else timed here the same way.
 */
async function matmulCeiling(m: number, k: number, n: number): Promise<{ gflops: number; source: string }> {
  const shape = `${m}x${k}x${n}`;
  try {
    const spec: string = '../trainer/runtime/ceiling.ts'; // a variable: the module may not exist in every checkout
    const mod = (await import(spec)) as { measureMatmulGflops?: CeilingFn };
    if (typeof mod.measureMatmulGflops === 'function') {
      return {
        gflops: mod.measureMatmulGflops(m, k, n, { repeats: 5 }).gflops,
        source: `ceiling.ts measureMatmulGflops ${shape}`,
      };
    }
  } catch {
    // fall through to the local measurement
  }
  const a = tf.randomNormal([m, k]);
  const b = tf.randomNormal([k, n]);
  const seconds = await time(5, () => {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
  });
  tf.dispose([a, b]);
  return { gflops: (2 * m * k * n) / seconds / 1e9, source: `local matMul ${shape}` };
}

function randomIds(batch: number, seq: number, vocab: number, seed: number): number[][] {
  let s = seed;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) % vocab;
  return Array.from({ length: batch }, () => Array.from({ length: seq }, next));
}

interface Row {
  backend: string;
  batch: string;
  ceiling: number;
  ceilingSource: string;
  fwdTokens: number;
  fwdGflops: number;
  stepSeconds: number;
  stepGflops: number;
  genTokens: number;
}

async function benchBackend(name: BackendName, batch: number, seq: number): Promise<Row> {
  await initBackend(name, { quiet: true });
  const ceiling = await matmulCeiling(batch * seq, CONFIG.hiddenSize, CONFIG.intermediateSize);
  const model = LlamaModel.fromHostTensors(CONFIG, tinyWeights(CONFIG, 1));
  const ids = randomIds(batch, seq + 1, CONFIG.vocabSize, 7);
  const inputs = ids.map((r) => r.slice(0, seq));
  const targets = ids.map((r) => r.slice(1));

  const progress = (what: string, seconds: number) => console.log(`  ${name} ${what}: ${seconds.toFixed(3)} s`);
  console.log(`  ${name} matmul ceiling: ${ceiling.gflops.toFixed(1)} GFLOP/s`);
  const fwdSeconds = await time(2, () => {
    tf.tidy(() => {
      const ctx = createContext(CONFIG, { batch, seqLen: seq });
      model.forward(tokenIds(inputs, CONFIG.vocabSize), ctx).dataSync();
    });
  });

  progress('forward', fwdSeconds);

  // Train step: the tuned matrix becomes a Variable in the weights map; Adam updates it in place.
  const original = model.weights.get(TUNED)!;
  const variable = tf.variable(original, true, `bench-${name}`);
  model.weights.set(TUNED, variable);
  const optimizer = tf.train.adam(5e-4);
  const stepSeconds = await time(2, () => {
    const loss = optimizer.minimize(
      () => {
        const ctx = createContext(CONFIG, { batch, seqLen: seq });
        const logits = tf.reshape(model.forward(tokenIds(inputs, CONFIG.vocabSize), ctx), [
          batch * seq,
          CONFIG.vocabSize,
        ]);
        // Cross-entropy through a one-hot product rather than a gather: the gather gradient (UnsortedSegmentSum)
        // of tfjs-backend-cpu costs O(segments x rows) and takes minutes here.
        const oneHot = tf.oneHot(tf.tensor1d(targets.flat(), 'int32'), CONFIG.vocabSize);
        return tf.neg(tf.div(tf.sum(tf.mul(tf.logSoftmax(logits), oneHot)), batch * seq)) as tf.Scalar;
      },
      true,
      [variable],
    );
    loss?.dataSync();
    loss?.dispose();
  });
  progress('train step', stepSeconds);
  optimizer.dispose();
  model.weights.set(TUNED, original);
  variable.dispose();

  const newTokens = 32;
  const genSeconds = await time(1, async () => {
    await generateIds(model, [inputs[0]!.slice(0, 8)], { maxNewTokens: newTokens, eosTokenIds: [] });
  });
  model.dispose();

  return {
    backend: name,
    batch: `${batch}x${seq}`,
    ceiling: ceiling.gflops,
    ceilingSource: ceiling.source,
    fwdTokens: (batch * seq) / fwdSeconds,
    fwdGflops: forwardFlops(CONFIG, batch, seq) / fwdSeconds / 1e9,
    stepSeconds,
    stepGflops: trainStepFlops(CONFIG, batch, seq) / stepSeconds / 1e9,
    genTokens: newTokens / genSeconds,
  };
}

function table(rows: Row[]): string {
  const header = [
    'backend',
    'batch',
    'matmul ceiling GF/s',
    'forward tok/s',
    'forward GF/s (% ceil)',
    'train step s',
    'train GF/s (% ceil)',
    'generate tok/s',
  ];
  const pct = (x: number, c: number) => `${x.toFixed(1)} (${((100 * x) / c).toFixed(0)}%)`;
  const body = rows.map((r) => [
    r.backend,
    r.batch,
    r.ceiling.toFixed(1),
    r.fwdTokens.toFixed(0),
    pct(r.fwdGflops, r.ceiling),
    r.stepSeconds.toFixed(3),
    pct(r.stepGflops, r.ceiling),
    r.genTokens.toFixed(1),
  ]);
  return markdownTable(header, body);
}

async function main(): Promise<void> {
  const wanted = process.env['BENCH_BACKENDS']?.split(',').map((s) => s.trim()) ?? [
    'tensorflow',
    'wasm-blas',
    'wasm',
    'cpu',
  ];
  const seq = Number(process.env['BENCH_SEQ'] ?? 32);
  const rows: Row[] = [];
  for (const name of wanted as BackendName[]) {
    const why = await backendUnavailableReason(name);
    if (why !== undefined) {
      console.log(`${name}: unavailable (${why.split('\n')[0]})`);
      continue;
    }
    const batch = Number(process.env['BENCH_BATCH'] ?? (name === 'cpu' ? 8 : 64));
    console.log(`${name}: measuring (batch ${batch}x${seq}) ...`);
    rows.push(await benchBackend(name, batch, seq));
  }
  const c = CONFIG;
  console.log(
    `\nmodel: llama, hidden ${c.hiddenSize}, intermediate ${c.intermediateSize}, ${c.numLayers} layers, ${c.numHeads} heads / ${c.numKvHeads} kv, vocab ${c.vocabSize}; train step tunes ${TUNED}`,
  );
  console.log(`ceiling source: ${[...new Set(rows.map((r) => r.ceilingSource))].join(', ')}\n`);
  console.log(table(rows));
  const cpu = rows.find((r) => r.backend === 'cpu');
  if (cpu && rows.length > 1) {
    // Throughputs (GFLOP/s), so backends measured with different batch sizes compare fairly.
    const ratios = rows
      .filter((r) => r !== cpu)
      .map(
        (r) =>
          `${r.backend} forward x${(r.fwdGflops / cpu.fwdGflops).toFixed(1)}, train x${(r.stepGflops / cpu.stepGflops).toFixed(1)}`,
      );
    console.log(`\nthroughput vs cpu (same process): ${ratios.join('; ')}`);
  }
}

await main();
