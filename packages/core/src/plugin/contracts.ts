import type * as tf from '@tensorflow/tfjs';

/** A JSON Schema (draft 2020-12 subset that ajv understands). */
export type JsonSchema = Record<string, unknown>;
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One cell as read from CSV (always a string or null) or JSONL (any JSON scalar). */
export type RawValue = string | number | boolean | null;
export type Row = Readonly<Record<string, RawValue>>;

/** The shape and dtype of one model input that a preprocessor fills, per sample. */
export interface FeatureSpec {
  /** Distinguishes several inputs of one encoder; the model input is named `<input>` or `<input>__<key>`. */
  readonly key: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
}

/** Flat, row-major arrays keyed by FeatureSpec.key, `rows * prod(shape)` long. */
export type FeatureArrays = Record<string, Float32Array | Int32Array>;

export interface InvalidValue {
  readonly column: string;
  readonly problem: string;
}

export interface TransformContext {
  /** True only while producing training batches: augmentation belongs here and nowhere else. */
  readonly training: boolean;
  /** Seeded uniform [0, 1) source for augmentation. */
  readonly random: () => number;
}

/**
 * Turns raw column values into model inputs. Fitted on the training split only; its fitted state is JSON
 * and is saved with the model so a fresh process can restore it.
 */
export interface Preprocessor<State extends JsonValue = JsonValue> {
  /** Looks at every row once before the split to settle column types. Computes no statistics. */
  inspect?(rows: readonly Row[]): void;
  /** Why this row cannot be used by this encoder, or undefined when it can. Cheap and synchronous: no decoding. */
  check(row: Row): InvalidValue | undefined;
  /**
   * A deeper check that needs I/O or decoding (an image or sound file that looks right but does not decode):
   * called once with the rows that passed `check`, before the split and before predicting; one entry per row,
   * undefined where the row is usable. Rows it reports are failed or skipped like rows `check` reports, so a
   * bad file never stops training halfway. Optional: encoders whose `check` sees everything leave it out.
   */
  verify?(rows: readonly Row[]): Promise<readonly (InvalidValue | undefined)[]>;
  /** Learns statistics (vocabularies, means) from training rows. */
  fit(rows: readonly Row[]): void | Promise<void>;
  /** The model inputs this preprocessor fills; valid after fit or restore. */
  features(): readonly FeatureSpec[];
  transform(rows: readonly Row[], ctx: TransformContext): FeatureArrays | Promise<FeatureArrays>;
  /**
   * True when `transform` gives different training batches each epoch (augmentation). Otherwise each
   * split is transformed once and batches are sliced from the result.
   */
  readonly augments?: boolean;
  /** The fitted state, enough for `createPreprocessor(input, state)` to rebuild this preprocessor. */
  state(): State;
  /**
   * Whether the row lacks this input, for an optional input (manifest `required: false`) only: such a row is kept,
   * never passed to `check`, `verify` or `transform` (core zero-fills its features and sets its presence to 0).
   * Cheap and synchronous. Default (when absent): every column of the input is missing (`cell()` is null).
   */
  isMissing?(row: Row): boolean;
}

/** One entry of the manifest's `inputs`, with options already validated and defaulted. */
export interface InputSpec<Options = Record<string, unknown>> {
  readonly name: string;
  readonly encoder: string;
  readonly columns: readonly string[];
  readonly options: Options;
  /** Folder of the data file (or the data folder itself): relative paths inside cells (images, audio) resolve from here. */
  readonly dataDir: string;
  /**
   * Folder that paths inside cells must stay in (manifest `data.root`; default `dataDir`). Read paths with
   * `resolveCellPath(spec, value)`, which enforces it, so every encoder follows the same rule.
   */
  readonly dataRoot?: string;
  /** The manifest's `data.allowPathsOutsideRoot`: cell paths may leave `dataRoot`. */
  readonly allowPathsOutsideRoot?: boolean;
  /** Folder of the manifest: paths in `options` (a backbone, word vectors) resolve from here. */
  readonly manifestDir: string;
  /** False when the manifest marks the input optional (`required: false`): rows may lack it (see `Preprocessor.isMissing`). */
  readonly required?: boolean;
}

