/** One searchable value: where it goes in the manifest (a JSON pointer) and which values it may take. */
interface ParamBase {
  /** RFC 6901 pointer into the manifest, e.g. `/inputs/text/options/units`. */
  pointer: string;
  /**
   * The parameter exists only when every named parameter has the given value (or one of the listed values);
   * e.g. `{ "encoder": "text/lstm" }`. An inactive parameter leaves the manifest's own value in place.
   */
  when?: Record<string, unknown>;
}

export interface IntParam extends ParamBase {
  type: 'int';
  low: number;
  high: number;
  /** Values are low, low + step, ... <= high (default 1). */
  step?: number;
  /** Sample on a log scale (step must be 1). */
  log?: boolean;
}

export interface FloatParam extends ParamBase {
  type: 'float';
  low: number;
  high: number;
  log?: boolean;
  /** Grid search only: how many evenly spaced values (log-spaced when `log`) to try; default 5. */
  gridPoints?: number;
}

export interface ChoiceParam extends ParamBase {
  type: 'choice';
  /** Any JSON values (strings, numbers, objects, lists). */
  values: unknown[];
}

export interface BooleanParam extends ParamBase {
  type: 'boolean';
}

export type ParamSpec = IntParam | FloatParam | ChoiceParam | BooleanParam;

export type Direction = 'min' | 'max';

export interface PrunerSpec {
  type: 'none' | 'median' | 'halving';
  /** Epochs every trial runs before it may be pruned (median; default 1). */
  warmupEpochs?: number;
  /** Finished trials needed before any is pruned (median; default 3). */
  minTrials?: number;
  /** Successive halving: first rung in epochs (default 1) and reduction factor (default 3). */
  minEpochs?: number;
  reductionFactor?: number;
}

/** The `search` section of a manifest, or a `--space` file. */
export interface SearchSection {
  params: Record<string, ParamSpec>;
  /** `val_loss`, `val_<metric>` or `cv_<metric>` (the held-out folds' metric, averaged; default `val_loss`). */
  objective?: string;
  /** Default: `min` for val_loss, `max` for other metrics except those where lower is better. */
  direction?: Direction;
  pruner?: PrunerSpec;
  /** Folds of a `cv_<metric>` objective (default 5 folds, stratified for classification). */
  crossval?: CrossvalSpec;
}

/** How a `cv_<metric>` objective cross-validates each trial. */
export interface CrossvalSpec {
  folds?: number;
  stratify?: boolean;
}

/** A trial's parameter values, by parameter name; inactive parameters are absent. */
export type Assignment = Record<string, unknown>;
