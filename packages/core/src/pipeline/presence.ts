/**
 * Optional inputs (manifest `required: false`): which rows lack them. A row that lacks an optional input is kept;
 * that input's preprocessor never sees the row (no check, verify or transform), its features are zeros and its
 * presence (the `<input>__present` model input) is 0.
 */
import { cell } from '../data/cell.js';
import type { FittedInput } from '../model/fitted-input.js';
import type { InvalidValue, Row } from '../plugin/contracts.js';
import type { RowCheck } from './check-rows.js';

export function isOptional(input: FittedInput): boolean {
  return input.spec.required === false;
}

/** Whether the row lacks this input: never for a required one; else the encoder's `isMissing`, or every column null. */
export function lacksInput(input: FittedInput, row: Row): boolean {
  if (!isOptional(input)) return false;
  const { isMissing } = input.preprocessor;
  if (isMissing) return isMissing.call(input.preprocessor, row);
  return input.spec.columns.every((column) => cell(row, column) === null);
}

/** Per row, 1 where it has the input and 0 where it lacks it. */
export function presenceOf(input: FittedInput, rows: readonly Row[]): Float32Array {
  const present = new Float32Array(rows.length);
  rows.forEach((row, r) => (present[r] = lacksInput(input, row) ? 0 : 1));
  return present;
}

/** A row with no input at all has nothing to predict from (possible only when every input is optional). */
export function noInputProblem(inputs: readonly FittedInput[], row: Row): InvalidValue | undefined {
  if (inputs.length === 0 || !inputs.every((input) => lacksInput(input, row))) return undefined;
  const names = inputs.map((input) => input.spec.name).join(', ');
  return { column: inputs[0].spec.columns[0] ?? '', problem: `the row has none of its inputs (${names} are all optional and all missing); a row needs at least one` };
}

/** The row checks for these inputs: each input's `check` on the rows that have it, then the no-input check. */
export function inputChecks(inputs: readonly FittedInput[]): RowCheck[] {
  const checks: RowCheck[] = inputs.map((input) => (row: Row) => (lacksInput(input, row) ? undefined : input.preprocessor.check(row)));
  if (inputs.length > 0 && inputs.every(isOptional)) checks.push((row: Row) => noInputProblem(inputs, row));
  return checks;
}
