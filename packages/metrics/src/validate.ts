/** Input checks shared by the metric functions. All throw `Error` with a descriptive message. */
import type { Numeric } from './types.js';

export function checkSameLength(what: string, a: Numeric, b: Numeric): void {
  if (a.length !== b.length) {
    throw new Error(`${what}: inconsistent lengths (${a.length} vs ${b.length})`);
  }
}

export function checkNonEmpty(what: string, a: Numeric): void {
  if (a.length === 0) throw new Error(`${what}: empty input`);
}

export function checkFinite(what: string, name: string, a: Numeric): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new Error(`${what}: ${name}[${i}] is not finite (${a[i]})`);
  }
}

/** Checks that every value is 0 or 1. */
export function checkBinaryLabels(what: string, name: string, a: Numeric): void {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== 0 && a[i] !== 1) throw new Error(`${what}: ${name}[${i}] must be 0 or 1, got ${a[i]}`);
  }
}

/** Checks that every value is an integer class index in [0, k). */
export function checkClassIndices(what: string, name: string, a: Numeric, k: number): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (!Number.isInteger(v) || v < 0 || v >= k) {
      throw new Error(`${what}: ${name}[${i}] must be an integer class index in [0, ${k}), got ${v}`);
    }
  }
}

export function checkProbabilities(what: string, name: string, a: Numeric): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (!(v >= 0 && v <= 1)) throw new Error(`${what}: ${name}[${i}] must be a probability in [0, 1], got ${v}`);
  }
}

export function checkPositiveInt(what: string, name: string, v: number, min = 1): void {
  if (!Number.isInteger(v) || v < min) throw new Error(`${what}: ${name} must be an integer >= ${min}, got ${v}`);
}

/** Checks a flat row-major n*k matrix and returns n. */
export function checkFlatMatrix(what: string, name: string, a: Numeric, k: number): number {
  checkPositiveInt(what, 'numClasses', k);
  if (a.length % k !== 0) {
    throw new Error(`${what}: ${name} has length ${a.length}, not a multiple of numClasses=${k}`);
  }
  return a.length / k;
}

/** Formats a label list for warning messages: `[0, 2]`. */
export function fmtLabels(labels: readonly number[]): string {
  return `[${labels.join(', ')}]`;
}
