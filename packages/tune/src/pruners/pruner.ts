/** A trial's per-epoch objective, as "lower is better" (the coordinator negates maximised objectives). */
export interface Curve {
  readonly number: number;
  readonly state: 'running' | 'complete' | 'pruned' | 'failed';
  /** Value after each epoch (index 0 is epoch 1). */
  readonly losses: readonly number[];
}

/** Decides after each epoch whether a running trial should stop early. */
export interface Pruner {
  readonly name: string;
  shouldPrune(trial: Curve, others: readonly Curve[]): boolean;
}

export const noPruner: Pruner = { name: 'none', shouldPrune: () => false };
