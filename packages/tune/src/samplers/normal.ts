/** The normal distribution's pieces TPE needs: log density, CDF, truncated sampling. */

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * erfc to about 1e-15: a power series of erf below 2, a continued fraction above (so tails keep their logs,
 * and masses of narrow intervals, differences of two CDFs, keep their digits).
 */
export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) {
    // erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
    let term = x;
    let sum = x;
    for (let n = 1; n < 60; n++) {
      term *= (-x * x) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (x > 27) return 0;
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), evaluated from the tail.
  let fraction = x;
  for (let k = 80; k >= 1; k--) fraction = x + k / 2 / fraction;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / fraction;
}

export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

export function logNormalPdf(x: number, mu: number, sigma: number): number {
  const z = (x - mu) / sigma;
  return -0.5 * z * z - LOG_SQRT_2PI - Math.log(sigma);
}

/** Probability mass of N(mu, sigma) inside [low, high], kept above 0 so its log is finite. */
export function massBetween(low: number, high: number, mu: number, sigma: number): number {
  const a = (low - mu) / sigma;
  const b = (high - mu) / sigma;
  // Both bounds on one far side: compute from that tail to avoid 1 - 1.
  const mass = a > 0 ? 0.5 * (erfc(a / Math.SQRT2) - erfc(b / Math.SQRT2)) : normalCdf(b) - normalCdf(a);
  return Math.max(mass, 1e-300);
}

/** A draw from N(mu, sigma) truncated to [low, high]: rejection, then the inverse of a bisected CDF when rejection is slow. */
export function sampleTruncated(mu: number, sigma: number, low: number, high: number, normal: () => number, uniform: () => number): number {
  for (let i = 0; i < 32; i++) {
    const x = mu + sigma * normal();
    if (x >= low && x <= high) return x;
  }
  const lo = normalCdf((low - mu) / sigma);
  const hi = normalCdf((high - mu) / sigma);
  const target = lo + uniform() * (hi - lo);
  let a = low;
  let b = high;
  for (let i = 0; i < 60; i++) {
    const m = (a + b) / 2;
    if (normalCdf((m - mu) / sigma) < target) a = m;
    else b = m;
  }
  return (a + b) / 2;
}

export function logSumExp(values: readonly number[]): number {
  const max = Math.max(...values);
  if (!Number.isFinite(max)) return max;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - max);
  return max + Math.log(sum);
}
