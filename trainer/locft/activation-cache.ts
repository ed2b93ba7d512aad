// Cache of the frozen activations below the tuned tensors, one entry per edit, keyed by everything they depend on:
// the base checkpoint hash, the compute backend (float bits differ between backends), the cache level and layer,
// and the edit's text as its input token ids. Entries are computed one edit at a time (never inside a padded
// batch), so an entry is a pure function of its key and a warm cache gives the same bits as a cold one.
//
// On disk (optional) a cache is an append-only pair in one folder:
//   activations.f32   raw little-endian float32 arrays, appended
//   index.jsonl       one line per entry: {"k": key, "o": byte offset, "n": [array lengths], "c": crc32}
// Data is appended before its index line, so a crash leaves at worst unindexed bytes or a torn last line, both
// ignored on open. Each entry's crc32 is checked the first time this process reads it. One process writes at a
// time (writer.lock holding its pid; a lock whose process is gone is taken over); others only read and keep their
// new entries in memory.
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  unlinkSync,
  writeFileSync,
  writeSync,
  appendFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { processAlive } from '../runtime/process-alive.ts';

export interface ActivationKeyParts {
  readonly baseHash: string;
  readonly backend: string;
  readonly level: string;
  readonly layer: number;
  readonly inputIds: readonly number[];
}

export function activationKey(parts: ActivationKeyParts): string {
  const text = JSON.stringify({
    v: 1,
    base: parts.baseHash,
    backend: parts.backend,
    level: parts.level,
    layer: parts.layer,
    ids: parts.inputIds,
  });
  return createHash('sha256').update(text).digest('hex');
}

export interface CacheStats {
  hits: number;
  misses: number;
  writes: number;
}

export interface ActivationStore {
  /** Whether an entry is indexed (not read or verified; get() may still miss on a damaged entry). */
  has(key: string): boolean;
  get(key: string): Float32Array[] | undefined;
  put(key: string, arrays: readonly Float32Array[]): void;
  /** Where entries persist, or undefined for memory only. */
  readonly dir: string | undefined;
  /** Set when another live process holds the writer lock (new entries then stay in memory). */
  readonly readOnlyReason: string | undefined;
  readonly stats: CacheStats;
  close(): void;
}

export class MemoryActivationStore implements ActivationStore {
  readonly dir = undefined;
  readonly readOnlyReason = undefined;
  readonly stats: CacheStats = { hits: 0, misses: 0, writes: 0 };
  private readonly entries = new Map<string, Float32Array[]>();

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get(key: string): Float32Array[] | undefined {
    const e = this.entries.get(key);
    if (e) this.stats.hits++;
    else this.stats.misses++;
    return e;
  }

  put(key: string, arrays: readonly Float32Array[]): void {
    this.entries.set(
      key,
      arrays.map((a) => new Float32Array(a)),
    );
    this.stats.writes++;
  }

  close(): void {
    this.entries.clear();
  }
}

interface IndexEntry {
  readonly offset: number;
  readonly lengths: readonly number[];
  readonly crc: number;
}

const DATA_FILE = 'activations.f32';
const INDEX_FILE = 'index.jsonl';
const LOCK_FILE = 'writer.lock';

