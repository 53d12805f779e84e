import type { Curve, Pruner } from './pruner.js';

export interface MedianOptions {
  /** Epochs a trial always runs (default 1). */
  warmupEpochs?: number;
  /** Complete trials that must have reached the epoch before any trial is pruned there (default 3). */
  minTrials?: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Median stopping (Optuna's MedianPruner, Google Vizier's rule): stop a trial whose best value so far is worse
 * than the median of the complete trials' values at the same epoch.
 */
export function medianPruner(options: MedianOptions = {}): Pruner {
  const warmup = options.warmupEpochs ?? 1;
  const minTrials = options.minTrials ?? 3;
  return {
    name: 'median',
    shouldPrune(trial, others) {
      const epoch = trial.losses.length;
      if (epoch <= warmup) return false;
      const atEpoch = others.filter((o) => o.number !== trial.number && o.state === 'complete' && o.losses.length >= epoch).map((o) => o.losses[epoch - 1]);
      if (atEpoch.length < minTrials) return false;
      const bestSoFar = Math.min(...trial.losses.filter(Number.isFinite));
      return !(bestSoFar <= median(atEpoch));
    },
  };
}
