/**
 * The checks of the conformance kit are plain named async functions, so any test runner can run them;
 * `registerChecks` runs them as node:test subtests of one test, in order (later checks reuse what earlier
 * ones fitted and built).
 */
import { test } from 'node:test';

export interface ConformanceCheck {
  /** What is checked, e.g. `state JSON round trip`; also the subtest's name. */
  readonly name: string;
  /** Resolves when the check holds; rejects with a ConformanceError that says what to fix. */
  run(): Promise<void>;
  /** Set when the check cannot run with the given spec, and why (the subtest is then skipped with this reason). */
  readonly skip?: string;
}

export class ConformanceError extends Error {
  /** Same code as node:assert's AssertionError, so runners that special-case it format it alike. */
  readonly code = 'ERR_ASSERTION';
  constructor(readonly subject: string, readonly check: string, detail: string) {
    super(`${subject} failed conformance check '${check}': ${detail}`);
    this.name = 'ConformanceError';
  }
}

export type Fail = (detail: string) => never;

/** A failure of `check`, named after the encoder or fusion type. */
export function failer(subject: string, check: string): Fail {
  return (detail: string) => {
    throw new ConformanceError(subject, check, detail);
  };
}

/** Runs plugin code for a check: anything it throws becomes that check's failure, with its message. */
export async function guarded<T>(fail: Fail, what: string, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ConformanceError) throw error;
    fail(`${what} threw: ${(error as Error)?.message ?? String(error)}`);
  }
}

/** Registers one node:test test named `title` whose subtests are the checks, run in order. */
export function registerChecks(title: string, checks: readonly ConformanceCheck[]): void {
  test(title, async (t) => {
    for (const check of checks) {
      if (check.skip !== undefined) await t.test(check.name, { skip: check.skip }, () => undefined);
      else await t.test(check.name, () => check.run());
    }
  });
}

/** Runs the checks in order without a test runner and rejects with the first failure. */
export async function runChecks(checks: readonly ConformanceCheck[]): Promise<void> {
  for (const check of checks) if (check.skip === undefined) await check.run();
}