export class DiskActivationStore implements ActivationStore {
  readonly stats: CacheStats = { hits: 0, misses: 0, writes: 0 };
  readonly readOnlyReason: string | undefined;
  private readonly index = new Map<string, IndexEntry>();
  private readonly verified = new Set<string>();
  private readonly overflow = new MemoryActivationStore();
  private readonly fd: number;
  private dataSize: number;
  private ownsLock = false;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.readOnlyReason = this.acquireLock();
    this.fd = openSync(join(dir, DATA_FILE), this.ownsLock ? 'a+' : existsSync(join(dir, DATA_FILE)) ? 'r' : 'a+');
    this.dataSize = fstatSync(this.fd).size;
    this.loadIndex();
  }

  /** Number of entries the index holds. */
  get size(): number {
    return this.index.size;
  }

  private acquireLock(): string | undefined {
    const lock = join(this.dir, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(lock, String(process.pid), { flag: 'wx' });
        this.ownsLock = true;
        return undefined;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const pid = Number(readFileSafe(lock));
        if (Number.isInteger(pid) && pid > 0 && processAlive(pid))
          return `activation cache ${this.dir} is being written by process ${pid}; new entries stay in memory`;
        try {
          unlinkSync(lock); // stale: its writer is gone
        } catch {
          /* another process took it over first */
        }
      }
    }
    return `activation cache ${this.dir}: could not take the writer lock; new entries stay in memory`;
  }

  private loadIndex(): void {
    const path = join(this.dir, INDEX_FILE);
    if (!existsSync(path)) return;
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      let rec: unknown;
      try {
        rec = JSON.parse(line);
      } catch {
        continue; // a torn last line after a crash
      }
      if (!isIndexRecord(rec)) continue;
      const bytes = rec.n.reduce((a, b) => a + b, 0) * 4;
      if (rec.o + bytes > this.dataSize) continue; // data not fully written
      this.index.set(rec.k, { offset: rec.o, lengths: rec.n, crc: rec.c });
    }
  }

  has(key: string): boolean {
    return this.index.has(key) || this.overflow.has(key);
  }

  get(key: string): Float32Array[] | undefined {
    const entry = this.index.get(key);
    if (!entry) {
      const fromMemory = this.overflow.get(key);
      if (fromMemory) this.stats.hits++;
      else this.stats.misses++;
      return fromMemory;
    }
    const total = entry.lengths.reduce((a, b) => a + b, 0);
    const buf = Buffer.alloc(total * 4);
    let done = 0;
    while (done < buf.length) {
      const n = readSync(this.fd, buf, done, buf.length - done, entry.offset + done);
      if (n === 0) break;
      done += n;
    }
    if (done !== buf.length || (!this.verified.has(key) && crc32(buf) !== entry.crc)) {
      // Corrupt or truncated on disk: forget it so it is recomputed (and rewritten) rather than trusted.
      this.index.delete(key);
      this.stats.misses++;
      return undefined;
    }
    this.verified.add(key);
    this.stats.hits++;
    const all = new Float32Array(buf.buffer, buf.byteOffset, total);
    const out: Float32Array[] = [];
    let at = 0;
    for (const n of entry.lengths) {
      out.push(all.slice(at, at + n));
      at += n;
    }
    return out;
  }

  put(key: string, arrays: readonly Float32Array[]): void {
    this.stats.writes++;
    if (!this.ownsLock) {
      this.overflow.put(key, arrays);
      return;
    }
    const total = arrays.reduce((a, b) => a + b.length, 0);
    const buf = Buffer.alloc(total * 4);
    let at = 0;
    for (const a of arrays) {
      buf.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
      at += a.byteLength;
    }
    const offset = this.dataSize;
    let done = 0;
    while (done < buf.length) done += writeSync(this.fd, buf, done, buf.length - done);
    this.dataSize += buf.length;
    const rec = { k: key, o: offset, n: arrays.map((a) => a.length), c: crc32(buf) };
    appendFileSync(join(this.dir, INDEX_FILE), JSON.stringify(rec) + '\n');
    this.index.set(key, { offset, lengths: rec.n, crc: rec.c });
    this.verified.add(key);
  }

  close(): void {
    closeSync(this.fd);
    this.overflow.close();
    if (this.ownsLock) {
      try {
        unlinkSync(join(this.dir, LOCK_FILE));
      } catch {
        /* already gone */
      }
      this.ownsLock = false;
    }
  }
}

export function openActivationStore(dir: string | undefined): ActivationStore {
  return dir === undefined ? new MemoryActivationStore() : new DiskActivationStore(dir);
}

function isIndexRecord(v: unknown): v is { k: string; o: number; n: number[]; c: number } {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r['k'] === 'string' &&
    Number.isSafeInteger(r['o']) &&
    (r['o'] as number) >= 0 &&
    Array.isArray(r['n']) &&
    r['n'].every((n) => Number.isSafeInteger(n) && n >= 0) &&
    Number.isInteger(r['c'])
  );
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}
