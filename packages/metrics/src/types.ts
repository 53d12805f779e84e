/**
 * Shared result types for the metrics library.
 *
 * Convention: a function whose scikit-learn counterpart can emit a warning
 * (UndefinedMetricWarning for zero division, "only one class present", ...) returns
 * `Scored<T>`, i.e. the value plus human-readable warning strings. Functions that can
 * never hit an undefined case return plain values.
 */
export interface Scored<T = number> {
  value: T;
  /** One line per undefined case that was hit, e.g. which classes divided by zero. Empty when clean. */
  warnings: string[];
}

/** Array-like numeric input (plain arrays, typed arrays, tensor `dataSync()` output). */
export type Numeric = ArrayLike<number>;
