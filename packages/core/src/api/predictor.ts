import * as tf from '@tensorflow/tfjs';
import { realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Task } from '../manifest/types.js';
import { PolymodalError } from '../errors.js';
import { type CompiledModel, isCompilerSkip, type ModelCompiler } from '../model/compiled-model.js';
import { type FittedInput, modelInputLayout } from '../model/fitted-input.js';
import type { InvalidValue, RawValue, Row } from '../plugin/contracts.js';
import { createBatchSource } from '../training/batch-source.js';
import { createRandom } from '../util/random.js';
import { loadModel, type LoadedModel, type LoadModelOptions } from './load-model.js';
import { toPredictions, type Prediction } from './predict.js';
import { predictWithDetails, withDetails } from './prediction-details.js';
import { lacksInput, noInputProblem } from '../pipeline/presence.js';
import { toDataRow, type PredictorRow } from './predictor-cells.js';
import { describeColumns, isFileColumn, type PredictorColumn } from './predictor-columns.js';

export type { PredictorCell, PredictorRow } from './predictor-cells.js';
export type { PredictorColumn, PredictorColumnType } from './predictor-columns.js';

export interface LoadPredictorOptions extends LoadModelOptions {
  /**
   * Image and audio cells may name files under this folder (links resolved; relative paths resolve from it).
   * Without it a path in a cell is refused: callers send the file's bytes or a data: URI.
   */
  allowPathsUnder?: string;
  /** A column copied into each prediction as `id` (as `predict --id-column` does). */
  idColumn?: string;
  /**
   * Hands the model to a faster engine for plain predictions (explanations stay on tfjs), e.g. `@polymodal/export`'s
   * tensorflowGraph() on the tensorflow backend; used only on the backends it names. One that declines says why in
   * `predictor.notes`.
   */
  compile?: ModelCompiler;
}

/** A row the model could not read: which column, and why. `row` is the row's position in the call. */
export interface RowError {
  readonly row: number;
  readonly id?: RawValue;
  readonly error: InvalidValue;
}

export type PredictorResult = Prediction | RowError;

export function isRowError(result: PredictorResult): result is RowError {
  return (result as RowError).error !== undefined;
}

export interface PredictRowsOptions {
  /** Add each result's `reliance` (presence of each input, and what the fusion exposes: attention, gates). */
  explain?: boolean;
  /**
   * Rows per model call at most; default the manifest's training batch size. A server passes its micro-batch size,
   * so the rows it gathered run as one call (for the seed example on tensorflow, 6-17% less CPU per row than
   * chunks of 32 and a remainder).
   */
  batchSize?: number;
}

/** How the checked rows of one `predict` call go through the model. */
interface ModelCall {
  readonly explain: boolean;
  readonly batchSize: number;
}

/** A model folder loaded once, predicting rows given as plain objects. */
export interface Predictor {
  /** The manifest's name. */
  readonly name: string;
  readonly dir: string;
  readonly task: Task;
  readonly classes: readonly string[];
  /** The columns a row may hold, in manifest order. */
  readonly inputs: readonly PredictorColumn[];
  readonly idColumn?: string;
  /**
   * One result per row, in order: what `polymodal predict` writes for it (`row` is its position in `rows`), or a
   * RowError for a row that fails a check or cannot be read. Bad rows never fail the others.
   */
  predict(rows: readonly PredictorRow[], options?: PredictRowsOptions): Promise<PredictorResult[]>;
  /** What runs the predictions: "tfjs on <backend>", or the compiled model's description. */
  readonly engine: string;
  /** What the caller should know about how the model runs (a compiler that declined, and why). */
  readonly notes: readonly string[];
  /** Runs the model once on zeros, so the first real call does not pay for kernel set-up. */
  warmUp(): void;
  dispose(): void;
}

function dataRootOf(allowPathsUnder: string): string {
  const root = resolve(allowPathsUnder);
  let isFolder = false;
  try {
    isFolder = statSync(root).isDirectory();
  } catch {
    // reported below
  }
  if (!isFolder) throw new PolymodalError(`${root}: the folder that cell paths may point into does not exist`, { hint: 'Give an existing folder.', exitCode: 2 });
  return realpathSync(root);
}

/** The row's first problem: a check of an input it has, or having none of its inputs. */
function checkRow(inputs: readonly FittedInput[], row: Row): InvalidValue | undefined {
  for (const input of inputs) {
    try {
      const invalid = lacksInput(input, row) ? undefined : input.preprocessor.check(row);
      if (invalid) return invalid;
    } catch (error) {
      if (error instanceof PolymodalError) return { column: input.spec.columns[0], problem: error.message };
      throw error;
    }
  }
  return noInputProblem(inputs, row);
}

class LoadedPredictor implements Predictor {
  readonly inputs: readonly PredictorColumn[];
  private disposed = false;

  constructor(
    private readonly model: LoadedModel,
    private readonly fitted: FittedInput[],
    private readonly allowPaths: boolean,
    readonly idColumn: string | undefined,
    private readonly compiled: CompiledModel | undefined,
    readonly notes: readonly string[],
  ) {
    this.inputs = describeColumns(fitted);
  }

  get engine(): string {
    return this.compiled?.description ?? `tfjs on ${this.model.backend.name}`;
  }

