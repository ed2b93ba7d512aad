// Safetensors header parsing and validation (the format is described in safetensors.ts): every number in a header
// is checked before it is used, so a truncated or lying file is a clear error naming the tensor and the field.
import { EditledgerError } from '../../domain/errors.ts';
import type { HostTensor } from './safetensors.ts';

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

export const BYTES_PER_ELEMENT: Record<SupportedDtype, number> = { F32: 4, F16: 2, BF16: 2 };

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

/** A file that is not well-formed safetensors: bad input, whoever reads it (a CLI flag, a registered base). */
export class SafetensorsError extends EditledgerError {
  readonly code = 'safetensors_invalid';
  readonly kind = 'invalid_input' as const;
  constructor(source: string, message: string) {
    super(`safetensors ${source}: ${message}`);
    this.name = 'SafetensorsError';
  }
}

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

export function isNonNegativeInteger(v: unknown): v is number {
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
  const expected = shape.reduce((acc, s) => acc * BigInt(s), 1n) * BigInt(BYTES_PER_ELEMENT[d]);
  if (expected !== BigInt(end - begin)) {
    throw new SafetensorsError(
      source,
      `${where}: shape [${shape.join(', ')}] of ${d} needs ${expected} bytes but "data_offsets" [${begin}, ${end}] span ${end - begin}`,
    );
  }
  return { name, dtype: d, shape: [...shape], begin, end };
}
