import { PolymodalError } from '../errors.js';
import { createRandom } from '../util/random.js';

/** Row indices of each split, each list ascending. */
export interface Split {
  readonly train: number[];
  readonly validation: number[];
  readonly test: number[];
}

export interface RandomSplitOptions {
  validation: number;
  test: number;
  seed: number;
  /** One stratum key per row (e.g. the class label); rows of each stratum are divided in the same proportions. */
  strata?: readonly string[];
}

/** A split that depends only on the row count, the fractions, the seed and (when stratified) the labels. */
export function randomSplit(rowCount: number, options: RandomSplitOptions): Split {
  if (options.validation + options.test >= 1) {
    throw new PolymodalError(`data.split: validation (${options.validation}) + test (${options.test}) leaves no training rows`, {
      hint: 'Make the two fractions add up to less than 1, e.g. 0.2 and 0.2.',
    });
  }
  const random = createRandom(options.seed).fork('split');
  const groups = new Map<string, number[]>();
  for (let row = 0; row < rowCount; row++) {
    const key = options.strata ? options.strata[row] : '';
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(row);
  }
  const split: Split = { train: [], validation: [], test: [] };
  const keys = [...groups.keys()].sort();
  for (const key of keys) {
    const rows = random.shuffle(groups.get(key)!);
    const testCount = Math.round(rows.length * options.test);
    const validationCount = Math.round(rows.length * options.validation);
    // Element by element: push(...rows) passes every row as an argument and overflows the stack past ~125k.
    rows.forEach((row, i) => (i < testCount ? split.test : i < testCount + validationCount ? split.validation : split.train).push(row));
  }
  for (const part of [split.train, split.validation, split.test]) part.sort((a, b) => a - b);
  if (split.train.length === 0) {
    throw new PolymodalError(`data.split leaves no training rows out of ${rowCount}`, {
      hint: 'Use more rows or smaller validation/test fractions.',
    });
  }
  return split;
}

/** A Map, so a value such as "constructor" or "__proto__" finds nothing instead of Object.prototype's members. */
const SPLIT_NAMES = new Map<string, keyof Split>([
  ['train', 'train'], ['training', 'train'],
  ['validation', 'validation'], ['valid', 'validation'], ['val', 'validation'], ['dev', 'validation'],
  ['test', 'test'], ['testing', 'test'],
]);

/** A split given by a column whose values name each row's part (train / validation / test). */
export function splitFromColumn(values: readonly unknown[], describeRow: (row: number) => string): Split {
  const split: Split = { train: [], validation: [], test: [] };
  values.forEach((value, row) => {
    const part = SPLIT_NAMES.get(String(value ?? '').trim().toLowerCase());
    if (!part) {
      throw new PolymodalError(`${describeRow(row)}: split value ${JSON.stringify(value)} is not train, validation or test`);
    }
    split[part].push(row);
  });
  if (split.train.length === 0) throw new PolymodalError('the split column marks no row as train');
  return split;
}