  get name(): string {
    return this.model.manifest.name;
  }

  get dir(): string {
    return this.model.dir;
  }

  get task(): Task {
    return this.model.labels.task;
  }

  get classes(): readonly string[] {
    return this.model.labels.classes;
  }

  async predict(rows: readonly PredictorRow[], options: PredictRowsOptions = {}): Promise<PredictorResult[]> {
    if (this.disposed) throw new PolymodalError(`${this.dir}: this predictor was disposed`, { exitCode: 70 });
    const batchSize = options.batchSize ?? this.model.manifest.training.batchSize;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    const results: PredictorResult[] = new Array(rows.length);
    const good: { position: number; row: Row }[] = [];
    rows.forEach((given, position) => {
      const converted = toDataRow(given, this.inputs, this.allowPaths);
      const invalid = 'invalid' in converted ? converted.invalid : checkRow(this.fitted, converted.row);
      if (invalid) results[position] = this.rowError(position, given, invalid);
      else good.push({ position, row: (converted as { row: Row }).row });
    });
    await this.predictGood(good, rows, results, { explain: options.explain === true, batchSize });
    return results;
  }

  private rowError(position: number, given: PredictorRow, error: InvalidValue): RowError {
    return this.idColumn === undefined ? { row: position, error } : { row: position, id: this.idOf(given), error };
  }

  private idOf(row: PredictorRow): RawValue {
    const value = row !== null && typeof row === 'object' && Object.hasOwn(row, this.idColumn!) ? row[this.idColumn!] : null;
    return value === undefined || value instanceof Uint8Array ? null : value;
  }

  /**
   * Predicts the checked rows together. Reading a file can still fail after the cheap checks (a truncated image):
   * then each row is retried alone, so only the rows that cannot be read get an error.
   */
  private async predictGood(good: { position: number; row: Row }[], rows: readonly PredictorRow[], results: PredictorResult[], call: ModelCall): Promise<void> {
    if (good.length === 0) return;
    let predictions: Prediction[];
    try {
      predictions = await this.run(good.map((g) => g.row), good.map((g) => g.position), good.map((g) => rows[g.position]), call);
    } catch (error) {
      if (!(error instanceof PolymodalError)) throw error;
      if (good.length > 1) {
        for (const one of good) await this.predictGood([one], rows, results, call);
        return;
      }
      const position = good[0].position;
      // The encoders name the file, not the column, when reading fails: the first file column is the likely one.
      const column = (this.inputs.find(isFileColumn) ?? this.inputs[0])?.name ?? '';
      results[position] = this.rowError(position, rows[position], { column, problem: error.message });
      return;
    }
    good.forEach((g, i) => (results[g.position] = predictions[i]));
  }

  private async run(rows: Row[], positions: number[], given: PredictorRow[], call: ModelCall): Promise<Prediction[]> {
    const source = await createBatchSource({ inputs: this.fitted, rows, targetWidth: 1, random: createRandom(this.model.meta.seed) });
    const { outputs, details } = await predictWithDetails(this.model, this.fitted, source, rows, call.explain, call.batchSize, this.compiled);
    const ids = this.idColumn === undefined ? undefined : given.map((row) => this.idOf(row));
    return withDetails(toPredictions(this.model.labels, outputs, positions, this.model.meta.threshold, ids), details);
  }

  warmUp(): void {
    const model = this.model.model;
    const byName = new Map(modelInputLayout(this.fitted).map((entry) => [entry.name, entry.feature]));
    tf.tidy(() => {
      const xs = model.inputNames.map((name) => {
        const feature = byName.get(name)!;
        return tf.zeros([1, ...feature.shape], feature.dtype);
      });
      (model.predict(xs.length === 1 ? xs[0] : xs) as tf.Tensor).dataSync();
      this.compiled?.predict(xs).dataSync();
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.compiled?.dispose();
    this.model.model.dispose();
  }
}

/**
 * Loads a model folder once (see loadModel: no code from the folder runs, its files are hash-checked) for
 * repeated predictions on rows given as objects: by a server, or an application.
 */
export async function loadPredictor(dir: string, options: LoadPredictorOptions = {}): Promise<Predictor> {
  const root = options.allowPathsUnder === undefined ? undefined : dataRootOf(options.allowPathsUnder);
  const model = await loadModel(dir, options);
  try {
    // Without a root no path reaches an encoder (toDataRow refuses them); the working directory is then only
    // where an image encoder's optional pixel cache goes, as for `polymodal predict` on a file there.
    const fitted = model.inputsFor(root ?? process.cwd(), root === undefined ? {} : { root });
    const compiler = options.compile?.backends.includes(model.backend.tfjsBackend) ? options.compile : undefined;
    const compiled = compiler ? await compiler.compile(model.model, model.backend) : undefined;
    if (compiled !== undefined && isCompilerSkip(compiled)) {
      return new LoadedPredictor(model, fitted, root !== undefined, options.idColumn, undefined, [`[${compiler!.name}] ${compiled.skipped}; predicting with tfjs`]);
    }
    return new LoadedPredictor(model, fitted, root !== undefined, options.idColumn, compiled, []);
  } catch (error) {
    model.model.dispose();
    throw error;
  }
}
