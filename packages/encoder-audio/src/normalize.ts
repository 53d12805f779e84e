import type { FeatureMatrix } from './features/extract-features.js';

/** Per-bin means and standard deviations, saved with the model for `normalize: "dataset"`. */
export type BinStatistics = {
  mean: number[];
  std: number[];
};

/** Deviation below which a bin counts as constant (divided by 1, not by ~0). */
const MIN_STD = 1e-5;

/** Accumulates per-bin sums over many clips' frames (float64, two sums: enough for features of moderate range). */
export class BinStatisticsAccumulator {
  private readonly sum: Float64Array;
  private readonly squares: Float64Array;
  private count = 0;

  constructor(readonly bins: number) {
    this.sum = new Float64Array(bins);
    this.squares = new Float64Array(bins);
  }

  add(matrix: FeatureMatrix): void {
    const { values, frames, bins } = matrix;
    for (let t = 0; t < frames; t++) {
      for (let b = 0; b < bins; b++) {
        const v = values[t * bins + b];
        this.sum[b] += v;
        this.squares[b] += v * v;
      }
    }
    this.count += frames;
  }

  result(): BinStatistics {
    const mean = Array.from(this.sum, (s) => (this.count ? s / this.count : 0));
    const std = Array.from(this.squares, (q, b) => {
      const variance = this.count ? q / this.count - mean[b] ** 2 : 0;
      const deviation = Math.sqrt(Math.max(0, variance));
      return deviation < MIN_STD ? 1 : deviation;
    });
    return { mean, std };
  }
}

/** Standardises each bin in place with the given statistics. */
export function standardize(matrix: FeatureMatrix, stats: BinStatistics): void {
  const { values, frames, bins } = matrix;
  for (let t = 0; t < frames; t++) for (let b = 0; b < bins; b++) values[t * bins + b] = (values[t * bins + b] - stats.mean[b]) / stats.std[b];
}

/** The clip's own per-bin statistics (cepstral mean and variance normalisation). */
export function fileStatistics(matrix: FeatureMatrix): BinStatistics {
  const accumulator = new BinStatisticsAccumulator(matrix.bins);
  accumulator.add(matrix);
  return accumulator.result();
}
