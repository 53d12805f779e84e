/** Small statistics for repeated estimates (permutation repeats, cross-validation folds). */

const T_975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/** The 97.5% quantile of Student's t with `df` degrees of freedom (table to 30, then 1.96 + 2.4/df, within 0.002). */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new Error(`tQuantile975: df must be a positive integer, got ${df}`);
  return df <= T_975.length ? T_975[df - 1] : 1.96 + 2.4 / df;
}

export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample standard deviation (n - 1 in the denominator); 0 for a single value. */
export function standardDeviation(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

/** Mean and its two-sided 95% Student-t interval; the interval is null for fewer than two values. */
export function meanWithInterval(values: readonly number[]): { mean: number; ci95: [number, number] | null } {
  const m = mean(values);
  if (values.length < 2) return { mean: m, ci95: null };
  const half = tQuantile975(values.length - 1) * standardDeviation(values) / Math.sqrt(values.length);
  return { mean: m, ci95: [m - half, m + half] };
}
