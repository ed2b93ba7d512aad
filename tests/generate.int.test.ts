import test from 'ava';
import { Writable } from 'node:stream';
import { command as generateCommand } from '../infra/cli/commands/generate.ts';
import type { CliIO } from '../infra/cli/command.ts';
import { initBackend, tf } from '../trainer/runtime/backend.ts';
import { generate, generateIds, makeSampler } from '../trainer/generate.ts';
import type { GenerateOptions } from '../trainer/generate.ts';
import { loadLlamaModel } from '../trainer/model/llama.ts';
import type { LlamaModel } from '../trainer/model/llama.ts';
import { loadHfTokenizer } from '../trainer/tokenizer/hf-tokenizer.ts';
import type { HfTokenizer } from '../trainer/tokenizer/hf-tokenizer.ts';
import { createTinyCheckpoint } from './helpers/tiny-checkpoint.ts';
import type { TinyCheckpoint, TinyStyle } from './helpers/tiny-checkpoint.ts';

interface Loaded {
  ckpt: TinyCheckpoint;
  model: LlamaModel;
  tokenizer: HfTokenizer;
}
const loaded = new Map<TinyStyle, Loaded>();

test.before(async () => {
  await initBackend('wasm', { quiet: true });
  for (const style of ['llama', 'qwen2'] as const) {
    const ckpt = await createTinyCheckpoint({ style, seed: 5 });
    loaded.set(style, { ckpt, model: await loadLlamaModel(ckpt.dir), tokenizer: await loadHfTokenizer(ckpt.dir) });
  }
});

test.after.always(async () => {
  for (const { ckpt, model } of loaded.values()) {
    model.dispose();
    await ckpt.cleanup();
  }
});

const PROMPTS = ['The capital of Peru is', 'CEO', 'Where is the Eiffel tower? It is in'];
// No EOS during these comparisons: random tiny models may emit it early, which would shorten what is compared.
const NO_EOS: GenerateOptions = { eosTokenIds: [], maxNewTokens: 12 };

for (const style of ['llama', 'qwen2'] as const) {
  test.serial(
    `${style}: KV-cache generation equals no-cache generation token for token (batched, left-padded)`,
    async (t) => {
      const { model, tokenizer } = loaded.get(style)!;
      const prompts = PROMPTS.map((p) => tokenizer.encode(p));
      const cached = await generateIds(model, prompts, NO_EOS);
      const uncached = await generateIds(model, prompts, { ...NO_EOS, useCache: false });
      t.deepEqual(cached, uncached);
      t.true(cached.every((r) => r.ids.length === 12 && r.finishReason === 'length'));
      // Not a degenerate model: the rows differ.
      t.notDeepEqual(cached[0]!.ids, cached[1]!.ids);
    },
  );

  test.serial(`${style}: batched generation equals one prompt at a time`, async (t) => {
    const { model, tokenizer } = loaded.get(style)!;
    const before = tf.memory().numTensors;
    const batched = await generate(model, tokenizer, PROMPTS, { maxNewTokens: 10 });
    for (const [i, prompt] of PROMPTS.entries()) {
      const [alone] = await generate(model, tokenizer, [prompt], { maxNewTokens: 10 });
      t.deepEqual(batched[i], alone, `prompt ${i}`);
    }
    t.is(tf.memory().numTensors, before, 'generation frees every tensor it creates');
  });
}

test.serial('EOS ends a row (reason eos); the text excludes it; other rows continue', async (t) => {
  const { model, tokenizer } = loaded.get('llama')!;
  const free = await generateIds(model, [tokenizer.encode(PROMPTS[0]!), tokenizer.encode(PROMPTS[2]!)], {
    eosTokenIds: [],
    maxNewTokens: 10,
  });
  const eosId = free[0]!.ids[3]!;
  const cutAt = free[0]!.ids.indexOf(eosId) + 1;
  const got = await generateIds(model, [tokenizer.encode(PROMPTS[0]!), tokenizer.encode(PROMPTS[2]!)], {
    eosTokenIds: [eosId],
    maxNewTokens: 10,
  });
  t.deepEqual(got[0], { ids: free[0]!.ids.slice(0, cutAt), finishReason: 'eos' });
  const row1End = free[1]!.ids.indexOf(eosId);
  t.deepEqual(got[1]!.ids, row1End >= 0 ? free[1]!.ids.slice(0, row1End + 1) : free[1]!.ids);

  // Through generate(): the model's own EOS id, decoded text without it.
  const [withEos] = await generate(model, tokenizer, [PROMPTS[0]!], { maxNewTokens: 10, eosTokenIds: [eosId] });
  t.is(withEos!.finishReason, 'eos');
  t.is(withEos!.text, tokenizer.decode(free[0]!.ids.slice(0, cutAt - 1), { skipSpecialTokens: true }));
});

