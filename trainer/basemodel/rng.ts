// A small seeded PRNG that gives the same sequence on every platform and Node version.
//
// Generator: xoshiro128** (Blackman & Vigna), 32-bit words only, so every step is exact integer
// arithmetic (Math.imul, shifts, `>>> 0`) — no floating point and no engine-specific behaviour.
// Seeding: the seed (a safe integer or a string) is hashed with 64-bit FNV-1a and expanded with
// splitmix64 (BigInt, only at construction) into the 128-bit state, so nearby seeds give unrelated
// streams and seeds up to 2^53 are all distinct.
//
// `fork(label)` derives an independent generator from the ORIGINAL seed and a label, not from the
// current state: a component (e.g. "names") gets the same stream whatever other components consumed.

export type RngSeed = number | string;

const MASK64 = (1n << 64n) - 1n;

function seedKey(seed: RngSeed): string {
  if (typeof seed === 'number') {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`seed: expected a non-negative safe integer or a string, got ${seed}`);
    }
    return `n:${seed}`;
  }
  if (typeof seed !== 'string') throw new TypeError('seed: expected a number or a string');
  return `s:${seed}`;
}

function fnv1a64(text: string): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & MASK64;
  }
  return hash;
}

function splitmix64(state: bigint): { state: bigint; value: bigint } {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return { state: next, value: z ^ (z >> 31n) };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export class Rng {
  readonly key: string;
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** `state` (four 32-bit words, not all zero) bypasses seeding; it exists to check reference vectors. */
  constructor(seed: RngSeed, state?: readonly [number, number, number, number]) {
    this.key = seedKey(seed);
    if (state !== undefined) {
      if (!state.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) || state.every((w) => w === 0)) {
        throw new RangeError('state: expected four 32-bit unsigned words, not all zero');
      }
      [this.s0, this.s1, this.s2, this.s3] = state;
      return;
    }
    let sm = fnv1a64(this.key);
    const a = splitmix64(sm);
    sm = a.state;
    const b = splitmix64(sm);
    this.s0 = Number(a.value & 0xffffffffn);
    this.s1 = Number(a.value >> 32n);
    this.s2 = Number(b.value & 0xffffffffn);
    this.s3 = Number(b.value >> 32n);
    // xoshiro must not start from the all-zero state (practically unreachable, but cheap to rule out).
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** An independent generator for a named component, derived from this generator's seed (not its state). */
  fork(label: string): Rng {
    return new Rng(`${this.key}/${label}`);
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  float(): number {
    const high = this.nextU32() >>> 5; // 27 bits
    const low = this.nextU32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Uniform integer in [0, maxExclusive), unbiased (rejection sampling); maxExclusive in 1..2^32. */
  int(maxExclusive: number): number {
    if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > 0x100000000) {
      throw new RangeError(`int: maxExclusive must be an integer in 1..2^32, got ${maxExclusive}`);
    }
    const limit = Math.floor(0x100000000 / maxExclusive) * maxExclusive;
    for (;;) {
      const u = this.nextU32();
      if (u < limit) return u % maxExclusive;
    }
  }

  /** Uniform integer in [min, max] (both inclusive). */
  intBetween(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new RangeError(`intBetween: need integers min <= max, got ${min}, ${max}`);
    }
    return min + this.int(max - min + 1);
  }

  /** True with probability p. */
  bool(p = 0.5): boolean {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`bool: p must be in [0, 1], got ${p}`);
    return this.float() < p;
  }

  /** A uniformly chosen element; throws on an empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick: empty array');
    return items[this.int(items.length)] as T;
  }

  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /** A shuffled copy; the input is left untouched. */
  shuffled<T>(items: readonly T[]): T[] {
    return this.shuffle(items.slice());
  }

  /** k distinct elements in random order (partial Fisher–Yates); throws if k > items.length. */
  sample<T>(items: readonly T[], k: number): T[] {
    if (!Number.isInteger(k) || k < 0 || k > items.length) {
      throw new RangeError(`sample: k must be an integer in 0..${items.length}, got ${k}`);
    }
    const copy = items.slice();
    for (let i = 0; i < k; i++) {
      const j = i + this.int(copy.length - i);
      const tmp = copy[i] as T;
      copy[i] = copy[j] as T;
      copy[j] = tmp;
    }
    return copy.slice(0, k);
  }
}

export function createRng(seed: RngSeed): Rng {
  return new Rng(seed);
}
