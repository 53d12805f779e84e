import { PolymodalError } from '../errors.js';
import { createRandom } from '../util/random.js';
import type { Split } from './split.js';

export interface KFoldOptions {
  /** Number of folds, >= 2. */
  folds: number;
  /** 0-based fold held out as the test split. */
  fold: number;
  /** Same seed, same assignment of rows to folds (a repeat uses another seed). */
  seed: number | string;
  /** Fraction of the remaining rows kept for validation (early stopping, monitors). */
  validation: number;
  /** One stratum key per row (the class) for stratified folds. */
  strata?: readonly string[];
}

/** The fold (0..folds-1) of each row: rows of each stratum are shuffled and dealt round-robin, so folds differ in size by at most one. */
export function kFoldAssignment(rowCount: number, options: Omit<KFoldOptions, 'fold' | 'validation'>): number[] {
  if (!Number.isInteger(options.folds) || options.folds < 2) {
    throw new PolymodalError(`cross-validation needs at least 2 folds, got ${options.folds}`, { hint: 'Use --folds 5, for example.', exitCode: 2 });
  }
  if (options.folds > rowCount) {
    throw new PolymodalError(`cross-validation with ${options.folds} folds needs at least ${options.folds} usable rows; the data has ${rowCount}`, {
      hint: 'Use fewer folds.',
      exitCode: 2,
    });
  }
  const random = createRandom(options.seed).fork('kfold');
  const groups = new Map<string, number[]>();
  for (let row = 0; row < rowCount; row++) {
    const key = options.strata ? options.strata[row] : '';
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(row);
  }
  const assignment = new Array<number>(rowCount);
  let next = 0;
  for (const key of [...groups.keys()].sort()) {
    for (const row of random.shuffle(groups.get(key)!)) assignment[row] = next++ % options.folds;
  }
  return assignment;
}

/** Fold `fold` is the test split; the other rows are divided into train and validation (per stratum). */
export function kFoldSplit(rowCount: number, options: KFoldOptions): Split {
  if (!Number.isInteger(options.fold) || options.fold < 0 || options.fold >= options.folds) {
    throw new Error(`kFoldSplit: fold must be in 0..${options.folds - 1}, got ${options.fold}`);
  }
  if (!(options.validation >= 0 && options.validation < 1)) throw new Error(`kFoldSplit: validation must be in [0, 1), got ${options.validation}`);
  const assignment = kFoldAssignment(rowCount, options);
  const split: Split = { train: [], validation: [], test: [] };
  const rest = new Map<string, number[]>();
  for (let row = 0; row < rowCount; row++) {
    if (assignment[row] === options.fold) split.test.push(row);
    else {
      const key = options.strata ? options.strata[row] : '';
      let group = rest.get(key);
      if (!group) rest.set(key, (group = []));
      group.push(row);
    }
  }
  const random = createRandom(options.seed).fork(`kfold/${options.fold}/validation`);
  for (const key of [...rest.keys()].sort()) {
    const rows = random.shuffle(rest.get(key)!);
    const count = Math.round(rows.length * options.validation);
    // Element by element: push(...rows) overflows the stack past ~125k rows.
    rows.forEach((row, i) => (i < count ? split.validation : split.train).push(row));
  }
  split.train.sort((a, b) => a - b);
  split.validation.sort((a, b) => a - b);
  return split;
}
