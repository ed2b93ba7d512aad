import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer } from '@huggingface/tokenizers';
import test from 'ava';
import { buildCorpus } from '../trainer/basemodel/corpus.ts';
import { Rng } from '../trainer/basemodel/rng.ts';
import { generateWorld, WORLD_PRESETS } from '../trainer/basemodel/world.ts';
import { BYTE_TO_CHAR, pretokenize, utf8Bytes } from '../trainer/tokenizer/bpe-bytes.ts';
import { BpeTokenizer } from '../trainer/tokenizer/bpe-encoder.ts';
import {
  fromTokenizerJson,
  readTokenizerModel,
  TOKENIZER_CONFIG_FILE,
  TOKENIZER_FILE,
  toTokenizerJson,
  writeTokenizerFiles,
} from '../trainer/tokenizer/bpe-json.ts';
import {
  BASE_VOCAB_SIZE,
  BOS_ID,
  type BpeModel,
  EOS_ID,
  PAD_ID,
  SPECIAL_TOKENS,
} from '../trainer/tokenizer/bpe-model.ts';
import { trainBpe } from '../trainer/tokenizer/bpe-trainer.ts';

const corpus = buildCorpus(generateWorld({ seed: 3, ...WORLD_PRESETS.small }), { edits: 100 });
const worldModel = trainBpe(corpus.pretrain, { vocabSize: 1024 });
const worldTokenizer = new BpeTokenizer(worldModel);

// ---------------------------------------------------------------------------------------------------------------
// Arbitrary text

const PIECES = [
  ' ',
  '  ',
  '\n',
  '\r\n',
  '\t',
  '\u00a0',
  '\u3000',
  '\u0000',
  '\uFEFF',
  'a',
  'Z',
  'the',
  ' the',
  'Tessik',
  '42',
  '3.14',
  "'s",
  "'ll",
  "n't",
  '!',
  '?!',
  '...',
  '—',
  '«',
  '»',
  '"',
  'é',
  'e\u0301',
  'ß',
  'ñ',
  'Ω',
  'Привет',
  'مرحبا',
  'שלום',
  '日本語',
  '中文',
  '한국어',
  '😀',
  '👩‍👩‍👧',
  '🇫🇷',
  '𝔘𝔫𝔦',
  '<|eos|>',
  '<|bos|>',
  '<|pad|>',
  '<|eo',
  '|>',
  '<|',
  '\u200b',
];

/** Random well-formed UTF-16 text: template pieces and random code points from all planes. */
function randomText(rng: Rng, maxPieces = 12): string {
  let s = '';
  const n = rng.intBetween(0, maxPieces);
  for (let i = 0; i < n; i++) {
    if (rng.bool(0.7)) s += rng.pick(PIECES);
    else {
      let cp = rng.bool(0.5) ? rng.int(0x800) : rng.int(0x110000);
      if (cp >= 0xd800 && cp <= 0xdfff) cp -= 0x800; // surrogate code points are not characters
      s += String.fromCodePoint(cp);
    }
  }
  return s;
}

