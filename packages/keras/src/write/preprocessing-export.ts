/**
 * `<name>.keras.preprocessing.json` beside an exported `<name>.keras` file: how raw rows become the Keras model's inputs,
 * from the model folder's fitted preprocessing states, in a form a few lines of Python apply (README: "Export
 * to Keras"). Schema `polymodal-keras-preprocessing` version 1, documented in packages/keras/README.md.
 *
 * This package depends on core only, so the first-party encoders' states are read by shape, not by type.
 */
import type { JsonValue, LoadedModel } from '@polymodal/core';

export const PREPROCESSING_FORMAT = 'polymodal-keras-preprocessing';
export const PREPROCESSING_VERSION = 1;

type Json = Record<string, unknown>;

/** One model input of the Keras model: which manifest input and which of its features it carries. */
export interface ExportedModelInput {
  name: string;
  input: string;
  feature: string;
  shape: (number | null)[];
  dtype: string;
}

export interface ExportedPreprocessing {
  format: typeof PREPROCESSING_FORMAT;
  version: typeof PREPROCESSING_VERSION;
  /** The `.keras` file it belongs to (its base name). */
  model: string;
  task: string;
  /** The label column(s) and class names in output order (binary: [negative, positive]). */
  labels: Json;
  threshold: number;
  modelInputs: ExportedModelInput[];
  inputs: Record<string, Json>;
}

const asObject = (value: unknown): Json => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});

/** tabular/mlp: numeric columns scaled and imputed, categorical ones as slots (0 unknown, 1 missing, then the vocabulary). */
function tabular(state: Json, options: Json): Json {
  const encoding = options.categoricalEncoding === 'onehot' ? 'onehot' : 'embedding';
  let slotOffset = 0;
  const columns = (state.columns as Json[]).map((column) => {
    if (column.kind === 'numeric') {
      return { name: column.name, kind: 'numeric', center: column.center, scale: column.scale, fill: column.fill, indicator: column.indicator };
    }
    const vocabulary = column.vocabulary as string[];
    const entry = { name: column.name, kind: 'categorical', vocabulary, unknownSlot: 0, missingSlot: 1, firstSlot: 2, slotOffset };
    slotOffset += vocabulary.length + 2;
    return entry;
  });
  return { kind: 'tabular', encoding, columns };
}

/** text/*: Keras's Tokenizer (texts_to_sequences) then pad_sequences, or texts_to_matrix for text/bag. */
function text(state: Json, options: Json): Json {
  const tokenizer = asObject(state.tokenizer);
  const config = asObject(tokenizer.config);
  const numWords = (config.numWords as number | null) ?? null;
  const entries = (tokenizer.wordIndex as [string, number][] | undefined) ?? [];
  const oovToken = (config.oovToken as string | null) ?? null;
  const oovIndex = oovToken === null ? null : entries.find(([word]) => word === oovToken)?.[1] ?? null;
  // Words at or past numWords are dropped (or become the OOV index) by texts_to_sequences: leave them out.
  const kept = entries.filter(([, index]) => numWords === null || index < numWords);
  const result: Json = {
    kind: 'text',
    lower: config.lower,
    filters: config.filters,
    split: config.split,
    charLevel: config.charLevel,
    normalize: config.normalize ?? 'none',
    numWords,
    oovToken,
    oovIndex,
    wordIndex: Object.fromEntries(kept),
  };
  if (options.mode) {
    const docs = new Map((tokenizer.indexDocs as [number, number][] | undefined) ?? []);
    return { ...result, mode: options.mode, width: numWords, documentCount: tokenizer.documentCount, indexDocs: Object.fromEntries(kept.map(([, index]) => [String(index), docs.get(index) ?? 0])) };
  }
  return { ...result, maxLength: options.maxLength, padding: options.padding ?? 'pre', truncating: options.truncating ?? 'pre' };
}

const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

