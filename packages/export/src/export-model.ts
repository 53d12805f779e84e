/**
 * `polymodal export --format onnx | tfjs-graph | saved-model`: a trained model folder's tfjs model, lowered once to
 * the IR, written as an ONNX file, a TensorFlow.js graph-model folder or a TensorFlow SavedModel folder. All take
 * the preprocessed model inputs.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  checkOutputFile, commitDirectory, discardStaging, fileSystemHandler, isPolymodalFolder, loadModel, PolymodalError, stagingDirectory,
  writeFileAtomic, writeJsonAtomic, type JsonValue, type LoadedModel,
} from '@polymodal/core';
import { exportedPreprocessing, type ExportedPreprocessing } from '@polymodal/keras';
import type { IrGraph, IrValue } from './ir/graph.js';
import { lowerLayersModel } from './lower/lower-model.js';
import { checkOpset, emitOnnx } from './onnx/emit-onnx.js';
import { DEFAULT_OPSET } from './onnx/onnx-proto.js';
import { emitSavedModel, SERVING_SIGNATURE } from './saved-model/emit-saved-model.js';
import { emitGraphDef } from './tfjs-graph/emit-graph-def.js';

export interface ExportOptions {
  /** Plugin entries that are module paths (as `--allow-local-plugins`). */
  allowLocalPlugins?: boolean;
  /** Replace an existing output (files, or a folder Polymodal wrote). Default false: an existing output is refused. */
  overwrite?: boolean;
  /** Names the output option in error messages (the CLI passes `--out`). Default "the output". */
  flag?: string;
}

export interface OnnxExportOptions extends ExportOptions {
  /** ONNX opset, 13 to 21; default 17 (the first with LayerNormalization). */
  opset?: number;
}

export interface ExportedTensor {
  readonly name: string;
  /** null: the batch dimension, free. */
  readonly shape: (number | null)[];
  readonly dtype: string;
}

export interface ExportSummary {
  readonly format: 'onnx' | 'tfjs-graph' | 'saved-model';
  /** The ONNX opset (onnx only). */
  readonly opset?: number;
  /** The graph's inputs, in the model's order: the preprocessed features (`polymodal.json` modelInputs). */
  readonly inputs: ExportedTensor[];
  readonly outputs: ExportedTensor[];
  /** Op type -> number of nodes in the written graph. */
  readonly opCounts: Record<string, number>;
  /** Absolute paths written: the model, then its preprocessing description (`@polymodal/keras`'s documented JSON). */
  readonly files: string[];
}

/** The ONNX file's preprocessing description: `<dir>/<name>.onnx` -> `<dir>/<name>.preprocessing.json`. */
export function onnxPreprocessingPath(onnxFile: string): string {
  return onnxFile.replace(/\.onnx$/i, '') + '.preprocessing.json';
}

/** The graph-model (and SavedModel) folder's preprocessing description, beside model.json (saved_model.pb). */
export const GRAPH_PREPROCESSING_FILE = 'preprocessing.json';

/** The SavedModel folder's Polymodal metadata (classes, threshold, inputs), where TensorFlow keeps extra files. */
export const SAVED_MODEL_METADATA_FILE = 'assets.extra/polymodal.json';

const describe = (value: IrValue): ExportedTensor => ({ name: value.name, shape: value.shape.map((d) => (d < 0 ? null : d)), dtype: value.dtype });

/** What a consumer needs to feed and read the graph, stored in the exported file's metadata. */
function metadataOf(loaded: LoadedModel, ir: IrGraph, preprocessingFile: string): Record<string, string> {
  return {
    'polymodal.name': loaded.manifest.name,
    'polymodal.task': loaded.meta.task,
    'polymodal.classes': JSON.stringify(loaded.meta.classes),
    'polymodal.threshold': String(loaded.meta.threshold),
    'polymodal.inputs': JSON.stringify(ir.inputs.map((v) => v.name)),
    'polymodal.preprocessing': `The inputs are the preprocessed features: apply ${preprocessingFile} (written with this model; see the @polymodal/export README) to the rows first.`,
  };
}

/** The same description `polymodal export --format keras` writes beside its `.keras` file, naming `modelFile`. */
function preprocessingDescription(loaded: LoadedModel, modelFile: string): ExportedPreprocessing {
  const states: Record<string, JsonValue> = Object.create(null);
  for (const input of loaded.inputsFor(loaded.dir)) states[input.spec.name] = input.preprocessor.state() as JsonValue;
  return exportedPreprocessing(loaded, states, { ...loaded.labels.state() }, modelFile);
}

async function withModel<T>(modelDir: string, options: ExportOptions, use: (loaded: LoadedModel, ir: IrGraph) => Promise<T>): Promise<T> {
  const loaded = await loadModel(modelDir, { allowLocalPlugins: options.allowLocalPlugins ?? false });
  try {
    return await use(loaded, lowerLayersModel(loaded.model));
  } finally {
    loaded.model.dispose();
  }
}

/**
 * Writes `outFile`, an ONNX model whose predictions equal the tfjs model's within 1e-4, and its preprocessing
 * description beside it (`onnxPreprocessingPath`), each complete or absent. Both are checked before anything is
 * written; an unsupported layer or opset fails before too.
 */