export type FeatureKind = 'vector' | 'sequence';

export interface EncoderOutput {
  /** `[batch, units]` for a vector, `[batch, steps, units]` for a sequence. */
  readonly tensor: tf.SymbolicTensor;
  readonly kind: FeatureKind;
  /**
   * Set by core for an optional input (manifest `required: false`) only: `[batch, 1]` float32, 1 where the row has
   * this input and 0 where it is missing (or dropped by `training.modalityDropout`). The encoder's own tensor for a
   * missing row holds whatever its preprocessor filled; a fusion must not let it reach the output.
   */
  readonly present?: tf.SymbolicTensor;
}

export interface BuildContext {
  readonly tf: typeof tf;
  /** A layer name unique in the model, prefixed by the input or fusion name: `ctx.layerName('dense_1')`. */
  layerName(suffix: string): string;
}

/**
 * `P` is the encoder's own preprocessor class: `build` receives what `createPreprocessor` made (fitted or
 * restored), so it can read learned sizes without a cast.
 */
export interface EncoderDefinition<Options = any, State extends JsonValue = any, P extends Preprocessor<State> = Preprocessor<State>> {
  /** Manifest type name, `family/variant`, e.g. `tabular/mlp`. */
  readonly type: string;
  readonly description: string;
  /** JSON Schema of `options`; defaults written here are filled into the resolved manifest. */
  readonly optionsSchema: JsonSchema;
  /** How many manifest columns the encoder takes. */
  readonly columns: { readonly min: number; readonly max?: number };
  /** What `build` returns; fusions check it. */
  readonly produces: readonly FeatureKind[];
  /**
   * `heavy` when `transform` is CPU-bound (tokenising, decoding, spectrograms): with `data.workers: "auto"`
   * it then runs in worker threads, which load this plugin's module and restore the preprocessor from its state.
   */
  readonly preprocessing?: 'light' | 'heavy';
  createPreprocessor(input: InputSpec<Options>, state?: State): P;
  /**
   * Adds the encoder's layers. `inputs` holds one symbolic input per feature key; `preprocessor` is fitted
   * (or restored), so sizes learned from data (vocabularies) are known.
   */
  build(
    inputs: Readonly<Record<string, tf.SymbolicTensor>>,
    input: InputSpec<Options>,
    preprocessor: P,
    ctx: BuildContext,
  ): EncoderOutput;
}

export interface FusionDefinition<Options = any> {
  readonly type: string;
  readonly description: string;
  readonly optionsSchema: JsonSchema;
  readonly accepts: readonly FeatureKind[];
  /**
   * True when `build` honours `EncoderOutput.present` (a learned null embedding, masked tokens...). A fusion
   * without it is refused at validation when the manifest has an optional input.
   */
  readonly handlesMissingInputs?: boolean;
  /** Combines encoder outputs (keyed by input name, in manifest order) into one `[batch, units]` tensor. */
  build(features: Readonly<Record<string, EncoderOutput>>, options: Options, ctx: BuildContext): tf.SymbolicTensor | FusionOutput;
}

/** What a fusion's `build` may return instead of a bare tensor: the fused features and what each prediction relied on. */
export interface FusionOutput {
  /** `[batch, units]`, fed to the task heads. */
  readonly tensor: tf.SymbolicTensor;
  /**
   * Per name (`gates`, `attention`...), a `[batch, inputs]` tensor whose columns follow the order of `features`:
   * how much each input counted for each row. Not trained on; `predict --explain` writes it per row.
   */
  readonly reliance?: Readonly<Record<string, tf.SymbolicTensor>>;
}

/** A tfjs layer class that a plugin registers for serialization (needs a static `className`). */
export interface SerializableLayerClass {
  readonly className: string;
  new (config: any): tf.layers.Layer;
}

export interface PolymodalPlugin {
  readonly name: string;
  readonly version: string;
  readonly apiVersion: number;
  readonly encoders: readonly EncoderDefinition[];
  readonly fusions: readonly FusionDefinition[];
  /** Custom layers this plugin's encoders or fusions create; registered before any model is loaded. */
  readonly layers: readonly SerializableLayerClass[];
}