/** image/*: decode, resize to `size` [height, width] by `fit`, then `pixel * rescale`, then `(value - mean) / std`. */
function image(state: Json, options: Json): Json {
  const channels = Number(state.channels ?? options.channels);
  let mean: number[] = Array(channels).fill(0);
  let std: number[] = Array(channels).fill(1);
  const average = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
  if (options.normalize === 'imagenet') {
    mean = channels === 3 ? IMAGENET.mean : [average(IMAGENET.mean)];
    std = channels === 3 ? IMAGENET.std : [average(IMAGENET.std)];
  } else if (options.normalize && options.normalize !== 'none') {
    ({ mean, std } = options.normalize as { mean: number[]; std: number[] });
  }
  return { kind: 'image', size: state.size ?? options.size, channels, fit: options.fit, interpolation: options.interpolation, rescale: options.rescale, mean, std, layout: 'HWC' };
}

const AUDIO_OPTIONS = ['sampleRate', 'channels', 'durationSeconds', 'crop', 'features', 'nFft', 'hopLength', 'winLength', 'window', 'center', 'padMode', 'power', 'nMels', 'fMin', 'fMax', 'melScale', 'melNorm', 'log', 'logOffset', 'topDb', 'amin', 'ref', 'nMfcc', 'lifter', 'normalize'];

/** audio/*: the feature options (librosa's names and defaults) and the fitted per-bin statistics. */
function audio(state: Json, options: Json): Json {
  const featureOptions = Object.fromEntries(AUDIO_OPTIONS.filter((k) => options[k] !== undefined).map((k) => [k, options[k]]));
  return { kind: 'audio', ...featureOptions, durationSeconds: state.durationSeconds, bins: state.bins, frames: state.frames, statistics: state.statistics ?? null };
}

function inputEntry(encoder: string, columns: readonly string[], optional: boolean, state: JsonValue, options: Json): Json {
  const family = encoder.split('/')[0];
  const fitted = asObject(state);
  const base = { encoder, optional, columns: [...columns] };
  if (encoder === 'tabular/mlp') return { ...base, ...tabular(fitted, options) };
  if (family === 'text' && 'tokenizer' in fitted) return { ...base, ...text(fitted, options) };
  if (family === 'image' && 'size' in fitted) return { ...base, ...image(fitted, options) };
  if (family === 'audio' && 'bins' in fitted) return { ...base, ...audio(fitted, options) };
  // A third-party encoder: its own state and options, as the model folder holds them.
  return { ...base, kind: 'custom', options, state };
}

/** Which manifest input and feature each model input name carries (core's modelInputName rule). */
function featureOwners(loaded: LoadedModel): Map<string, { input: string; feature: string }> {
  const owners = new Map<string, { input: string; feature: string }>();
  for (const { spec, preprocessor } of loaded.inputsFor(loaded.dir)) {
    const features = preprocessor.features();
    for (const feature of features) {
      const owner = { input: spec.name, feature: feature.key };
      if (features.length === 1) {
        owners.set(spec.name, owner);
        owners.set(`${spec.name}__input`, owner);
      } else {
        owners.set(`${spec.name}__${feature.key}`, owner);
      }
    }
    owners.set(`${spec.name}__present`, { input: spec.name, feature: 'present' });
  }
  return owners;
}

/** The preprocessing description for `loaded`, whose Keras model file is `modelFile` (a base name). */
export function exportedPreprocessing(loaded: LoadedModel, states: Record<string, JsonValue>, labels: Json, modelFile: string): ExportedPreprocessing {
  const inputs: Record<string, Json> = Object.create(null);
  for (const input of loaded.meta.inputs) {
    const entry = (loaded.manifest.inputs as Record<string, { options?: unknown; required?: boolean }>)[input.name];
    inputs[input.name] = inputEntry(input.encoder, input.columns, entry?.required === false, states[input.name] ?? null, asObject(entry?.options));
  }
  const owners = featureOwners(loaded);
  const modelInputs = loaded.model.inputs.map((tensor, index): ExportedModelInput => {
    const name = loaded.model.inputNames[index];
    const owner = owners.get(name) ?? { input: name, feature: name };
    return { name, ...owner, shape: tensor.shape.slice(1), dtype: tensor.dtype };
  });
  return {
    format: PREPROCESSING_FORMAT,
    version: PREPROCESSING_VERSION,
    model: modelFile,
    task: loaded.meta.task,
    labels,
    threshold: loaded.meta.threshold,
    modelInputs,
    inputs: { ...inputs },
  };
}