export async function exportOnnx(modelDir: string, outFile: string, options: OnnxExportOptions = {}): Promise<ExportSummary> {
  checkOpset(options.opset ?? DEFAULT_OPSET);
  const overwrite = options.overwrite ?? false;
  const target = await checkOutputFile(outFile, { overwrite, flag: options.flag ?? 'the output' });
  const preprocessingFile = await checkOutputFile(onnxPreprocessingPath(target), { overwrite, flag: 'the preprocessing file' });
  return withModel(modelDir, options, async (loaded, ir) => {
    const onnx = emitOnnx(ir, { opset: options.opset, producerVersion: loaded.meta.coreVersion, metadata: metadataOf(loaded, ir, basename(preprocessingFile)) });
    const description = preprocessingDescription(loaded, basename(target));
    await writeFileAtomic(target, onnx.bytes);
    try {
      await writeJsonAtomic(preprocessingFile, description);
    } catch (error) {
      // The model without its preprocessing description is not an export: leave neither.
      await rm(target, { force: true });
      throw error;
    }
    return {
      format: 'onnx', opset: onnx.opset, inputs: ir.inputs.map(describe), outputs: ir.outputs.map(describe), opCounts: onnx.opCounts,
      files: [target, preprocessingFile],
    };
  });
}

/**
 * What the commit would refuse, found before the model is loaded: a file, a folder Polymodal did not write that
 * holds something, or a Polymodal folder without `overwrite`. (The commit checks again: the folder may appear meanwhile.)
 */
async function checkOutputFolder(target: string, overwrite: boolean, flag: string): Promise<void> {
  const info = await stat(target).catch(() => undefined);
  if (info === undefined) return;
  if (!info.isDirectory()) throw new PolymodalError(`${flag} ${target} is a file; a graph model is a folder`, { hint: `Give ${flag} a folder that does not exist yet.`, exitCode: 2 });
  if (await isPolymodalFolder(target)) {
    if (overwrite) return;
    throw new PolymodalError(`${flag} ${target} already holds a Polymodal folder`, { hint: 'Pass --overwrite to replace it, or choose another folder.', exitCode: 2 });
  }
  if ((await readdir(target)).length > 0) {
    throw new PolymodalError(`${flag} ${target} exists and is not a folder Polymodal wrote; Polymodal never removes what it did not write`, {
      hint: 'Choose a folder that does not exist yet (Polymodal creates it).',
      exitCode: 2,
    });
  }
}

/** Writes `target` (complete or absent) through a staging folder that `write` fills. */
async function writeOutputFolder(target: string, overwrite: boolean, write: (staging: string) => Promise<void>): Promise<void> {
  const staging = await stagingDirectory(target);
  try {
    await write(staging);
    await commitDirectory(staging, target, { replace: overwrite ? 'polymodal' : 'never' });
  } catch (error) {
    await discardStaging(staging);
    throw error;
  }
}

/**
 * Writes `outDir` (complete or absent): model.json (`format: "graph-model"`), weights.bin and the preprocessing
 * description, for tf.loadGraphModel.
 */
export async function exportTfjsGraph(modelDir: string, outDir: string, options: ExportOptions = {}): Promise<ExportSummary> {
  const target = resolve(outDir);
  await checkOutputFolder(target, options.overwrite === true, options.flag ?? 'the output');
  return withModel(modelDir, options, async (loaded, ir) => {
    const graph = emitGraphDef(ir);
    await writeOutputFolder(target, options.overwrite === true, async (staging) => {
      await fileSystemHandler(staging).save!({
        modelTopology: graph.modelTopology as unknown as tf.io.ModelArtifacts['modelTopology'],
        weightSpecs: graph.weightSpecs,
        weightData: graph.weightData,
        format: 'graph-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: '@polymodal/export',
        userDefinedMetadata: { polymodal: metadataOf(loaded, ir, GRAPH_PREPROCESSING_FILE) },
      });
      await writeFile(join(staging, GRAPH_PREPROCESSING_FILE), JSON.stringify(preprocessingDescription(loaded, 'model.json'), null, 2) + '\n');
    });
    return {
      format: 'tfjs-graph', inputs: ir.inputs.map(describe), outputs: ir.outputs.map(describe), opCounts: graph.opCounts,
      files: [join(target, 'model.json'), join(target, 'weights.bin'), join(target, GRAPH_PREPROCESSING_FILE)],
    };
  });
}

/**
 * Writes `outDir` (complete or absent) as a TensorFlow SavedModel: saved_model.pb (tag `serve`, signature
 * `serving_default`, the weights frozen into the graph), the preprocessing description beside it and Polymodal's
 * metadata under assets.extra/. For `tf.saved_model.load` and tfjs-node's loadSavedModel (and TensorFlow Serving's layout).
 */
export async function exportSavedModel(modelDir: string, outDir: string, options: ExportOptions = {}): Promise<ExportSummary> {
  const target = resolve(outDir);
  await checkOutputFolder(target, options.overwrite === true, options.flag ?? 'the output');
  return withModel(modelDir, options, async (loaded, ir) => {
    const savedModel = emitSavedModel(ir);
    await writeOutputFolder(target, options.overwrite === true, async (staging) => {
      await writeFile(join(staging, 'saved_model.pb'), savedModel.bytes);
      await writeFile(join(staging, GRAPH_PREPROCESSING_FILE), JSON.stringify(preprocessingDescription(loaded, 'saved_model.pb'), null, 2) + '\n');
      await mkdir(join(staging, dirname(SAVED_MODEL_METADATA_FILE)));
      const metadata = { ...metadataOf(loaded, ir, GRAPH_PREPROCESSING_FILE), 'polymodal.signature': SERVING_SIGNATURE };
      await writeFile(join(staging, SAVED_MODEL_METADATA_FILE), JSON.stringify(metadata, null, 2) + '\n');
    });
    return {
      format: 'saved-model', inputs: ir.inputs.map(describe), outputs: ir.outputs.map(describe), opCounts: savedModel.opCounts,
      files: [join(target, 'saved_model.pb'), join(target, SAVED_MODEL_METADATA_FILE), join(target, GRAPH_PREPROCESSING_FILE)],
    };
  });
}
