// Row-wise helpers of the host step engine on packed [rows, width] arrays: plain loops, no view objects in the hot
// paths, and a fixed order (so the same inputs give the same bits).

/** dst[d .. d+n) = src[s .. s+n). */
function copy(src: Float32Array, s: number, dst: Float32Array, d: number, n: number): void {
  for (let j = 0; j < n; j++) dst[d + j] = src[s + j]!;
}

/** Adds `bias` [width] to every row of x. */
export function addBias(x: Float32Array, bias: Float32Array, width: number): void {
  for (let i = 0; i < x.length; i += width) for (let j = 0; j < width; j++) x[i + j]! += bias[j]!;
}

/** Row targetRow of target += row srcRow of src. */
export function addRow(
  target: Float32Array,
  targetRow: number,
  src: Float32Array,
  srcRow: number,
  width: number,
): void {
  const t = targetRow * width;
  const s = srcRow * width;
  for (let j = 0; j < width; j++) target[t + j]! += src[s + j]!;
}

/** Row r of out = row rows[r] of x. */
export function gatherRows(out: Float32Array, x: Float32Array, rows: Int32Array, width: number): Float32Array {
  for (let r = 0; r < rows.length; r++) copy(x, rows[r]! * width, out, r * width, width);
  return out;
}

/** Adds row r of x into row rows[r] of out (out zeroed by the caller). */
export function scatterRows(out: Float32Array, x: Float32Array, rows: Int32Array, width: number): Float32Array {
  for (let r = 0; r < rows.length; r++) addRow(out, rows[r]!, x, r, width);
  return out;
}
