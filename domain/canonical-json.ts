// Canonical JSON: the one serialization that content hashes (editSetHash, version hashes) are taken over.
//
// Definition:
// - object keys sorted by UTF-16 code units (JavaScript's default string order), at every depth;
// - no whitespace anywhere;
// - strings and numbers exactly as JSON.stringify writes them;
// - object properties whose value is `undefined` are omitted (as JSON.stringify does); arrays keep order;
// - non-finite numbers, `undefined` array items, functions, bigints, symbols are rejected, not silently changed.
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${path}: canonical JSON has no ${String(value)}`);
      return JSON.stringify(value);
    case 'object':
      if (Array.isArray(value)) {
        return `[${value.map((item, i) => write(item, `${path}[${i}]`)).join(',')}]`;
      }
      return writeObject(value as Record<string, unknown>, path);
    default:
      throw new TypeError(`${path}: canonical JSON cannot hold a ${typeof value}`);
  }
}

function writeObject(value: Record<string, unknown>, path: string): string {
  const parts: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const item = value[key];
    if (item === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${write(item, `${path}.${key}`)}`);
  }
  return `{${parts.join(',')}}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function sha256HexOfBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