test.serial('stop strings end generation and cut the text before the stop string', async (t) => {
  const { model, tokenizer } = loaded.get('llama')!;
  const [free] = await generate(model, tokenizer, [PROMPTS[0]!], { maxNewTokens: 16, eosTokenIds: [] });
  // Pick a stop string from the middle of the free-running continuation.
  const text = free!.text;
  let at = Math.floor(text.length / 2);
  while (at < text.length - 2 && /\uFFFD/.test(text.slice(at, at + 2))) at++;
  const stop = text.slice(at, at + 2);
  t.true(stop.length === 2 && !stop.includes('\uFFFD'), `usable stop string in ${JSON.stringify(text)}`);
  const [stopped] = await generate(model, tokenizer, [PROMPTS[0]!], {
    maxNewTokens: 16,
    eosTokenIds: [],
    stop: ['zzzz-never', stop],
  });
  t.is(stopped!.finishReason, 'stop');
  t.is(stopped!.text, text.slice(0, text.indexOf(stop)));
  t.true(stopped!.ids.length <= free!.ids.length);
  t.deepEqual(stopped!.ids, free!.ids.slice(0, stopped!.ids.length));
  const [limited] = await generate(model, tokenizer, [PROMPTS[0]!], { maxNewTokens: 3, eosTokenIds: [] });
  t.is(limited!.finishReason, 'length');
  t.is(limited!.ids.length, 3);
});

test.serial('seeded sampling is reproducible, seed-dependent, and top-p -> 0 equals greedy', async (t) => {
  const { model, tokenizer } = loaded.get('qwen2')!;
  const opts = { maxNewTokens: 12, eosTokenIds: [], temperature: 1.0, topP: 0.95 };
  const a = await generate(model, tokenizer, PROMPTS, { ...opts, seed: 7 });
  const b = await generate(model, tokenizer, PROMPTS, { ...opts, seed: 7 });
  const c = await generate(model, tokenizer, PROMPTS, { ...opts, seed: 8 });
  t.deepEqual(a, b);
  t.notDeepEqual(
    a.map((r) => r.ids),
    c.map((r) => r.ids),
  );
  // Row 0 draws from stream (seed, 0) whatever else is in the batch.
  const [first] = await generate(model, tokenizer, [PROMPTS[0]!], { ...opts, seed: 7 });
  t.deepEqual(first, a[0]);
  const greedy = await generate(model, tokenizer, PROMPTS, { maxNewTokens: 12, eosTokenIds: [] });
  const nucleusOfOne = await generate(model, tokenizer, PROMPTS, { ...opts, topP: 1e-9, seed: 3 });
  t.deepEqual(nucleusOfOne, greedy);
});

test('sampler frequencies follow softmax(logits / T) and top-p drops the tail', (t) => {
  const logits = Float32Array.from([2, 1, 0, -1]);
  const draws = 20000;
  const count = (temperature: number, topP: number) => {
    const sample = makeSampler(1, 0, temperature, topP);
    const n = [0, 0, 0, 0];
    for (let i = 0; i < draws; i++) n[sample(logits)]!++;
    return n.map((x) => x / draws);
  };
  const softmax = (T: number) => {
    const e = [...logits].map((l) => Math.exp(l / T));
    const z = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / z);
  };
  for (const T of [1, 0.5]) {
    const want = softmax(T);
    count(T, 1).forEach((f, i) => t.true(Math.abs(f - want[i]!) < 0.015, `T=${T} token ${i}: ${f} vs ${want[i]}`));
  }
  // p = softmax(1) ~ [0.644, 0.237, 0.087, 0.032]; top-p 0.8 keeps tokens 0 and 1 only, renormalised.
  const p = softmax(1);
  const nucleus = count(1, 0.8);
  t.is(nucleus[2], 0);
  t.is(nucleus[3], 0);
  t.true(Math.abs(nucleus[0]! - p[0]! / (p[0]! + p[1]!)) < 0.015);
});

