// The safetensors writer (F32 only): tensors sorted by name and the header padded so the data buffer starts 8-byte
// aligned, so identical contents always produce identical bytes (stable content hashes).
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { HostTensor } from './safetensors.ts';
import { SafetensorsError, isNonNegativeInteger } from './safetensors-header.ts';

/** Plain code-unit order: locale-independent, so output bytes never depend on the machine. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

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
