import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HfTokenizer, loadHfTokenizer } from '../trainer/tokenizer/hf-tokenizer.ts';
import { createTinyCheckpoint, tinyTokenizerFiles } from './helpers/tiny-checkpoint.ts';

const text = 'The capital of Peru is Lima. Its CEO?  héllo 東京 🙂\nnew line';

for (const style of ['llama', 'qwen2'] as const) {
  test(`${style}: decode(encode(text)) round-trips arbitrary UTF-8`, (t) => {
    const files = tinyTokenizerFiles(style);
    const tok = new HfTokenizer(files.tokenizerJson, files.tokenizerConfig);
    t.is(tok.decode(tok.encode(text, { addSpecialTokens: false })), text);
    t.is(tok.decode(tok.encode(text), { skipSpecialTokens: true }), text);
    t.is(tok.vocabSize, files.size);
  });
}

test('llama style: BOS is prepended only with special tokens; merges apply', (t) => {
  const files = tinyTokenizerFiles('llama');
  const tok = new HfTokenizer(files.tokenizerJson, files.tokenizerConfig);
  t.is(tok.bosTokenId, files.special.bos);
  t.is(tok.eosTokenId, files.special.eos);
  t.is(tok.padTokenId, null);
  const withSpecial = tok.encode(' the cap');
  const plain = tok.encode(' the cap', { addSpecialTokens: false });
  t.deepEqual(withSpecial, [files.special.bos!, ...plain]);
  t.deepEqual(plain, [tok.tokenToId('Ġthe')!, tok.tokenToId('Ġcap')!]);
  t.is(tok.decode(withSpecial), '<s> the cap');
  t.is(tok.decode(withSpecial, { skipSpecialTokens: true }), ' the cap');
});

test('qwen2 style: no BOS, special tokens in text map to their ids, eos/pad from tokenizer_config', (t) => {
  const files = tinyTokenizerFiles('qwen2');
  const tok = new HfTokenizer(files.tokenizerJson, files.tokenizerConfig);
  t.is(tok.bosTokenId, null);
  t.is(tok.eosTokenId, files.special.eos);
  t.is(tok.padTokenId, files.special.eos);
  const ids = tok.encode('Hi<|endoftext|>');
  t.is(ids.at(-1), files.special.eos);
  t.is(tok.encode('Hi').length, ids.length - 1);
  t.true(tok.isSpecial(files.special.eos));
  t.false(tok.isSpecial(ids[0]!));
  t.is(tok.idToToken(files.special.eos), '<|endoftext|>');
});

test('decode skips ids the tokenizer does not know and handles empty input', (t) => {
  const files = tinyTokenizerFiles('qwen2');
  const tok = new HfTokenizer(files.tokenizerJson, files.tokenizerConfig);
  const hi = tok.encode('Hi');
  t.is(tok.decode([...hi, tok.vocabSize + 2, -1]), 'Hi');
  t.is(tok.decode([]), '');
  t.is(tok.decode([tok.vocabSize]), '');
});

test('loadHfTokenizer reads a checkpoint folder; bad files are clear errors', async (t) => {
  const ckpt = await createTinyCheckpoint({ style: 'llama', numLayers: 1 });
  try {
    const tok = await loadHfTokenizer(ckpt.dir);
    t.is(tok.decode(tok.encode('x y z'), { skipSpecialTokens: true }), 'x y z');
  } finally {
    await ckpt.cleanup();
  }
  const dir = await mkdtemp(join(tmpdir(), 'tok-bad-'));
  try {
    await t.throwsAsync(loadHfTokenizer(dir), { message: /missing tokenizer\.json/ });
    const files = tinyTokenizerFiles('llama');
    await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(files.tokenizerJson));
    await writeFile(
      join(dir, 'tokenizer_config.json'),
      JSON.stringify({ ...files.tokenizerConfig, eos_token: { content: '<nope>' } }),
    );
    await t.throwsAsync(loadHfTokenizer(dir), { message: /"eos_token" "<nope>" is not in the vocabulary/ });
    await writeFile(join(dir, 'tokenizer_config.json'), '{oops');
    await t.throwsAsync(loadHfTokenizer(dir), { message: /tokenizer_config\.json: not valid JSON/ });
    await writeFile(join(dir, 'tokenizer_config.json'), '{}');
    const noConfig = await loadHfTokenizer(dir);
    t.is(noConfig.eosTokenId, null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
