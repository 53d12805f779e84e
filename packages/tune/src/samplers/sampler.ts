import type { SearchSpace } from '../space/search-space.js';
import type { Assignment } from '../space/types.js';
import type { RandomSource } from './random-source.js';

/** A finished trial as samplers see it: `loss` is the objective turned into "lower is better". */
export interface Observation {
  readonly number: number;
  readonly assignment: Assignment;
  readonly state: 'complete' | 'pruned';
  /** Complete: the objective; pruned: its last reported value. */
  readonly loss: number;
  /** Epochs reported (pruned trials that went further rank better). */
  readonly steps: number;
}

export interface SamplerContext {
  readonly space: SearchSpace;
  /** Complete and pruned trials (failed ones tell nothing about the objective). */
  readonly observations: readonly Observation[];
  /** Assignments of the trials running now (TPE's constant liar treats them as bad results). */
  readonly running: readonly Assignment[];
  /** Every assignment handed out so far, finished, failed or running (grid search skips them). */
  readonly issued: readonly Assignment[];
  readonly random: RandomSource;
}

/** Chooses the next trial's parameters; undefined when it has nothing left to try (a finished grid). */
export interface Sampler {
  readonly name: string;
  next(context: SamplerContext): Assignment | undefined;
}
