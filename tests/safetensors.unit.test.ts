import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseSafetensors,
  readSafetensorsFile,
  readSafetensorsHeader,
  serializeSafetensors,
  writeSafetensorsFile,
} from '../trainer/checkpoint/safetensors.ts';
import type { HostTensor } from '../trainer/checkpoint/safetensors.ts';

/** Builds a file from a header object written by hand and raw data bytes, so tests don't trust the writer. */
function rawFile(header: unknown, data: Uint8Array, headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function u16le(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setUint16(2 * i, v, true));
  return out;
}

/** IEEE half/bfloat value from its fields, computed with plain arithmetic (independent of the reader). */
function decodeBits(bits: number, expBits: number, mantBits: number): number {
  const sign = bits >> (expBits + mantBits) ? -1 : 1;
  const exp = (bits >> mantBits) & ((1 << expBits) - 1);
  const mant = bits & ((1 << mantBits) - 1);
  const bias = (1 << (expBits - 1)) - 1;
  if (exp === (1 << expBits) - 1) return mant === 0 ? sign * Infinity : NaN;
  if (exp === 0) return sign * mant * 2 ** (1 - bias - mantBits);
  return sign * (1 + mant / 2 ** mantBits) * 2 ** (exp - bias);
}

function sameFloat(a: number, b: number): boolean {
  return Number.isNaN(a) ? Number.isNaN(b) : Object.is(a, b);
}

const sample = (): Map<string, HostTensor> =>
  new Map<string, HostTensor>([
    ['b.weight', { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, -0, 1e-40]) }],
    ['a.bias', { shape: [3], data: Float32Array.from([Infinity, -Infinity, NaN]) }],
    ['scalar', { shape: [], data: Float32Array.from([42]) }],
    ['empty', { shape: [0, 4], data: new Float32Array(0) }],
  ]);

test('round trip keeps names, shapes, values (inf, NaN, -0, subnormal) and metadata', (t) => {
  const bytes = serializeSafetensors(sample(), { format: 'pt', note: 'x' });
  const back = parseSafetensors(bytes);
  t.deepEqual(back.metadata, { format: 'pt', note: 'x' });
  t.deepEqual([...back.tensors.keys()], ['a.bias', 'b.weight', 'empty', 'scalar']);
  for (const [name, tensor] of sample()) {
    const got = back.tensors.get(name)!;
    t.deepEqual(got.shape, tensor.shape, name);
    t.is(got.data.length, tensor.data.length, name);
    for (let i = 0; i < tensor.data.length; i++) t.true(sameFloat(got.data[i]!, tensor.data[i]!), `${name}[${i}]`);
  }
});

