/**
 * `exportKerasModel`: a trained Polymodal model as a Keras 3 `.keras` file (a zip of config.json,
 * metadata.json and model.weights.h5) plus `<name>.keras.preprocessing.json` beside it.
 */
import { basename } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { checkOutputFile, loadModel, PolymodalError, writeFileAtomic, writeJsonAtomic, type JsonValue, type LoadedModel, type LoadModelOptions } from '@polymodal/core';
import { writeKerasArchive } from '../format/index.js';
import { kerasLayerOrder } from './keras-graph.js';
import { kerasMetadata, kerasModelConfig } from './keras-config.js';
import { exportedPreprocessing } from './preprocessing-export.js';
import { toKerasGraph } from './to-keras-graph.js';
import { kerasWeightsFile } from './weights-h5.js';

export interface ExportKerasOptions {
  /** Replace files already at the targets. Default false: an existing file is refused. */
  overwrite?: boolean;
  /** How a model folder given by path is loaded (plugins, backend). */
  load?: LoadModelOptions;
  /** The preprocessing description's path; default: the `.keras` path followed by `.preprocessing.json`. */
  preprocessingFile?: string;
  /** Names the output option in error messages (the CLI passes `--out`). */
  flag?: string;
}

export interface ExportKerasResult {
  /** The `.keras` file written (absolute). */
  file: string;
  preprocessingFile: string;
  /** Keras layers written (a Transformer block counts as the layers it becomes). */
  layers: number;
  parameters: number;
}

/**
 * `<dir>/<name>.keras` -> `<dir>/<name>.keras.preprocessing.json`: named after the model file, so an ONNX export of
 * the same model beside it (`<name>.onnx`, with its own description) never collides with it.
 */
export function preprocessingPathFor(kerasFile: string): string {
  return `${kerasFile}.preprocessing.json`;
}

/** The `.keras` archive's bytes for a tfjs model, and how many Keras layers and parameters it holds. */
export async function kerasArchiveBytes(model: tf.LayersModel): Promise<{ bytes: Uint8Array; layers: number; parameters: number }> {
  const graph = toKerasGraph(model);
  const ordered = kerasLayerOrder(graph);
  const weights = await kerasWeightsFile(graph.name, ordered);
  const bytes = writeKerasArchive({ config: kerasModelConfig(graph, ordered), metadata: kerasMetadata(new Date()), weights });
  return { bytes, layers: ordered.length, parameters: model.countParams() };
}

function checkKerasName(outFile: string, flag: string): void {
  if (/\.keras$/i.test(outFile)) return;
  throw new PolymodalError(`${flag} ${outFile}: a Keras 3 model file must end in .keras (keras.saving.load_model refuses other names)`, {
    hint: `Use ${outFile.replace(/\.[^./\\]*$/, '')}.keras.`,
    exitCode: 2,
  });
}

/**
 * Writes a tfjs LayersModel (no preprocessing: for models Polymodal did not train) as a `.keras` file, through a
 * temporary file renamed into place. Returns the absolute path.
 */
export async function exportKerasLayersModel(model: tf.LayersModel, outFile: string, options: Pick<ExportKerasOptions, 'overwrite' | 'flag'> = {}): Promise<string> {
  const flag = options.flag ?? 'the output file';
  checkKerasName(outFile, flag);
  const file = await checkOutputFile(outFile, { overwrite: options.overwrite ?? false, flag });
  await writeFileAtomic(file, (await kerasArchiveBytes(model)).bytes);
  return file;
}

function preprocessingStates(loaded: LoadedModel): Record<string, JsonValue> {
  const states: Record<string, JsonValue> = Object.create(null);
  for (const input of loaded.inputsFor(loaded.dir)) states[input.spec.name] = input.preprocessor.state() as JsonValue;
  return states;
}

/**
 * Writes `model` (a loaded model, or a model folder's path) to `outFile` (must end in `.keras`, which Keras's
 * `load_model` requires) and its preprocessing description beside it. Each file is written to a temporary
 * file and renamed into place. Layers without a Keras twin fail with a PolymodalError naming them.
 */
export async function exportKerasModel(model: LoadedModel | string, outFile: string, options: ExportKerasOptions = {}): Promise<ExportKerasResult> {
  const flag = options.flag ?? 'the output file';
  checkKerasName(outFile, flag);
  const overwrite = options.overwrite ?? false;
  const file = await checkOutputFile(outFile, { overwrite, flag });
  const preprocessingFile = await checkOutputFile(options.preprocessingFile ?? preprocessingPathFor(file), { overwrite, flag: 'the preprocessing file' });
  const loaded = typeof model === 'string' ? await loadModel(model, options.load) : model;
  const archive = await kerasArchiveBytes(loaded.model);
  const description = exportedPreprocessing(loaded, preprocessingStates(loaded), { ...loaded.labels.state() }, basename(file));
  await writeFileAtomic(file, archive.bytes);
  await writeJsonAtomic(preprocessingFile, description);
  return { file, preprocessingFile, layers: archive.layers, parameters: archive.parameters };
}
