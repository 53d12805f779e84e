/** explanation.json: written by explain() into the model folder. */
export const EXPLANATION_FILE = 'explanation.json';

/** One metric's drop when one input is permuted: mean over repeats and a 95% confidence interval. */
export interface ContributionEstimate {
  /** Baseline value minus permuted value, sign-flipped for lower-is-better metrics: positive = the input helps. */
  drop: number;
  /** Student-t 95% interval of the mean drop; null with a single repeat. */
  ci95: [number, number] | null;
  /** The drop of each repeat. */
  drops: number[];
}

/** explanation.json: per-input permutation importance (written by explain()). */
export interface Explanation {
  dataSource: string;
  rowsUsed: 'test split' | 'all rows';
  rows: number;
  repeats: number;
  seed: number;
  baseline: Record<string, number>;
  /** Which metrics are better when lower (their drop is permuted - baseline). */
  lowerIsBetter: string[];
  inputs: {
    name: string;
    columns: string[];
    metrics: Record<string, ContributionEstimate>;
    /**
     * Optional inputs only: each metric's drop when the input is removed from every row (presence 0, as
     * `evaluate --drop`), signed like `drop`. Deterministic, so a single value.
     */
    masked?: Record<string, number>;
  }[];
}
