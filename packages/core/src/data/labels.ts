import { PolymodalError } from '../errors.js';
import type { Manifest, Task } from '../manifest/types.js';
import type { InvalidValue, Row } from '../plugin/contracts.js';
import { cell, toNumber } from './cell.js';

export interface LabelState {
  task: Task;
  columns: string[];
  /** Class names in output order (classification). Binary: [negative, positive]. */
  classes: string[];
  /** Whether every class name is a number, so predictions print numbers. */
  numericClasses: boolean;
  separator?: string;
  /** Regression targets are standardised with the training split's mean and standard deviation. */
  mean?: number;
  std?: number;
}

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'y', 't']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'n', 'f']);

function classKey(value: unknown): string {
  return String(value).trim();
}

function sortClasses(names: string[]): { classes: string[]; numeric: boolean } {
  const numeric = names.every((name) => toNumber(name) !== undefined);
  const classes = [...names].sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
  return { classes, numeric };
}

/** Reads, checks and encodes the label columns; decodes model outputs back to class names or values. */
export class LabelCodec {
  private readonly index: Map<string, number>;

  private constructor(readonly stateValue: LabelState) {
    this.index = new Map(stateValue.classes.map((name, i) => [name, i]));
  }

  /** Settles the classes from every labelled row (so a stratified split can see them) and, for regression, nothing yet. */
  static fromRows(output: Manifest['output'], rows: readonly Row[], source?: string): LabelCodec {
    const inFile = source ? ` in ${source}` : '';
    const columns = Array.isArray(output.column) ? output.column : [output.column];
    const base: LabelState = { task: output.task, columns, classes: [], numericClasses: false, separator: output.separator };
    if (output.task === 'regression') return new LabelCodec(base);
    if (output.task === 'multilabel' && columns.length > 1) {
      return new LabelCodec({ ...base, classes: [...columns] });
    }
    if (output.task === 'multilabel' && !output.separator) {
      throw new PolymodalError('output: a multilabel task needs several 0/1 columns or one column with a "separator"', {
        hint: 'Set "output.column" to a list of label columns, or set "output.separator", e.g. "|".',
        exitCode: 2,
      });
    }
    if (output.task !== 'multilabel' && columns.length > 1) {
      throw new PolymodalError(`output: a ${output.task} task takes one label column, not ${columns.length}`, { exitCode: 2 });
    }
    let names: string[];
    if (output.classes) {
      names = output.classes.map(classKey);
    } else {
      const seen = new Set<string>();
      for (const row of rows) {
        const value = cell(row, columns[0]);
        if (value === null) continue;
        if (output.task === 'multilabel') {
          for (const part of String(value).split(output.separator!)) if (part.trim()) seen.add(part.trim());
        } else {
          seen.add(classKey(value));
        }
      }
      names = [...seen];
    }
    let { classes, numeric } = output.classes ? { classes: names, numeric: names.every((n) => toNumber(n) !== undefined) } : sortClasses(names);
    if (output.task === 'binary') {
      if (classes.length !== 2) {
        throw new PolymodalError(
          `output.column "${columns[0]}": a binary task needs exactly 2 classes, found ${classes.length}${inFile}` +
            (classes.length <= 10 ? ` (${classes.map((c) => JSON.stringify(c)).join(', ')})` : ''),
          { hint: classes.length > 2 ? 'Use "task": "multiclass".' : 'Check the label column name and its values.', exitCode: 2 },
        );
      }
      if (output.positiveClass !== undefined) {
        const positive = classKey(output.positiveClass);
        if (!classes.includes(positive)) {
          throw new PolymodalError(`output.positiveClass ${JSON.stringify(output.positiveClass)} is not one of the classes ${JSON.stringify(classes)}`, { exitCode: 2 });
        }
        classes = [classes.find((c) => c !== positive)!, positive];
      }
    } else if (output.task === 'multiclass' && classes.length < 2) {
      throw new PolymodalError(`output.column "${columns[0]}": a multiclass task needs at least 2 classes, found ${classes.length}${inFile}`, { exitCode: 2 });
    }
    return new LabelCodec({ ...base, classes, numericClasses: numeric });
  }

  static restore(state: LabelState): LabelCodec {
    return new LabelCodec(state);
  }

  get task(): Task {
    return this.stateValue.task;
  }

