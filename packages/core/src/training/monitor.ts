import type { MonitorMode } from '../manifest/types.js';

const HIGHER_IS_BETTER = /acc|auc|f1|precision|recall|r2/i;

export function resolveMode(monitor: string, mode: MonitorMode): 'min' | 'max' {
  if (mode !== 'auto') return mode;
  return HIGHER_IS_BETTER.test(monitor) ? 'max' : 'min';
}

/** Whether `current` beats `best` by more than `minDelta` in the monitor's direction. */
export function improves(mode: 'min' | 'max', current: number, best: number, minDelta: number): boolean {
  return mode === 'min' ? current < best - minDelta : current > best + minDelta;
}

export function initialBest(mode: 'min' | 'max'): number {
  return mode === 'min' ? Infinity : -Infinity;
}
