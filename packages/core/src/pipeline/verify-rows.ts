import { PolymodalError } from '../errors.js';
import { describeRow, MANIFEST_SKIP_HINT, type Table } from '../data/table.js';
import type { FittedInput } from '../model/fitted-input.js';
import type { InvalidValue } from '../plugin/contracts.js';
import { recordSkipped } from './skipped-rows.js';
import type { CheckedRows } from './check-rows.js';
import { lacksInput } from './presence.js';

/**
 * Runs each preprocessor's deeper `verify` (decoding files) on the rows that passed `check` (and have its input,
 * when it is optional), and fails on or skips what it reports exactly as checkRows does. Skipped rows are added
 * to `checked.skipped`.
 */
export async function verifyRows(
  table: Table,
  checked: CheckedRows,
  inputs: readonly FittedInput[],
  policy: 'fail' | 'skip',
  warn: (message: string) => void,
  skipHint = MANIFEST_SKIP_HINT,
): Promise<CheckedRows> {
  const verifiers = inputs.filter((input) => input.preprocessor.verify !== undefined);
  if (verifiers.length === 0) return checked;
  const rows = checked.valid.map((i) => table.rows[i]);
  const problems: (InvalidValue | undefined)[] = new Array(rows.length).fill(undefined);
  for (const input of verifiers) {
    const positions = rows.flatMap((row, r) => (lacksInput(input, row) ? [] : [r]));
    if (positions.length === 0) continue;
    const found = await input.preprocessor.verify!(positions.map((r) => rows[r]));
    found.forEach((problem, i) => (problems[positions[i]] ??= problem));
  }
  const valid: number[] = [];
  let skippedHere = 0;
  let first: { line: number; problem: string } | undefined;
  checked.valid.forEach((index, r) => {
    const invalid = problems[r];
    if (!invalid) {
      valid.push(index);
      return;
    }
    if (policy === 'fail') {
      throw new PolymodalError(`${describeRow(table, index)}: column "${invalid.column}": ${invalid.problem}`, { hint: `Fix the value, or ${skipHint}.` });
    }
    recordSkipped(checked.skipped, table.lines[index], invalid);
    skippedHere++;
    first ??= { line: table.lines[index], problem: invalid.problem };
  });
  if (first) warn(`${table.source}: skipped ${skippedHere} more row${skippedHere === 1 ? '' : 's'} whose files do not decode; first at line ${first.line}: ${first.problem}`);
  if (valid.length === 0) throw new PolymodalError(`${table.source}: every row has an invalid value`, { hint: 'Check the files the rows name.' });
  return { valid, skipped: checked.skipped };
}
