/** Test-only: loads the scikit-learn fixtures written by tools/metrics-fixtures/generate.py. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Json = any;

const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** The fixture file, with "NaN" / "Infinity" / "-Infinity" strings turned back into numbers. */
export const fixtures: Json = JSON.parse(
  readFileSync(new URL('./sklearn-expected.json', import.meta.url), 'utf8'),
  (_key, value) => (typeof value === 'string' && value in NON_FINITE ? NON_FINITE[value] : value),
);

const REL = 1e-9;
const ABS = 1e-12;

/** |actual - expected| <= 1e-9 relative (1e-12 absolute near zero); NaN matches NaN, infinities must be equal. */
export function assertClose(actual: number, expected: number, message = ''): void {
  if (Number.isNaN(expected) || !Number.isFinite(expected)) {
    assert.ok(Object.is(actual, expected), `${message}: expected ${expected}, got ${actual}`);
    return;
  }
  const tol = Math.max(ABS, REL * Math.max(Math.abs(actual), Math.abs(expected)));
  assert.ok(Math.abs(actual - expected) <= tol, `${message}: expected ${expected}, got ${actual} (diff ${actual - expected})`);
}

export function assertAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, message = ''): void {
  assert.equal(actual.length, expected.length, `${message}: length ${actual.length} vs ${expected.length}`);
  for (let i = 0; i < expected.length; i++) assertClose(actual[i], expected[i], `${message}[${i}]`);
}

/** The warnings list is non-empty exactly when scikit-learn warned (or raised). */
export function assertWarned(warnings: readonly string[], expected: boolean, message = ''): void {
  assert.equal(warnings.length > 0, expected, `${message}: warned=${warnings.length > 0} (${JSON.stringify(warnings)}), scikit-learn warned=${expected}`);
}
