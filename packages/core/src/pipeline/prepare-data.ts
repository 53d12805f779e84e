import { LabelCodec } from '../data/labels.js';
import { randomSplit, type Split, splitFromColumn } from '../data/split.js';
import { readTable, type Table } from '../data/table.js';
import { cell } from '../data/cell.js';
import type { FittedInput } from '../model/fitted-input.js';
import { inputColumns, type Manifest, type ResolvedManifest } from '../manifest/types.js';
import type { InputSpec, Row } from '../plugin/contracts.js';
import { pluginModuleOf } from '../plugin/plugin-modules.js';
import type { PluginRegistry } from '../plugin/registry.js';
import { dirname, resolve } from 'node:path';
import { checkColumnsExist, type ColumnUse } from './check-columns.js';
import { checkRows } from './check-rows.js';
import { verifyRows } from './verify-rows.js';
import { inputChecks, lacksInput } from './presence.js';
import type { SkippedRows } from './skipped-rows.js';

export interface PreparedData {
  readonly table: Table;
  /** The usable rows, in file order. */
  readonly rows: Row[];
  /** Line in the file of each usable row. */
  readonly lines: number[];
  readonly skipped: SkippedRows;
  readonly labels: LabelCodec;
  readonly inputs: FittedInput[];
}

export function inputSpecs(manifest: Manifest, dataDir: string, manifestDir: string): InputSpec[] {
  return Object.entries(manifest.inputs).map(([name, entry]) => ({
    name,
    encoder: entry.encoder,
    columns: inputColumns(entry),
    options: entry.options,
    required: entry.required !== false,
    dataDir,
    dataRoot: manifest.data.root === undefined ? dataDir : resolve(manifestDir, manifest.data.root),
    allowPathsOutsideRoot: manifest.data.allowPathsOutsideRoot === true,
    manifestDir,
  }));
}

/** Where relative paths inside cells resolve from: the data file's folder, or a folder source itself. */
export function dataDirOf(table: Table): string {
  return table.format === 'directory' ? table.source : dirname(table.source);
}

export function columnUses(manifest: Manifest, withLabels: boolean): ColumnUse[] {
  const uses: ColumnUse[] = [];
  for (const [name, entry] of Object.entries(manifest.inputs)) {
    if (entry.column !== undefined) uses.push({ column: entry.column, pointer: `/inputs/${name}/column` });
    entry.columns?.forEach((column, i) => uses.push({ column, pointer: `/inputs/${name}/columns/${i}` }));
  }
  if (withLabels) {
    const label = manifest.output.column;
    if (Array.isArray(label)) label.forEach((column, i) => uses.push({ column, pointer: `/output/column/${i}` }));
    else uses.push({ column: label, pointer: '/output/column' });
  }
  if (manifest.data.split.column) uses.push({ column: manifest.data.split.column, pointer: '/data/split/column' });
  return uses;
}

/** Reads the data, settles column types and classes, and drops (or fails on) unusable rows. Nothing is fitted yet. */
export async function prepareTrainingData(resolved: ResolvedManifest, registry: PluginRegistry, warn: (m: string) => void): Promise<PreparedData> {
  const { manifest, dataPath } = resolved;
  const table = await readTable(dataPath, { format: manifest.data.format, delimiter: manifest.data.delimiter, onInvalidRow: manifest.data.onInvalidRow, warn });
  checkColumnsExist(table, columnUses(manifest, true));
  const labels = LabelCodec.fromRows(manifest.output, table.rows, table.source);
  const inputs = inputSpecs(manifest, dataDirOf(table), resolved.dir).map((spec): FittedInput => {
    const encoder = registry.encoder(spec.encoder);
    const preprocessor = encoder.createPreprocessor(spec);
    const fitted: FittedInput = { spec, encoder, preprocessor, module: pluginModuleOf(registry.providerOf(spec.encoder)!) };
    preprocessor.inspect?.(spec.required === false ? table.rows.filter((row) => !lacksInput(fitted, row)) : table.rows);
    return fitted;
  });
  const checks = [(row: Row) => labels.check(row), ...inputChecks(inputs)];
  const checked = checkRows(table, checks, manifest.data.onInvalidRow, warn);
  const { valid, skipped } = await verifyRows(table, checked, inputs, manifest.data.onInvalidRow, warn);
  return {
    table,
    rows: valid.map((i) => table.rows[i]),
    lines: valid.map((i) => table.lines[i]),
    skipped,
    labels,
    inputs,
  };
}

export function splitPrepared(manifest: Manifest, data: PreparedData): Split {
  const splitConfig = manifest.data.split;
  if (splitConfig.column) {
    const column = splitConfig.column;
    return splitFromColumn(data.rows.map((row) => cell(row, column)), (i) => `${data.table.source}:${data.lines[i]}: column "${column}"`);
  }
  return randomSplit(data.rows.length, {
    validation: splitConfig.validation,
    test: splitConfig.test,
    seed: splitConfig.seed,
    strata: splitConfig.stratify ? data.labels.strata(data.rows) : undefined,
  });
}
