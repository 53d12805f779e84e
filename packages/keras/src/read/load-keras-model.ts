import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { isPolymodalError } from '@polymodal/core';
import { isHdf5, readH5, readH5Bytes, stringAttribute, groupAt, type H5Group } from '../format/h5.js';
import { isZip, readKerasArchive } from '../format/keras-archive.js';
import { unwrapKerasObject } from '../format/keras-objects.js';
import { LEGACY_MODEL_CONFIG_ATTRIBUTE, LEGACY_WEIGHTS_GROUP } from '../format/keras-weights.js';
import { assignWeights } from './assign-weights.js';
import { kerasToTfjsTopology, type TfjsModelJson, type TopologyOptions } from './keras-topology.js';
import { readKeras3Weights, readLegacyWeights, type LayerWeights } from './read-weights.js';
import { unreadable } from './unsupported.js';

export type LoadKerasModelOptions = TopologyOptions;

/**
 * A Keras 3 `.keras` archive or a legacy Keras `.h5` (saved with its model config) as a tfjs LayersModel with the
 * file's weights. Unsupported layers and options are user errors (PolymodalError, exit code 2) that name the layer.
 */
export async function loadKerasModel(path: string, options: LoadKerasModelOptions = {}): Promise<tf.LayersModel> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw unreadable(path, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, error);
  }
  if (isZip(bytes)) return loadKeras3(bytes, path, options);
  if (isHdf5(bytes)) return loadLegacyH5(path, options);
  throw unreadable(path, 'the file is neither a Keras 3 .keras archive (a zip) nor an HDF5 .h5 file');
}

async function loadKeras3(bytes: Uint8Array, path: string, options: LoadKerasModelOptions): Promise<tf.LayersModel> {
  const archive = await guard(path, async () => readKerasArchive(bytes));
  const topology = kerasToTfjsTopology(archive.config, path, options);
  const layerClasses = kerasLayerClasses(archive.config);
  const weights = await guard(path, () => readH5Bytes(archive.weights, (h5) => readKeras3Weights(h5, layerClasses)));
  return buildModel(topology, weights, path);
}

async function loadLegacyH5(path: string, options: LoadKerasModelOptions): Promise<tf.LayersModel> {
  const { config, weights } = await guard(path, () => readH5(path, (h5) => {
    const text = stringAttribute(h5, LEGACY_MODEL_CONFIG_ATTRIBUTE);
    const group = groupAt(h5, LEGACY_WEIGHTS_GROUP);
    return { config: text, weights: group ? readLegacyWeights(group) : null };
  }));
  if (config === undefined || !weights) throw unreadable(path, 'the .h5 file holds weights only (saved with save_weights), without the model\'s architecture');
  const modelConfig = await guard(path, async () => JSON.parse(config) as unknown);
  return buildModel(kerasToTfjsTopology(modelConfig, path, options), weights, path);
}

/**
 * The weights of a weights-only legacy .h5 (`save_weights`, the layout keras.applications publishes), or of a
 * full legacy .h5's `model_weights`.
 */
export async function readLegacyWeightsFile(path: string): Promise<LayerWeights> {
  return guard(path, () => readH5(path, (h5) => readLegacyWeights(groupAt(h5, LEGACY_WEIGHTS_GROUP) ?? (h5 as H5Group))));
}

function kerasLayerClasses(modelConfig: unknown): { name: string; className: string }[] {
  const layers = (unwrapKerasObject(modelConfig)?.config.layers ?? []) as { class_name: string; name?: string; config: { name?: string } }[];
  return layers.map((l) => ({ name: String(l.name ?? l.config.name), className: l.class_name }));
}

export interface BuildModelOptions {
  /** Match the file's weighted layers to the model's in order, as Keras's load_weights does for legacy files (default: by name). */
  byOrder?: boolean;
  /** Weights set by layer name whatever `byOrder` says (layers added to the file's model, e.g. preprocessing). */
  fixed?: LayerWeights;
}

/** Builds a translated topology with tfjs and sets its weights; the model is disposed again if they do not fit. */
export async function buildModel(topology: TfjsModelJson, weights: LayerWeights, path: string, options: BuildModelOptions = {}): Promise<tf.LayersModel> {
  let model: tf.LayersModel;
  try {
    model = await tf.models.modelFromJSON({ modelTopology: topology as tf.io.ModelJSON['modelTopology'] });
  } catch (error) {
    throw unreadable(path, `tfjs cannot build the translated model (${(error as Error).message})`, error);
  }
  try {
    const fixed = options.fixed ?? new Map();
    const matched = options.byOrder ? inOrder(model, weights, fixed) : weights;
    assignWeights(model, new Map([...matched, ...fixed]), path);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/** The file's weights renamed to the model's weighted layers, in order (Keras's rule for legacy weights files). */
function inOrder(model: tf.LayersModel, weights: LayerWeights, fixed: LayerWeights): LayerWeights {
  const names = model.layers.filter((layer) => layer.weights.length > 0 && !fixed.has(layer.name)).map((layer) => layer.name);
  const arrays = [...weights.values()];
  return new Map(names.filter((_, i) => i < arrays.length).map((name, i) => [name, arrays[i]]));
}

/** Runs a read step; a failure that is not already a user error becomes one naming the file. */
async function guard<T>(path: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (isPolymodalError(error)) throw error;
    throw unreadable(path, `not a readable Keras file (${(error as Error).message})`, error);
  }
}
