import { dirname, resolve } from 'node:path';
import { LabelCodec } from '../data/labels.js';
import { splitFromColumn } from '../data/split.js';
import { cell, toNumber } from '../data/cell.js';
import { describeRow, readTable, type Table } from '../data/table.js';
import type { ManifestCheck } from '../manifest/load-manifest.js';
import type { Manifest } from '../manifest/types.js';
import { labelColumns } from '../manifest/types.js';
import { checkColumnsExist, type ColumnUse } from '../pipeline/check-columns.js';

/** How many offending rows a problem names before it only counts the rest. */
const ROWS_NAMED = 3;

/** The columns the manifest names, from the parts of it the schema accepted. */
function columnUses(check: ManifestCheck): ColumnUse[] {
  const { manifest, isClean } = check;
  const uses: ColumnUse[] = [];
  if (manifest.inputs !== null && typeof manifest.inputs === 'object') {
    for (const [name, entry] of Object.entries(manifest.inputs)) {
      if (!isClean(`/inputs/${name}`)) continue;
      if (entry.column !== undefined) uses.push({ column: entry.column, pointer: `/inputs/${name}/column` });
      entry.columns?.forEach((column, i) => uses.push({ column, pointer: `/inputs/${name}/columns/${i}` }));
    }
  }
  if (isClean('/output/column')) {
    const label = manifest.output.column;
    if (Array.isArray(label)) label.forEach((column, i) => uses.push({ column, pointer: `/output/column/${i}` }));
    else uses.push({ column: label, pointer: '/output/column' });
  }
  if (isClean('/data/split') && manifest.data.split.column !== undefined) uses.push({ column: manifest.data.split.column, pointer: '/data/split/column' });
  return uses;
}

function rowList(table: Table, rows: readonly { index: number; text: string }[]): string {
  const named = rows.slice(0, ROWS_NAMED).map((row) => `${describeRow(table, row.index)} (${row.text})`).join(', ');
  return rows.length > ROWS_NAMED ? `${named} and ${rows.length - ROWS_NAMED} more row${rows.length - ROWS_NAMED === 1 ? '' : 's'}` : named;
}

/**
 * Regression needs numbers. Text in every labelled row means the task is wrong (exit 2); text in some rows
 * is bad data (exit 1), which training would stop at, unless the manifest skips invalid rows.
 */
function checkRegressionLabels(manifest: Manifest, table: Table, check: ManifestCheck): void {
  const column = labelColumns(manifest)[0];
  const bad: { index: number; text: string }[] = [];
  let labelled = 0;
  table.rows.forEach((row, index) => {
    const value = cell(row, column);
    if (value === null) return;
    labelled++;
    if (toNumber(value) === undefined) bad.push({ index, text: JSON.stringify(value) });
  });
  if (bad.length === 0) return;
  if (bad.length === labelled) {
    check.problems.add(`/output/task: a regression task needs numeric labels, but column "${column}" holds text: ${rowList(table, bad)}. Use "multiclass" or "binary" for class labels`);
  } else if (manifest.data.onInvalidRow === 'fail') {
    check.problems.add(`${table.source}: column "${column}": label is not a number in ${rowList(table, bad)}`, 1);
    check.problems.hint('Fix those rows, or set "data.onInvalidRow": "skip" to leave them out.');
  }
}

function checkClassWeights(manifest: Manifest, labels: LabelCodec, table: Table, check: ManifestCheck): void {
  if (!check.isClean('/training/classWeight')) return;
  const weights = manifest.training.classWeight;
  if (weights === undefined || weights === 'balanced') return;
  const unknown = Object.keys(weights).filter((name) => !labels.classes.includes(name));
  if (unknown.length === 0) return;
  check.problems.add(`/training/classWeight: ${unknown.map((n) => `"${n}"`).join(', ')} ${unknown.length === 1 ? 'is not a class' : 'are not classes'} of ${table.source}`);
  check.problems.hint(`The classes are: ${labels.classes.join(', ')}.`);
}

function checkLabels(table: Table, check: ManifestCheck): void {
  const { manifest, isClean } = check;
  if (!isClean('/output') || labelColumns(manifest).some((column) => !table.columns.includes(column))) return;
  if (manifest.output.task === 'regression') {
    checkRegressionLabels(manifest, table, check);
    return;
  }
  const labels = check.problems.capture(() => LabelCodec.fromRows(manifest.output, table.rows, table.source));
  if (labels) checkClassWeights(manifest, labels, table, check);
}

function checkSplitColumn(table: Table, check: ManifestCheck): void {
  const { manifest, isClean } = check;
  if (!isClean('/data/split')) return;
  const column = manifest.data.split.column;
  if (column === undefined || !table.columns.includes(column)) return;
  check.problems.capture(() => splitFromColumn(table.rows.map((row) => cell(row, column)), (i) => `${describeRow(table, i)}: column "${column}"`));
}

/**
 * What validate can check against the data without training: the file reads, the columns the manifest
 * names exist, the labels fit the task, class weights name real classes, a split column holds split names.
 * Adds problems to `check` instead of stopping at the first.
 */
export async function checkManifestData(check: ManifestCheck): Promise<void> {
  const { manifest, isClean } = check;
  if (!isClean('/data/source') || !isClean('/data/format') || !isClean('/data/delimiter')) return;
  const dataPath = resolve(dirname(check.path), manifest.data.source);
  const table = await check.problems.captureAsync(() => readTable(dataPath, { format: manifest.data.format, delimiter: manifest.data.delimiter, onInvalidRow: manifest.data.onInvalidRow }));
  if (!table) return;
  check.problems.capture(() => checkColumnsExist(table, columnUses(check)));
  checkLabels(table, check);
  checkSplitColumn(table, check);
}