test('output bytes are deterministic (insertion order irrelevant) and the data buffer is 8-byte aligned', async (t) => {
  const forward = serializeSafetensors(sample(), { format: 'pt' });
  const reversed = serializeSafetensors(new Map([...sample()].reverse()), { format: 'pt' });
  t.deepEqual(Buffer.from(forward), Buffer.from(reversed));
  const headerLen = Number(new DataView(forward.buffer).getBigUint64(0, true));
  t.is((8 + headerLen) % 8, 0);
  const header = JSON.parse(new TextDecoder().decode(forward.subarray(8, 8 + headerLen))) as Record<string, unknown>;
  t.deepEqual(header['b.weight'], { dtype: 'F32', shape: [2, 3], data_offsets: [12, 36] });

  const dir = await mkdtemp(join(tmpdir(), 'st-'));
  try {
    const path = join(dir, 'x.safetensors');
    await writeSafetensorsFile(path, sample(), { format: 'pt' });
    t.deepEqual(await readFile(path), Buffer.from(forward));
    const fromDisk = await readSafetensorsFile(path, (n) => n === 'b.weight');
    t.deepEqual([...fromDisk.tensors.keys()], ['b.weight']);
    t.deepEqual([...fromDisk.tensors.get('b.weight')!.data], [...sample().get('b.weight')!.data]);
    t.deepEqual(
      (await readSafetensorsHeader(path)).entries.map((e) => e.name),
      ['a.bias', 'b.weight', 'empty', 'scalar'],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('F16: all 65536 bit patterns convert exactly (subnormals, inf, NaN, signed zero)', (t) => {
  const all = Array.from({ length: 65536 }, (_, i) => i);
  const file = rawFile({ h: { dtype: 'F16', shape: [65536], data_offsets: [0, 131072] } }, u16le(all));
  const got = parseSafetensors(file).tensors.get('h')!.data;
  let bad = 0;
  for (const bits of all) if (!sameFloat(got[bits]!, decodeBits(bits, 5, 10))) bad++;
  t.is(bad, 0);
  // Spot checks with values known by heart.
  t.is(got[0x0001], 2 ** -24);
  t.is(got[0x03ff], 1023 * 2 ** -24);
  t.is(got[0x7bff], 65504);
  t.is(got[0x3c00], 1);
  t.is(got[0xfc00], -Infinity);
  t.true(Object.is(got[0x8000], -0));
});

test('BF16: all 65536 bit patterns convert exactly', (t) => {
  const all = Array.from({ length: 65536 }, (_, i) => i);
  const file = rawFile(
    { __metadata__: { format: 'pt' }, b: { dtype: 'BF16', shape: [256, 256], data_offsets: [0, 131072] } },
    u16le(all),
  );
  const got = parseSafetensors(file).tensors.get('b')!;
  t.deepEqual(got.shape, [256, 256]);
  let bad = 0;
  for (const bits of all) {
    const want = Math.fround(decodeBits(bits, 8, 7));
    if (!sameFloat(got.data[bits]!, want)) bad++;
  }
  t.is(bad, 0);
  t.is(got.data[0x3f80], 1);
  t.is(got.data[0x0001], 2 ** -133); // smallest bf16 subnormal
  t.is(got.data[0xff80], -Infinity);
});

test('tensors at unaligned offsets are read correctly', (t) => {
  // A 1-element F16 first puts the F32 tensor at data offset 2 (not 4-byte aligned).
  const data = new Uint8Array(6);
  new DataView(data.buffer).setUint16(0, 0x3c00, true);
  new DataView(data.buffer).setFloat32(2, 3.25, true);
  const file = rawFile(
    { a: { dtype: 'F16', shape: [1], data_offsets: [0, 2] }, b: { dtype: 'F32', shape: [1], data_offsets: [2, 6] } },
    data,
  );
  const got = parseSafetensors(file).tensors;
  t.is(got.get('a')!.data[0], 1);
  t.is(got.get('b')!.data[0], 3.25);
});

const f32 = (n: number): Uint8Array => new Uint8Array(4 * n);
const ok = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };

const corrupt: Array<[string, () => Uint8Array, RegExp]> = [
  ['file shorter than 8 bytes', () => new Uint8Array(5), /truncated.*5 bytes/],
  [
    'header length past end of file',
    () => {
      const f = rawFile({ w: ok }, f32(2));
      new DataView(f.buffer).setBigUint64(0, 10_000n, true);
      return f;
    },
    /header length 10000 runs past the end/,
  ],
  [
    'absurd header length',
    () => {
      const f = rawFile({ w: ok }, f32(2));
      new DataView(f.buffer).setBigUint64(0, 2n ** 63n, true);
      return f;
    },
    /exceeds the .*limit/,
  ],
  [
    'truncated data',
    () => rawFile({ w: ok }, f32(2)).subarray(0, -3),
    /tensor "w".*run past the end of the data buffer/,
  ],
  ['non-JSON header', () => rawFile(null, f32(0), '{"w": {"dtype": "F32",'), /not valid JSON/],
  ['header that is not an object', () => rawFile(null, f32(0), '[1,2]'), /must start with '\{'/],
  [
    'header that is invalid UTF-8',
    () => rawFile(null, f32(0), 'x').map((b, i) => (i === 8 ? 0xff : b)),
    /not valid UTF-8/,
  ],
  ['unknown dtype', () => rawFile({ w: { ...ok, dtype: 'Q7' } }, f32(2)), /tensor "w": dtype "Q7" is unknown/],
  [
    'unsupported dtype',
    () => rawFile({ w: { ...ok, dtype: 'I64', shape: [1] } }, f32(2)),
    /tensor "w": dtype "I64" is not supported/,
  ],
  [
    'shape/offset size mismatch',
    () => rawFile({ w: { ...ok, shape: [3] } }, f32(2)),
    /tensor "w": shape \[3\] of F32 needs 12 bytes but "data_offsets" \[0, 8\] span 8/,
  ],
  [
    'overflowing shape',
    () => rawFile({ w: { ...ok, shape: [2 ** 40, 2 ** 40, 2 ** 40] } }, f32(2)),
    /tensor "w": shape .* needs \d+ bytes/,
  ],
  ['negative shape', () => rawFile({ w: { ...ok, shape: [-2] } }, f32(2)), /tensor "w": "shape" must be/],
  [
    'non-integer offsets',
    () => rawFile({ w: { ...ok, data_offsets: [0, 7.5] } }, f32(2)),
    /tensor "w": "data_offsets" must be/,
  ],
  [
    'offsets reversed',
    () => rawFile({ w: { ...ok, data_offsets: [8, 0] } }, f32(2)),
    /tensor "w": "data_offsets" end 0 is before begin 8/,
  ],
  [
    'missing dtype',
    () => rawFile({ w: { shape: [2], data_offsets: [0, 8] } }, f32(2)),
    /tensor "w": "dtype" must be a string/,
  ],
  [
    'overlapping tensors',
    () => rawFile({ a: ok, b: { ...ok, data_offsets: [4, 12] } }, f32(3)),
    /tensor "b".*overlap tensor "a"/,
  ],
  ['hole between tensors', () => rawFile({ a: ok, b: { ...ok, data_offsets: [12, 20] } }, f32(5)), /tensor "b".*hole/],
  ['bytes not described by the header', () => rawFile({ a: ok }, f32(4)), /cover 8 bytes but the data buffer holds 16/],
  [
    'metadata with a non-string value',
    () => rawFile({ __metadata__: { step: 3 }, a: ok }, f32(2)),
    /"__metadata__.step" must be a string/,
  ],
];

for (const [name, make, message] of corrupt) {
  test(`rejected clearly: ${name}`, async (t) => {
    const bytes = make();
    t.throws(() => parseSafetensors(bytes), { name: 'SafetensorsError', message });
    // The on-disk reader applies the same checks.
    const dir = await mkdtemp(join(tmpdir(), 'st-bad-'));
    try {
      const path = join(dir, 'bad.safetensors');
      await writeFile(path, bytes);
      await t.throwsAsync(readSafetensorsFile(path), { name: 'SafetensorsError', message });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

test('writer rejects data that does not match its shape', (t) => {
  t.throws(() => serializeSafetensors(new Map([['w', { shape: [2, 2], data: new Float32Array(3) }]])), {
    message: /tensor "w": shape \[2, 2\] has 4 elements but the data holds 3/,
  });
});
