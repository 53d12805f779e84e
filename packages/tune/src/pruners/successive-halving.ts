import type { Curve, Pruner } from './pruner.js';

export interface HalvingOptions {
  /** Epochs of the first rung (default 1). */
  minEpochs?: number;
  /** Rung k is at minEpochs * factor^k epochs, and 1/factor of the trials reaching a rung go on (default 3). */
  reductionFactor?: number;
}

/** The rung epochs up to `limit`. */
export function rungEpochs(minEpochs: number, factor: number, limit = 1e6): number[] {
  const rungs: number[] = [];
  for (let epoch = minEpochs; epoch <= limit; epoch = Math.ceil(epoch * factor)) rungs.push(epoch);
  return rungs;
}

/**
 * Asynchronous successive halving (ASHA, Optuna's SuccessiveHalvingPruner): when a trial reaches a rung it
 * goes on only if its value there is among the best 1/factor of every trial that reached that rung so far
 * (with fewer than `factor` of them, only the best goes on).
 */
export function successiveHalvingPruner(options: HalvingOptions = {}): Pruner {
  const minEpochs = options.minEpochs ?? 1;
  const factor = options.reductionFactor ?? 3;
  const rungs = new Set(rungEpochs(minEpochs, factor));
  return {
    name: 'halving',
    shouldPrune(trial: Curve, others: readonly Curve[]) {
      const epoch = trial.losses.length;
      if (!rungs.has(epoch)) return false;
      const value = trial.losses[epoch - 1];
      if (!Number.isFinite(value)) return true;
      const competing = [value, ...others.filter((o) => o.number !== trial.number && o.state !== 'failed' && o.losses.length >= epoch).map((o) => o.losses[epoch - 1])]
        .filter(Number.isFinite)
        .sort((a, b) => a - b);
      const index = Math.max(0, Math.floor(competing.length / factor) - 1);
      return value > competing[index];
    },
  };
}
