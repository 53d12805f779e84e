/** Small dense products for the recurrent loops, unrolled by hand (V8 does not vectorise). */

/** `out[j] += sum_k vec[k] * mat[k * cols + j]` for a `[rows, cols]` row-major `mat`; `vec` has `rows` entries. */
export function addVecMat(out: Float64Array, vec: Float32Array, mat: Float32Array, rows: number, cols: number): void {
  let k = 0;
  for (; k + 3 < rows; k += 4) {
    const v0 = vec[k];
    const v1 = vec[k + 1];
    const v2 = vec[k + 2];
    const v3 = vec[k + 3];
    if (v0 === 0 && v1 === 0 && v2 === 0 && v3 === 0) continue;
    const o0 = k * cols;
    const o1 = o0 + cols;
    const o2 = o1 + cols;
    const o3 = o2 + cols;
    for (let j = 0; j < cols; j++) out[j] += v0 * mat[o0 + j] + v1 * mat[o1 + j] + v2 * mat[o2 + j] + v3 * mat[o3 + j];
  }
  for (; k < rows; k++) {
    const v = vec[k];
    if (v === 0) continue;
    const o = k * cols;
    for (let j = 0; j < cols; j++) out[j] += v * mat[o + j];
  }
}

/** `sum_j vec[offset + j] * mat[row * cols + j]`: one entry of `vec . mat^T`. */
export function dotRow(vec: Float32Array, offset: number, mat: Float32Array, row: number, cols: number): number {
  const o = row * cols;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < cols; j += 4) {
    s0 += vec[offset + j] * mat[o + j];
    s1 += vec[offset + j + 1] * mat[o + j + 1];
    s2 += vec[offset + j + 2] * mat[o + j + 2];
    s3 += vec[offset + j + 3] * mat[o + j + 3];
  }
  for (; j < cols; j++) s0 += vec[offset + j] * mat[o + j];
  return s0 + s1 + s2 + s3;
}