  get classes(): readonly string[] {
    return this.stateValue.classes;
  }

  /** Units of the output layer. */
  get outputUnits(): number {
    const task = this.stateValue.task;
    return task === 'binary' || task === 'regression' ? 1 : this.stateValue.classes.length;
  }

  state(): LabelState {
    return { ...this.stateValue, classes: [...this.stateValue.classes], columns: [...this.stateValue.columns] };
  }

  check(row: Row): InvalidValue | undefined {
    const { task, columns, separator } = this.stateValue;
    if (task === 'multilabel' && columns.length > 1) {
      for (const column of columns) {
        const value = cell(row, column);
        if (value === null) return { column, problem: 'the label is missing' };
        if (!TRUE_WORDS.has(classKey(value).toLowerCase()) && !FALSE_WORDS.has(classKey(value).toLowerCase())) {
          return { column, problem: `label ${JSON.stringify(value)} is not 0/1 or true/false` };
        }
      }
      return undefined;
    }
    const column = columns[0];
    const value = cell(row, column);
    if (value === null) return { column, problem: 'the label is missing' };
    if (task === 'regression') {
      return toNumber(value) === undefined ? { column, problem: `label ${JSON.stringify(value)} is not a number` } : undefined;
    }
    const names = task === 'multilabel' ? String(value).split(separator!).map((s) => s.trim()).filter(Boolean) : [classKey(value)];
    for (const name of names) {
      if (!this.index.has(name)) {
        return { column, problem: `label ${JSON.stringify(name)} is not one of the classes ${JSON.stringify(this.stateValue.classes)}` };
      }
    }
    return undefined;
  }

  /** Learns what training needs from the training split (regression: the target's mean and deviation). */
  fit(rows: readonly Row[]): void {
    if (this.stateValue.task !== 'regression') return;
    const values = rows.map((row) => toNumber(cell(row, this.stateValue.columns[0]))!);
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
    this.stateValue.mean = mean;
    this.stateValue.std = Math.sqrt(variance) || 1;
  }

  /** Class index per row (binary, multiclass), 0/1 per row and label (multilabel), or the raw value (regression). */
  targets(rows: readonly Row[]): Float32Array {
    const { task, columns, separator } = this.stateValue;
    if (task === 'multilabel') {
      const k = this.classes.length;
      const out = new Float32Array(rows.length * k);
      rows.forEach((row, r) => {
        if (columns.length > 1) {
          columns.forEach((column, c) => {
            out[r * k + c] = TRUE_WORDS.has(classKey(cell(row, column)).toLowerCase()) ? 1 : 0;
          });
        } else {
          for (const part of String(cell(row, columns[0])).split(separator!)) {
            const index = this.index.get(part.trim());
            if (index !== undefined) out[r * k + index] = 1;
          }
        }
      });
      return out;
    }
    const out = new Float32Array(rows.length);
    rows.forEach((row, r) => {
      const value = cell(row, columns[0]);
      out[r] = task === 'regression' ? toNumber(value)! : this.index.get(classKey(value))!;
    });
    return out;
  }

  /** What the model is trained against: one-hot for multiclass, standardised values for regression. */
  trainingTargets(targets: Float32Array): Float32Array {
    const { task, mean = 0, std = 1 } = this.stateValue;
    if (task === 'regression') return targets.map((v) => (v - mean) / std);
    if (task !== 'multiclass') return targets;
    const k = this.classes.length;
    const oneHot = new Float32Array(targets.length * k);
    targets.forEach((index, r) => (oneHot[r * k + index] = 1));
    return oneHot;
  }

  /** Model output back to the label's scale (regression) or probabilities unchanged. */
  fromModelOutput(output: Float32Array): Float32Array {
    const { task, mean = 0, std = 1 } = this.stateValue;
    return task === 'regression' ? output.map((v) => v * std + mean) : output;
  }

  /** The stratum of each row for a stratified split (classification only). */
  strata(rows: readonly Row[]): string[] | undefined {
    const { task, columns } = this.stateValue;
    if (task !== 'binary' && task !== 'multiclass') return undefined;
    return rows.map((row) => classKey(cell(row, columns[0])));
  }

  /** A class name as it should print: a number when every class is numeric. */
  className(index: number): string | number {
    const name = this.stateValue.classes[index];
    return this.stateValue.numericClasses ? Number(name) : name;
  }
}
