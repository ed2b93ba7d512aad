// The one RoPE table builder: the tfjs model (context.ts) and the host step engine (trainer/locft/host-step.ts) both
// read their cos/sin from here, so the two can never drift apart by a rounding.
//
// Rotate-half convention: angle(pos, k) = pos · invFreq[k], invFreq[k] = 1 / theta^(2k / headDim), k < headDim / 2.
// Angles are computed in float64 and stored as float32 (HF computes them in float32; the difference is below float32
// resolution for ordinary positions).

/** cos and sin of every angle, [positions, headDim / 2] row-major (position-major, then frequency). */
export interface RopeTable {
  readonly positions: number;
  readonly half: number;
  readonly cos: Float32Array;
  readonly sin: Float32Array;
}

/** The table for positions 0 .. positions-1. */
export function ropeTable(positions: number, headDim: number, theta: number): RopeTable {
  const half = headDim / 2;
  const invFreq = Array.from({ length: half }, (_, k) => 1 / theta ** ((2 * k) / headDim));
  const cos = new Float32Array(positions * half);
  const sin = new Float32Array(positions * half);
  for (let pos = 0; pos < positions; pos++) {
    for (let k = 0; k < half; k++) {
      const angle = pos * invFreq[k]!;
      cos[pos * half + k] = Math.cos(angle);
      sin[pos * half + k] = Math.sin(angle);
    }
  }
  return { positions, half, cos, sin };
}
