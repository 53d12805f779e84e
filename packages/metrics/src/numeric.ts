/**
 * Numeric helpers that reproduce NumPy's float64 reductions so results match
 * scikit-learn to the last few ulps (and exactly where sums are exact).
 */

const PW_BLOCKSIZE = 128;

/** NumPy's pairwise summation (`np.add.reduce` on a contiguous float64 array). */
export function pairwiseSum(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i];
    return res;
  }
  if (n <= PW_BLOCKSIZE) {
    const r = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let j = 0; j < 8; j++) r[j] = a[start + j];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] += a[start + i + j];
    }
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/** `np.mean` / `np.average` without weights. NaN for an empty input. */
export function mean(a: ArrayLike<number>): number {
  return a.length === 0 ? NaN : pairwiseSum(a) / a.length;
}

/** Sorted distinct values (ascending), like `np.unique`. */
export function uniqueSorted(...arrays: ArrayLike<number>[]): number[] {
  const set = new Set<number>();
  for (const arr of arrays) for (let i = 0; i < arr.length; i++) set.add(arr[i]);
  return [...set].sort((x, y) => x - y);
}

/** Trapezoidal rule, `np.trapz(y, x)`. */
export function trapezoid(y: ArrayLike<number>, x: ArrayLike<number>): number {
  const terms = new Float64Array(Math.max(0, x.length - 1));
  for (let i = 1; i < x.length; i++) terms[i - 1] = ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return pairwiseSum(terms);
}
