// Safetensors reader/writer, written against the format specification:
//
//   [8 bytes]  N = header length, unsigned 64-bit little-endian
//   [N bytes]  UTF-8 JSON object: { "<name>": { "dtype": "F32", "shape": [..], "data_offsets": [begin, end] }, ...,
//              optional "__metadata__": { "<string>": "<string>" } }. It starts with '{' and may be padded with
//              trailing spaces (writers pad so that the data buffer starts 8-byte aligned).
//   [rest]     the data buffer; offsets are relative to its start. Tensors are row-major, little-endian, packed
//              without holes: the ranges together cover the buffer exactly, and never overlap.
//
// Every number in a header is checked before it is used, so a truncated or lying file is a clear error naming the
// tensor and the field, never an out-of-bounds read or a silently wrong tensor. F32, F16 and BF16 are loaded as
// float32 (all three convert exactly, including subnormals, infinities and NaN); the writer emits F32 only, with
// tensors sorted by name so identical contents always produce identical bytes (stable content hashes).

import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { BYTES_PER_ELEMENT, SafetensorsError, headerLength, parseHeader } from './safetensors-header.ts';
import type { SafetensorsContents, SafetensorsHeader, SupportedDtype, TensorEntry } from './safetensors-header.ts';
import { compareNames } from './safetensors-write.ts';

/** A float32 tensor as this project stores it: a row-major Float32Array plus its shape. */
export interface HostTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export {
  MAX_HEADER_BYTES,
  SUPPORTED_DTYPES,
  SafetensorsError,
  headerLength,
  parseHeader,
} from './safetensors-header.ts';
export type { SafetensorsContents, SafetensorsHeader, SupportedDtype, TensorEntry } from './safetensors-header.ts';
export { compareNames, serializeSafetensors, writeSafetensorsFile } from './safetensors-write.ts';

if (endianness() !== 'LE') {
  // Typed-array views below assume the host byte order is the file's (little-endian).
  throw new Error('safetensors: this reader/writer requires a little-endian host');
}

// ---------------------------------------------------------------------------------------------------------------
// Dtype conversion (exact)

let f16Table: Uint32Array | undefined;

/** float32 bit patterns of all 65536 float16 values, built once. Keeps NaN payloads and signed zeros. */
function float16Table(): Uint32Array {
  if (f16Table) return f16Table;
  const table = new Uint32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exp = (h >> 10) & 0x1f;
    let mant = h & 0x3ff;
    let bits: number;
    if (exp === 0x1f) {
      bits = sign | 0x7f800000 | (mant << 13); // inf (mant 0) or NaN (payload kept)
    } else if (exp !== 0) {
      bits = sign | ((exp - 15 + 127) << 23) | (mant << 13);
    } else if (mant === 0) {
      bits = sign; // signed zero
    } else {
      // Subnormal: value = mant * 2^-24. Shift the leading 1 into the implicit position; every such value is a
      // normal float32, so this is exact.
      let e = -14;
      while ((mant & 0x400) === 0) {
        mant <<= 1;
        e--;
      }
      bits = sign | ((e + 127) << 23) | ((mant & 0x3ff) << 13);
    }
    table[h] = bits >>> 0;
  }
  f16Table = table;
  return table;
}

/** Converts raw little-endian bytes of one tensor to float32. `bytes` must start at an 4-byte aligned offset. */
export function toFloat32(dtype: SupportedDtype, bytes: Uint8Array): Float32Array {
  const count = bytes.byteLength / BYTES_PER_ELEMENT[dtype];
  if (dtype === 'F32') return new Float32Array(bytes.buffer, bytes.byteOffset, count);
  const src = new Uint16Array(bytes.buffer, bytes.byteOffset, count);
  const out = new Float32Array(count);
  const bits = new Uint32Array(out.buffer);
  if (dtype === 'BF16') {
    for (let i = 0; i < count; i++) bits[i] = (src[i]! << 16) >>> 0; // bf16 is the top half of a float32
  } else {
    const table = float16Table();
    for (let i = 0; i < count; i++) bits[i] = table[src[i]!]!;
  }
  return out;
}

/** Copies `length` bytes into a fresh, aligned buffer (typed-array views need element alignment). */
function alignedCopy(src: Uint8Array, begin: number, length: number): Uint8Array {
  const copy = new Uint8Array(length);
  copy.set(src.subarray(begin, begin + length));
  return copy;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

/** Parses a whole safetensors file held in memory. */
export function parseSafetensors(bytes: Uint8Array, source = '<buffer>'): SafetensorsContents {
  const n = headerLength(bytes.subarray(0, 8), bytes.byteLength, source);
  const header = parseHeader(bytes.subarray(8, 8 + n), bytes.byteLength - 8 - n, source);
  const tensors = new Map<string, HostTensor>();
  for (const e of sortedByName(header.entries)) {
    const raw = alignedCopy(bytes, header.dataStart + e.begin, e.end - e.begin);
    tensors.set(e.name, { shape: e.shape, data: toFloat32(e.dtype, raw) });
  }
  return { tensors, metadata: header.metadata };
}

/** Reads only the header of a file on disk (cheap; used to list tensors of shards). */
export async function readSafetensorsHeader(path: string): Promise<SafetensorsHeader> {
  const fh = await open(path, 'r');
  try {
    return await readHeaderFrom(fh, path);
  } finally {
    await fh.close();
  }
}

async function readHeaderFrom(fh: FileHandle, path: string): Promise<SafetensorsHeader> {
  const { size } = await fh.stat();
  const lengthPrefix = new Uint8Array(8);
  if (size >= 8) await readExactly(fh, lengthPrefix, 0, path);
  const n = headerLength(lengthPrefix, size, path);
  const headerBytes = new Uint8Array(n);
  await readExactly(fh, headerBytes, 8, path);
  return parseHeader(headerBytes, size - 8 - n, path);
}

/**
 * Reads a file on disk tensor by tensor (positioned reads), so a multi-GB checkpoint never needs one buffer of
 * its whole size. `select` filters by tensor name (unselected tensors are validated but not read).
 */
export async function readSafetensorsFile(
  path: string,
  select: (name: string) => boolean = () => true,
): Promise<SafetensorsContents> {
  const fh = await open(path, 'r');
  try {
    const header = await readHeaderFrom(fh, path);
    const tensors = new Map<string, HostTensor>();
    for (const e of sortedByName(header.entries)) {
      if (!select(e.name)) continue;
      const raw = new Uint8Array(e.end - e.begin);
      await readExactly(fh, raw, header.dataStart + e.begin, path);
      tensors.set(e.name, { shape: e.shape, data: toFloat32(e.dtype, raw) });
    }
    return { tensors, metadata: header.metadata };
  } finally {
    await fh.close();
  }
}

async function readExactly(fh: FileHandle, into: Uint8Array, position: number, source: string): Promise<void> {
  let done = 0;
  while (done < into.byteLength) {
    const { bytesRead } = await fh.read(into, done, into.byteLength - done, position + done);
    if (bytesRead === 0) throw new SafetensorsError(source, `unexpected end of file at byte ${position + done}`);
    done += bytesRead;
  }
}

function sortedByName(entries: readonly TensorEntry[]): TensorEntry[] {
  return [...entries].sort((a, b) => compareNames(a.name, b.name));
}