test.serial('invalid options are clear errors', async (t) => {
  const { model, tokenizer } = loaded.get('qwen2')!;
  await t.throwsAsync(generate(model, tokenizer, [''], {}), { message: /prompts\[0\]: encodes to no tokens/ });
  await t.throwsAsync(generate(model, tokenizer, ['x'], { temperature: -1 }), { message: /temperature must be >= 0/ });
  await t.throwsAsync(generate(model, tokenizer, ['x'], { topP: 0 }), { message: /topP must be in \(0, 1\]/ });
  await t.throwsAsync(generate(model, tokenizer, ['x'], { maxNewTokens: 1.5 }), {
    message: /maxNewTokens must be a non-negative integer/,
  });
});

function capture(): { io: CliIO; out: () => string; err: () => string } {
  const chunks = { out: [] as string[], err: [] as string[] };
  const sink = (into: string[]) =>
    new Writable({
      write(chunk, _enc, done) {
        into.push(String(chunk));
        done();
      },
    });
  return {
    io: { stdout: sink(chunks.out), stderr: sink(chunks.err), env: {}, cwd: '/' },
    out: () => chunks.out.join(''),
    err: () => chunks.err.join(''),
  };
}

test.serial(
  'editledger generate: --json output equals generate(); usage and load errors have their exit codes',
  async (t) => {
    const { ckpt, model, tokenizer } = loaded.get('qwen2')!;
    const c = capture();
    const code = await generateCommand.run(
      [
        '--model',
        ckpt.dir,
        '--json',
        '--max-tokens',
        '6',
        '--temperature',
        '0.8',
        '--top-p',
        '0.9',
        '--seed',
        '4',
        '--stop',
        'zz',
        PROMPTS[0]!,
        PROMPTS[1]!,
      ],
      c.io,
    );
    t.is(code, 0, c.err());
    const want = await generate(model, tokenizer, [PROMPTS[0]!, PROMPTS[1]!], {
      maxNewTokens: 6,
      temperature: 0.8,
      topP: 0.9,
      seed: 4,
      stop: ['zz'],
    });
    t.deepEqual(
      JSON.parse(c.out()),
      want.map((r) => ({
        prompt: r.prompt,
        completion: r.text,
        finishReason: r.finishReason,
        promptTokens: r.promptIds.length,
        tokens: r.ids,
      })),
    );

    const plain = capture();
    t.is(await generateCommand.run(['--model', ckpt.dir, '--max-tokens', '4', 'Hello'], plain.io), 0);
    const [greedy] = await generate(model, tokenizer, ['Hello'], { maxNewTokens: 4 });
    t.is(plain.out(), `Hello${greedy!.text}\n`);

    const cases: Array<[string[], number, RegExp]> = [
      [['x'], 2, /give exactly one of --model DIR or --version V/],
      [['--model', ckpt.dir, '--version', '#1', 'x'], 2, /give exactly one of --model DIR or --version V/],
      [['--model', ckpt.dir], 2, /at least one prompt/],
      [['--model', ckpt.dir, '--top-p', '1.5', 'x'], 2, /--top-p: must be in \(0, 1\], got "1.5"/],
      [['--model', ckpt.dir, '--max-tokens', 'ten', 'x'], 2, /--max-tokens: must be a non-negative integer/],
      [['--model', ckpt.dir, '--bogus', 'x'], 2, /Unknown option '--bogus'/],
      [
        ['--model', '/nonexistent/model', 'x'],
        3,
        /cannot load model from \/nonexistent\/model: .*missing tokenizer\.json/,
      ],
    ];
    for (const [argv, exit, message] of cases) {
      const e = capture();
      t.is(await generateCommand.run(argv, e.io), exit, argv.join(' '));
      t.regex(e.err(), message);
    }
  },
);