/** What TextEncoder (and so byte-level BPE) makes of lone surrogates: U+FFFD. */
function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** Loads the model through the FILES, as a user of the checkpoint would. */
async function loadHf(model: BpeModel): Promise<Tokenizer> {
  const dir = await mkdtemp(join(tmpdir(), 'editledger-bpe-'));
  try {
    await writeTokenizerFiles(dir, model);
    const json = JSON.parse(await readFile(join(dir, TOKENIZER_FILE), 'utf8')) as object;
    const config = JSON.parse(await readFile(join(dir, TOKENIZER_CONFIG_FILE), 'utf8')) as object;
    return new Tokenizer(json, config);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// A second model trained on multilingual text, so merges over multi-byte characters are exercised too.
const mixedTexts = (() => {
  const rng = new Rng('mixed-corpus');
  const out: string[] = [];
  for (let i = 0; i < 3000; i++) out.push(randomText(rng, 20));
  return out;
})();
const mixedModel = trainBpe(mixedTexts, { vocabSize: 800 });

// ---------------------------------------------------------------------------------------------------------------
// Trainer

/** Reference trainer: recounts every pair before each merge (slow, obviously right). Same tie-break rule. */
function naiveTrain(texts: readonly string[], vocabSize: number, minFrequency: number): BpeModel {
  const freq = new Map<string, number>();
  for (const t of texts) for (const w of pretokenize(t)) freq.set(w, (freq.get(w) ?? 0) + 1);
  const distinct = [...freq.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  let words = distinct.map((w) => Array.from(utf8Bytes(w), (b) => 3 + b));
  const counts = distinct.map((w) => freq.get(w) as number);
  const vocab = [SPECIAL_TOKENS.bos, SPECIAL_TOKENS.eos, SPECIAL_TOKENS.pad, ...BYTE_TO_CHAR];
  const merges: [string, string][] = [];
  const done = new Set<string>();
  while (vocab.length < vocabSize) {
    const pairs = new Map<string, { a: number; b: number; n: number }>();
    words.forEach((w, i) => {
      for (let k = 0; k + 1 < w.length; k++) {
        const key = `${w[k]},${w[k + 1]}`;
        const entry = pairs.get(key) ?? { a: w[k] as number, b: w[k + 1] as number, n: 0 };
        entry.n += counts[i] as number;
        pairs.set(key, entry);
      }
    });
    let best: { a: number; b: number; n: number } | undefined;
    for (const p of pairs.values()) {
      if (best === undefined || p.n > best.n || (p.n === best.n && (p.a < best.a || (p.a === best.a && p.b < best.b))))
        best = p;
    }
    if (best === undefined || best.n < minFrequency) break;
    const { a, b } = best;
    const token = (vocab[a] as string) + (vocab[b] as string);
    let id = vocab.indexOf(token);
    if (id < 0) id = vocab.push(token) - 1;
    if (!done.has(`${a},${b}`)) merges.push([vocab[a] as string, vocab[b] as string]);
    done.add(`${a},${b}`);
    words = words.map((w) => {
      const out: number[] = [];
      for (let k = 0; k < w.length; k++) {
        if (w[k] === a && w[k + 1] === b && k + 1 < w.length) {
          out.push(id);
          k++;
        } else out.push(w[k] as number);
      }
      return out;
    });
  }
  return { vocab, merges };
}

test('trainer: incremental pair counts give exactly the merges of a full recount', (t) => {
  const texts = corpus.pretrain.slice(0, 1500);
  t.deepEqual(trainBpe(texts, { vocabSize: 600 }), naiveTrain(texts, 600, 2));
  const mixed = mixedTexts.slice(0, 600);
  t.deepEqual(trainBpe(mixed, { vocabSize: 420 }), naiveTrain(mixed, 420, 2));
  // Repetitive text where merges overlap ("aaaa") and re-create existing tokens.
  const runs = ['aaaa aaa aa a', 'abababab abab', 'aaab baaa', 'abcabcabc cab'];
  t.deepEqual(trainBpe(runs, { vocabSize: 300, minFrequency: 1 }), naiveTrain(runs, 300, 1));
});

test('trainer: deterministic, independent of text order, ties broken by token id', (t) => {
  const again = trainBpe(corpus.pretrain, { vocabSize: 1024 });
  t.deepEqual(again, worldModel);
  t.deepEqual(trainBpe([...corpus.pretrain].reverse(), { vocabSize: 1024 }), worldModel);
  // "cd" and "ab" occur equally often: the pair with the smaller left id ('a' < 'c') is merged first.
  const tie = trainBpe(['cd', 'ab', 'cd', 'ab'], { vocabSize: BASE_VOCAB_SIZE + 2 });
  t.deepEqual(tie.merges, [
    ['a', 'b'],
    ['c', 'd'],
  ]);
  t.deepEqual(tie.vocab.slice(BASE_VOCAB_SIZE), ['ab', 'cd']);
});

test('trainer: vocabulary layout, size and minimum frequency', (t) => {
  t.is(worldModel.vocab.length, 1024);
  t.deepEqual(worldModel.vocab.slice(0, 3), ['<|bos|>', '<|eos|>', '<|pad|>']);
  t.is(worldModel.vocab[3 + 32], 'Ġ');
  // Only pairs seen at least twice are merged, so a tiny corpus stops early.
  const small = trainBpe(['xy'], { vocabSize: 2048 });
  t.is(small.vocab.length, BASE_VOCAB_SIZE);
  t.is(trainBpe(['xy'], { vocabSize: 2048, minFrequency: 1 }).vocab.length, BASE_VOCAB_SIZE + 1);
  t.throws(() => trainBpe([], { vocabSize: 10 }), { message: /vocabSize/ });
});

test('trainer: progress reports reach the target', (t) => {
  const seen: number[] = [];
  trainBpe(corpus.pretrain, { vocabSize: 700 }, (done, total) => {
    t.is(total, 700 - BASE_VOCAB_SIZE);
    seen.push(done);
  });
  t.true(seen.length > 3);
  t.is(seen.at(-1), 700 - BASE_VOCAB_SIZE);
});

// ---------------------------------------------------------------------------------------------------------------
// tokenizer.json and @huggingface/tokenizers

test('json: tokenizer.json round-trips to the same model; bad files are rejected by field', async (t) => {
  t.deepEqual(fromTokenizerJson(JSON.parse(JSON.stringify(toTokenizerJson(worldModel)))), worldModel);
  const dir = await mkdtemp(join(tmpdir(), 'editledger-bpe-'));
  try {
    const files = await writeTokenizerFiles(dir, worldModel);
    t.deepEqual(
      files.map((f) => f.name),
      [TOKENIZER_FILE, TOKENIZER_CONFIG_FILE],
    );
    t.deepEqual(await readTokenizerModel(dir), worldModel);
    const again = await writeTokenizerFiles(dir, worldModel);
    t.deepEqual(again, files, 'same model -> same bytes');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const json = toTokenizerJson(worldModel) as { model: { type: string } };
  t.throws(() => fromTokenizerJson({ ...json, model: { ...json.model, type: 'WordPiece' } }), {
    message: /model\.type/,
  });
  t.throws(() => fromTokenizerJson({ ...json, model: { ...json.model, merges: ['a b c'] } }), {
    message: /merges\[0\]/,
  });
});

test('hf: loads tokenizer.json and encodes the corpus exactly like our encoder', async (t) => {
  const hf = await loadHf(worldModel);
  const lines = [
    ...corpus.pretrain.slice(0, 3000),
    ...corpus.heldout,
    ...corpus.edits.map((e) => `${e.prompt} ${e.target_new}`),
  ];
  for (const line of lines) {
    const ours = worldTokenizer.encode(line);
    const theirs = hf.encode(line).ids;
    if (ours.join() !== theirs.join()) return t.fail(`${JSON.stringify(line)}: ${ours} vs ${theirs}`);
  }
  t.is(
    hf.encode('x', { add_special_tokens: false }).ids.length,
    worldTokenizer.encode('x', { addSpecialTokens: false }).length,
  );
  t.pass();
});

test('hf: identical ids on arbitrary UTF-8, incl. emoji, CJK, controls, special-token strings, lone surrogates', async (t) => {
  for (const model of [worldModel, mixedModel]) {
    const ours = new BpeTokenizer(model);
    const hf = await loadHf(model);
    const rng = new Rng(`arbitrary-${model.vocab.length}`);
    for (let i = 0; i < 1500; i++) {
      let text = randomText(rng);
      if (i % 5 === 0) text += rng.pick(['\uD800', '\uDC00', 'a\uDBFFb', '\uDFFF\uD800']);
      const a = ours.encode(text);
      const b = hf.encode(text).ids;
      if (a.join() !== b.join()) return t.fail(`${JSON.stringify(text)}: ${a} vs ${b}`);
      const c = ours.encode(text, { addSpecialTokens: false });
      const d = hf.encode(text, { add_special_tokens: false }).ids;
      if (c.join() !== d.join()) return t.fail(`no specials ${JSON.stringify(text)}: ${c} vs ${d}`);
    }
  }
  // Merges over multi-byte characters were learned and are used.
  t.true(mixedModel.vocab.some((tok) => [...tok].some((ch) => ch.charCodeAt(0) >= 0x80) && tok.length > 1));
});

test('hf: identical ids on real ZsRE prompts (../shared/datasets/zsre_3k.json)', async (t) => {
  const path = fileURLToPath(new URL('../../shared/datasets/zsre_3k.json', import.meta.url));
  if (!existsSync(path)) {
    t.log(`SKIPPED: ${path} is absent, so the real-text comparison did not run`);
    t.pass();
    return;
  }
  const records = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>[];
  const hf = await loadHf(worldModel);
  let compared = 0;
  for (const r of records) {
    for (const key of ['src', 'rephrase', 'loc', 'alt', 'pred']) {
      const text = r[key];
      if (typeof text !== 'string') continue;
      const ours = worldTokenizer.encode(text);
      const theirs = hf.encode(text).ids;
      if (ours.join() !== theirs.join()) return t.fail(`${key}: ${JSON.stringify(text)}`);
      t.is(worldTokenizer.decode(ours.slice(1)), text);
      compared++;
    }
  }
  t.log(`compared ${compared} ZsRE strings`);
  t.true(compared > 10_000);
});

// ---------------------------------------------------------------------------------------------------------------
// Round trip and special tokens

test('decode(encode(x)) == x for arbitrary UTF-8 (lone surrogates become U+FFFD, as in ByteLevel)', async (t) => {
  const hf = await loadHf(mixedModel);
  const ours = new BpeTokenizer(mixedModel);
  const rng = new Rng('round-trip');
  for (let i = 0; i < 2000; i++) {
    const text = randomText(rng, 16) + (i % 7 === 0 ? '\uD83D' : '');
    const ids = ours.encode(text, { addSpecialTokens: false });
    const expected = wellFormed(text);
    if (ours.decode(ids) !== expected) return t.fail(`ours: ${JSON.stringify(text)}`);
    if (ids.length > 0 && hf.decode(ids) !== expected) return t.fail(`hf: ${JSON.stringify(text)}`);
    const withBos = ours.encode(text);
    t.is(withBos[0], BOS_ID);
    if (ours.decode(withBos, { skipSpecialTokens: true }) !== expected.replace(/<\|(bos|eos|pad)\|>/g, '')) {
      return t.fail(`skip specials: ${JSON.stringify(text)}`);
    }
  }
  t.is(ours.decode([]), '');
  t.throws(() => ours.decode([5, 99_999]), { message: /ids\[1\]/ });
});

test('special tokens are single ids, in text and in both encoders', async (t) => {
  const hf = await loadHf(worldModel);
  t.deepEqual([worldTokenizer.bosId, worldTokenizer.eosId, worldTokenizer.padId], [BOS_ID, EOS_ID, PAD_ID]);
  for (const [name, id] of [
    [SPECIAL_TOKENS.bos, BOS_ID],
    [SPECIAL_TOKENS.eos, EOS_ID],
    [SPECIAL_TOKENS.pad, PAD_ID],
  ] as const) {
    t.deepEqual(worldTokenizer.encode(name, { addSpecialTokens: false }), [id]);
    t.deepEqual(hf.encode(name, { add_special_tokens: false }).ids, [id]);
    t.is(hf.token_to_id(name), id);
    t.is(worldTokenizer.tokenToId(name), id);
  }
  const ids = worldTokenizer.encode('Tessik<|eos|><|pad|>x');
  t.deepEqual(ids.slice(0, 1), [BOS_ID]);
  t.is(ids.filter((i) => i === EOS_ID).length, 1);
  t.is(ids.filter((i) => i === PAD_ID).length, 1);
  t.is(worldTokenizer.decode(ids), '<|bos|>Tessik<|eos|><|pad|>x');
  t.is(hf.decode(ids), '<|bos|>Tessik<|eos|><|pad|>x');
});

test('edit prompts: encode(prompt + " " + target) == encode(prompt) ++ encode(" " + target)', (t) => {
  for (const e of corpus.edits) {
    const whole = worldTokenizer.encode(`${e.prompt} ${e.target_new}`);
    const parts = [
      ...worldTokenizer.encode(e.prompt),
      ...worldTokenizer.encode(` ${e.target_new}`, { addSpecialTokens: false }),
    ];
    t.deepEqual(whole, parts, e.prompt);
  }
});
