/**
 * The gradient reaching h_t of unit `s` in the backward time loops: what flowed back from step t + 1 (`dh`), plus
 * the output's gradient where h_t is an output: every step's (`dy [T, B, u]`, at `idx`) when the layer returns
 * sequences, else only the last step's (`dy [B, u]`, at `s`).
 */
export function gradientReachingH(dh: Float64Array, dy: Float32Array, s: number, idx: number, sequences: boolean, last: boolean): number {
  if (sequences) return dh[s] + dy[idx];
  return last ? dh[s] + dy[s] : dh[s];
}
