import test from 'ava';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkpointHash,
  definingFiles,
  readHfCheckpoint,
  writeHfCheckpoint,
} from '../trainer/checkpoint/hf-checkpoint.ts';
import { writeSafetensorsFile } from '../trainer/checkpoint/safetensors.ts';
import type { HostTensor } from '../trainer/checkpoint/safetensors.ts';
import { createTinyCheckpoint } from './helpers/tiny-checkpoint.ts';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'ckpt-'));
}

function sameTensors(a: Map<string, HostTensor>, b: Map<string, HostTensor>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, t] of a) {
    const u = b.get(name);
    if (!u || u.shape.join() !== t.shape.join() || u.data.length !== t.data.length) return false;
    for (let i = 0; i < t.data.length; i++) if (!Object.is(t.data[i], u.data[i])) return false;
  }
  return true;
}

test('single-file and sharded checkpoints load the same tensors', async (t) => {
  const single = await createTinyCheckpoint({ style: 'llama', seed: 7 });
  const sharded = await createTinyCheckpoint({ style: 'llama', seed: 7, shards: 3 });
  try {
    const a = await readHfCheckpoint(single.dir);
    const b = await readHfCheckpoint(sharded.dir);
    t.true(sameTensors(a.tensors, single.tensors));
    t.true(sameTensors(a.tensors, b.tensors));
    t.is(a.config.numKvHeads, 2);
    t.true(a.tensors.has('lm_head.weight'));
    t.deepEqual(await definingFiles(sharded.dir), [
      'config.json',
      'model-00001-of-00003.safetensors',
      'model-00002-of-00003.safetensors',
      'model-00003-of-00003.safetensors',
      'model.safetensors.index.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
  } finally {
    await single.cleanup();
    await sharded.cleanup();
  }
});

test('write -> read round trip; hash is stable, location-independent and content-sensitive', async (t) => {
  const src = await createTinyCheckpoint({ style: 'qwen2' });
  const out1 = await tempDir();
  const out2 = await tempDir();
  try {
    const ckpt = await readHfCheckpoint(src.dir);
    t.false(ckpt.tensors.has('lm_head.weight')); // tied
    const h1 = await writeHfCheckpoint(out1, {
      rawConfig: ckpt.rawConfig,
      tensors: ckpt.tensors,
      tokenizerFrom: src.dir,
    });
    const h2 = await writeHfCheckpoint(out2, {
      rawConfig: ckpt.rawConfig,
      tensors: new Map([...ckpt.tensors].reverse()),
      tokenizerFrom: src.dir,
    });
    t.regex(h1, /^[0-9a-f]{64}$/);
    t.is(h1, h2);
    t.is(await checkpointHash(out1), h1);
    t.deepEqual(await readFile(join(out1, 'tokenizer.json')), await readFile(join(src.dir, 'tokenizer.json')));
    const back = await readHfCheckpoint(out1);
    t.true(sameTensors(back.tensors, ckpt.tensors));
    t.deepEqual(back.rawConfig, ckpt.rawConfig);

    // Files outside the defining set do not change the hash; one changed weight does.
    await writeFile(join(out1, 'README.md'), 'hello');
    t.is(await checkpointHash(out1), h1);
    const changed = new Map(ckpt.tensors);
    const down = changed.get('model.layers.1.mlp.down_proj.weight')!;
    const data = Float32Array.from(down.data);
    data[5] = data[5]! + 1e-3;
    changed.set('model.layers.1.mlp.down_proj.weight', { shape: down.shape, data });
    const h3 = await writeHfCheckpoint(out2, { rawConfig: ckpt.rawConfig, tensors: changed, tokenizerFrom: src.dir });
    t.not(h3, h1);
  } finally {
    await src.cleanup();
    await rm(out1, { recursive: true, force: true });
    await rm(out2, { recursive: true, force: true });
  }
});

test('BF16 weights load as float32; a stored lm_head of a tied model is dropped', async (t) => {
  const src = await createTinyCheckpoint({ style: 'qwen2', numLayers: 1 });
  try {
    const ckpt = await readHfCheckpoint(src.dir);
    // Rewrite the norm as BF16 by hand: 1.5 is 0x3FC0 in bfloat16.
    const norm = ckpt.tensors.get('model.norm.weight')!;
    const header = JSON.stringify({
      'model.norm.weight': { dtype: 'BF16', shape: norm.shape, data_offsets: [0, 2 * norm.data.length] },
    });
    const bytes = Buffer.alloc(8 + header.length + 2 * norm.data.length);
    bytes.writeBigUInt64LE(BigInt(header.length), 0);
    bytes.write(header, 8);
    for (let i = 0; i < norm.data.length; i++) bytes.writeUInt16LE(0x3fc0, 8 + header.length + 2 * i);
    const rest = new Map(ckpt.tensors);
    rest.delete('model.norm.weight');
    rest.set('lm_head.weight', ckpt.tensors.get('model.embed_tokens.weight')!);
    await unlink(join(src.dir, 'model.safetensors'));
    await writeFile(join(src.dir, 'model-00002-of-00002.safetensors'), bytes);
    await writeSafetensorsFile(join(src.dir, 'model-00001-of-00002.safetensors'), rest);
    const weightMap: Record<string, string> = { 'model.norm.weight': 'model-00002-of-00002.safetensors' };
    for (const n of rest.keys()) weightMap[n] = 'model-00001-of-00002.safetensors';
    await writeFile(join(src.dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: weightMap }));

    const loaded = await readHfCheckpoint(src.dir);
    t.true([...loaded.tensors.get('model.norm.weight')!.data].every((v) => v === 1.5));
    t.false(loaded.tensors.has('lm_head.weight'));
  } finally {
    await src.cleanup();
  }
});

test('inconsistent checkpoints are clear errors', async (t) => {
  const src = await createTinyCheckpoint({ style: 'llama', numLayers: 2 });
  try {
    const ckpt = await readHfCheckpoint(src.dir);
    const write = (tensors: Map<string, HostTensor>) =>
      writeSafetensorsFile(join(src.dir, 'model.safetensors'), tensors);

    const missing = new Map(ckpt.tensors);
    missing.delete('model.layers.1.self_attn.k_proj.weight');
    await write(missing);
    await t.throwsAsync(readHfCheckpoint(src.dir), {
      message: /missing tensor "model.layers.1.self_attn.k_proj.weight" \(expected shape \[16, 32\]\)/,
    });

    const wrongShape = new Map(ckpt.tensors);
    wrongShape.set('model.norm.weight', { shape: [31], data: new Float32Array(31) });
    await write(wrongShape);
    await t.throwsAsync(readHfCheckpoint(src.dir), {
      message: /tensor "model.norm.weight" has shape \[31\] but the config implies \[32\]/,
    });

    const extra = new Map(ckpt.tensors);
    extra.set('model.layers.2.mlp.down_proj.weight', ckpt.tensors.get('model.layers.1.mlp.down_proj.weight')!);
    await write(extra);
    await t.throwsAsync(readHfCheckpoint(src.dir), {
      message: /unexpected tensor "model.layers.2.mlp.down_proj.weight"/,
    });

    await write(ckpt.tensors);
    await writeFile(join(src.dir, 'config.json'), JSON.stringify({ ...ckpt.rawConfig, num_attention_heads: 'four' }));
    await t.throwsAsync(readHfCheckpoint(src.dir), {
      message: /config\.json: invalid model config: num_attention_heads: /,
    });

    await unlink(join(src.dir, 'model.safetensors'));
    await writeFile(join(src.dir, 'config.json'), JSON.stringify(ckpt.rawConfig));
    await t.throwsAsync(readHfCheckpoint(src.dir), {
      message: /no model\.safetensors and no model\.safetensors\.index\.json/,
    });
    await writeFile(
      join(src.dir, 'model.safetensors.index.json'),
      JSON.stringify({ weight_map: { 'model.norm.weight': 'gone.safetensors' } }),
    );
    await t.throwsAsync(readHfCheckpoint(src.dir), { message: /shard "gone\.safetensors" is listed but missing/ });
    await writeFile(
      join(src.dir, 'model.safetensors.index.json'),
      JSON.stringify({ weight_map: { 'model.norm.weight': '../x.safetensors' } }),
    );
    await t.throwsAsync(readHfCheckpoint(src.dir), {
      message: /weight_map\["model.norm.weight"\] must be a file name in the same folder/,
    });
  } finally {
    await src.cleanup();
  }
});
