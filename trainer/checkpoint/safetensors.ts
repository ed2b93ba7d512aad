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

/** A float32 tensor as this project stores it: a row-major Float32Array plus its shape. */
export interface HostTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Dtypes this reader converts to float32. */
export const SUPPORTED_DTYPES = ['F32', 'F16', 'BF16'] as const;
export type SupportedDtype = (typeof SUPPORTED_DTYPES)[number];

/** Dtypes the spec defines; recognised so the error can say "not supported" rather than "unknown". */
const KNOWN_DTYPES = new Set([
  'BOOL',
  'U8',
  'I8',
  'F8_E5M2',
  'F8_E4M3',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'F64',
  'I64',
  'U64',
]);

const BYTES_PER_ELEMENT: Record<SupportedDtype, number> = { F32: 4, F16: 2, BF16: 2 };

/** The reference implementation refuses headers above 100 MB; real headers are at most a few MB. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export interface TensorEntry {
  readonly name: string;
  readonly dtype: SupportedDtype;
  readonly shape: readonly number[];
  /** [begin, end) relative to the start of the data buffer. */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  /** Sorted by begin offset. */
  readonly entries: readonly TensorEntry[];
  readonly metadata: Readonly<Record<string, string>>;
  /** Absolute file offset of the data buffer (8 + header length). */
  readonly dataStart: number;
}

export interface SafetensorsContents {
  readonly tensors: Map<string, HostTensor>;
  readonly metadata: Readonly<Record<string, string>>;
}

export class SafetensorsError extends Error {
  constructor(source: string, message: string) {
    super(`safetensors ${source}: ${message}`);
    this.name = 'SafetensorsError';
  }
}

if (endianness() !== 'LE') {
  // Typed-array views below assume the host byte order is the file's (little-endian).
  throw new Error('safetensors: this reader/writer requires a little-endian host');
}

// ---------------------------------------------------------------------------------------------------------------
// Header parsing and validation

/**
 * Validates the 8-byte length prefix against the file size and returns the header length.
 * `fileSize` is the total number of bytes in the file.
 */
