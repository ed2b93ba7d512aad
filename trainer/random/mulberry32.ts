// mulberry32: a small, well-mixed 32-bit seeded PRNG. Generation samples from it (seeded per prompt stream) and the
// tests draw weights, fuzz cases, kill moments and shuffles from it; one copy, so the name means one generator.

/** Uniform numbers in [0, 1) from `seed`, the same sequence for the same seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