export function headerLength(prefix: Uint8Array, fileSize: number, source: string): number {
  if (fileSize < 8 || prefix.length < 8) {
    throw new SafetensorsError(
      source,
      `truncated: the file is ${fileSize} bytes, shorter than the 8-byte header length`,
    );
  }
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n === 0n) throw new SafetensorsError(source, 'header length is 0; the header must be a JSON object');
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(source, `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  }
  if (n > BigInt(fileSize - 8)) {
    throw new SafetensorsError(
      source,
      `header length ${n} runs past the end of the file (${fileSize - 8} bytes after the length prefix); the file is truncated or the header length is wrong`,
    );
  }
  return Number(n);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNonNegativeInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Parses and checks a header. `dataLength` is the number of bytes after the header in the file.
 * Rules: JSON object; `__metadata__` (if present) maps strings to strings; each tensor has a supported dtype, a shape
 * of non-negative integers, and data_offsets [begin, end] with end - begin = elements * element size; the ranges
 * cover [0, dataLength) exactly, without overlap or holes.
 */
export function parseHeader(headerBytes: Uint8Array, dataLength: number, source: string): SafetensorsHeader {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw new SafetensorsError(source, 'header is not valid UTF-8');
  }
  if (!text.startsWith('{')) {
    throw new SafetensorsError(
      source,
      `header must start with '{' (a JSON object), found ${JSON.stringify(text.slice(0, 20))}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SafetensorsError(
      source,
      `header is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!isPlainObject(json)) throw new SafetensorsError(source, 'header must be a JSON object');

  const metadata: Record<string, string> = {};
  const entries: TensorEntry[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') {
      if (!isPlainObject(value)) throw new SafetensorsError(source, '"__metadata__" must be an object of strings');
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string') {
          throw new SafetensorsError(source, `"__metadata__.${k}" must be a string, found ${JSON.stringify(v)}`);
        }
        metadata[k] = v;
      }
      continue;
    }
    entries.push(parseEntry(name, value, source));
  }

  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: TensorEntry | undefined;
  for (const e of entries) {
    if (e.end > dataLength) {
      throw new SafetensorsError(
        source,
        `tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] run past the end of the data buffer (${dataLength} bytes); the file is truncated or the header lies`,
      );
    }
    if (e.begin < cursor) {
      throw new SafetensorsError(
        source,
        `tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] overlap tensor "${previous?.name ?? ''}" ending at ${cursor}`,
      );
    }
    if (e.begin > cursor) {
      throw new SafetensorsError(
        source,
        `tensor "${e.name}": data_offsets start at ${e.begin} but the previous tensor ends at ${cursor}; the data buffer has a hole`,
      );
    }
    cursor = e.end;
    previous = e;
  }
  if (cursor !== dataLength) {
    throw new SafetensorsError(
      source,
      `the tensors cover ${cursor} bytes but the data buffer holds ${dataLength}; trailing bytes are not described by the header`,
    );
  }
  return { entries, metadata, dataStart: 8 + headerBytes.length };
}

function parseEntry(name: string, value: unknown, source: string): TensorEntry {
  const where = `tensor "${name}"`;
  if (!isPlainObject(value))
    throw new SafetensorsError(source, `${where}: entry must be an object with dtype, shape, data_offsets`);
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== 'string') throw new SafetensorsError(source, `${where}: "dtype" must be a string`);
  if (!(SUPPORTED_DTYPES as readonly string[]).includes(dtype)) {
    const kind = KNOWN_DTYPES.has(dtype) ? 'is not supported' : 'is unknown';
    throw new SafetensorsError(
      source,
      `${where}: dtype "${dtype}" ${kind} (supported: ${SUPPORTED_DTYPES.join(', ')})`,
    );
  }
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
    throw new SafetensorsError(
      source,
      `${where}: "shape" must be an array of non-negative integers, found ${JSON.stringify(shape)}`,
    );
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger)) {
    throw new SafetensorsError(
      source,
      `${where}: "data_offsets" must be [begin, end] of non-negative integers, found ${JSON.stringify(offsets)}`,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw new SafetensorsError(source, `${where}: "data_offsets" end ${end} is before begin ${begin}`);
  const d = dtype as SupportedDtype;
  // BigInt so that a lying shape cannot overflow into a plausible size.
  const expected = (shape as number[]).reduce((acc, s) => acc * BigInt(s), 1n) * BigInt(BYTES_PER_ELEMENT[d]);
  if (expected !== BigInt(end - begin)) {
    throw new SafetensorsError(
      source,
      `${where}: shape [${(shape as number[]).join(', ')}] of ${d} needs ${expected} bytes but "data_offsets" [${begin}, ${end}] span ${end - begin}`,
    );
  }
  return { name, dtype: d, shape: [...(shape as number[])], begin, end };
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

/** Plain code-unit order: locale-independent, so output bytes never depend on the machine. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Writing (F32 only)

interface Layout {
  readonly headerBytes: Uint8Array; // JSON padded with spaces so the data buffer starts 8-byte aligned
  readonly names: readonly string[]; // sorted
  readonly dataLength: number;
}

function layout(tensors: ReadonlyMap<string, HostTensor>, metadata: Readonly<Record<string, string>>): Layout {
  const names = [...tensors.keys()].sort(compareNames);
  const header: Record<string, unknown> = {};
  const metaKeys = Object.keys(metadata).sort(compareNames);
  if (metaKeys.length > 0) {
    const meta: Record<string, string> = {};
    for (const k of metaKeys) {
      const v = metadata[k];
      if (typeof v !== 'string') throw new SafetensorsError('<writer>', `"__metadata__.${k}" must be a string`);
      meta[k] = v;
    }
    header.__metadata__ = meta;
  }
  let offset = 0;
  for (const name of names) {
    if (name === '__metadata__') throw new SafetensorsError('<writer>', 'a tensor cannot be named "__metadata__"');
    const t = tensors.get(name)!;
    if (!t.shape.every(isNonNegativeInteger)) {
      throw new SafetensorsError(
        '<writer>',
        `tensor "${name}": shape must be non-negative integers, found ${JSON.stringify(t.shape)}`,
      );
    }
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new SafetensorsError(
        '<writer>',
        `tensor "${name}": shape [${t.shape.join(', ')}] has ${count} elements but the data holds ${t.data.length}`,
      );
    }
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const headerBytes = new Uint8Array(padded).fill(0x20);
  headerBytes.set(json);
  return { headerBytes, names, dataLength: offset };
}

function prefix(n: number): Uint8Array {
  const p = new Uint8Array(8);
  new DataView(p.buffer).setBigUint64(0, BigInt(n), true);
  return p;
}

function bytesOf(t: HostTensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** Serializes tensors (as F32, sorted by name) to one buffer. Same input, same bytes. */
export function serializeSafetensors(
  tensors: ReadonlyMap<string, HostTensor>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const l = layout(tensors, metadata);
  const out = new Uint8Array(8 + l.headerBytes.length + l.dataLength);
  out.set(prefix(l.headerBytes.length), 0);
  out.set(l.headerBytes, 8);
  let at = 8 + l.headerBytes.length;
  for (const name of l.names) {
    const b = bytesOf(tensors.get(name)!);
    out.set(b, at);
    at += b.byteLength;
  }
  return out;
}

/** Writes tensors to `path` tensor by tensor (no buffer of the whole file). Same bytes as serializeSafetensors. */
export async function writeSafetensorsFile(
  path: string,
  tensors: ReadonlyMap<string, HostTensor>,
  metadata: Readonly<Record<string, string>> = {},
): Promise<void> {
  const l = layout(tensors, metadata);
  const fh = await open(path, 'w');
  try {
    await writeAll(fh, prefix(l.headerBytes.length));
    await writeAll(fh, l.headerBytes);
    for (const name of l.names) await writeAll(fh, bytesOf(tensors.get(name)!));
  } finally {
    await fh.close();
  }
}

/** write(2) may write less than asked (Linux caps one call near 2 GiB), so loop until done. */
async function writeAll(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.byteLength - done);
    done += bytesWritten;
  }
}
