import * as tf from '@tensorflow/tfjs';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { didYouMean, fileSystemHandler, isPolymodalError, PolymodalError } from '@polymodal/core';
import { BACKBONE_NAMES, isBackboneName, loadKerasModel, loadNamedBackbone } from '@polymodal/keras';

/** The folder holding model.json for a path that names either. */
export function modelFolder(path: string, baseDir: string): string {
  const absolute = resolve(baseDir, path);
  return existsSync(absolute) && statSync(absolute).isDirectory() ? absolute : basename(absolute).endsWith('.json') ? dirname(absolute) : absolute;
}

/** A loaded backbone, and the layer to cut after when options.layer is not given (named backbones set one). */
export interface LoadedBackbone {
  model: tf.LayersModel;
  defaultLayer?: string;
}

const KERAS_FILE = /\.(keras|h5|hdf5)$/i;

/**
 * The backbone options.model names: a Keras 3 `.keras` or legacy `.h5` file, a tfjs LayersModel (model.json or
 * its folder), all relative to `baseDir`, or a named backbone (downloaded once into the cache). `inputShape` (the
 * images' [height, width, channels]) fills in a Keras model's unknown input dimensions.
 */
export async function loadBackbone(path: string, baseDir: string, inputName: string, inputShape?: [number, number, number]): Promise<LoadedBackbone> {
  const absolute = resolve(baseDir, path);
  if (namedBackbone(path, baseDir)) {
    const { model, entry } = await withInputName(inputName, () => loadNamedBackbone(path, { inputShape: inputShape ?? [224, 224, 3] }));
    return { model, defaultLayer: entry.defaultLayer };
  }
  if (KERAS_FILE.test(path)) {
    return { model: await withInputName(inputName, () => loadKerasModel(absolute, { inputShape })) };
  }
  const folder = modelFolder(path, baseDir);
  if (!existsSync(resolve(folder, 'model.json'))) {
    throw new PolymodalError(`input "${inputName}": no model.json at ${folder}`, {
      hint: `options.model is a Keras .keras or .h5 file, a tfjs LayersModel (model.json and its weight files), relative to the manifest, or a named backbone (${BACKBONE_NAMES.join(', ')}).`,
      exitCode: 2,
    });
  }
  try {
    return { model: await tf.loadLayersModel(fileSystemHandler(folder)) };
  } catch (error) {
    throw new PolymodalError(`input "${inputName}": cannot load the backbone ${folder}/model.json (${(error as Error).message})`, { cause: error, exitCode: 2 });
  }
}

/** The registered backbone options.model names (a file of that name, if there is one, wins), else undefined. */
export function namedBackbone(path: string, baseDir: string): string | undefined {
  return isBackboneName(path) && !existsSync(resolve(baseDir, path)) ? path : undefined;
}

/** Prefixes a PolymodalError's message with the input's name (keeping its hint and exit code). */
async function withInputName<T>(inputName: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!isPolymodalError(error)) throw error;
    throw new PolymodalError(`input "${inputName}": options.model: ${error.message}`, { ...error.details, cause: error });
  }
}

function layerNamed(model: tf.LayersModel, name: string, option: string, inputName: string): tf.layers.Layer {
  const names = model.layers.map((l) => l.name);
  if (!names.includes(name)) {
    throw new PolymodalError(`input "${inputName}": options.${option}: the backbone has no layer "${name}".${didYouMean(name, names)}`, {
      hint: `Its layers: ${names.join(', ')}`,
      exitCode: 2,
    });
  }
  return model.getLayer(name);
}

function outputRank(layer: tf.layers.Layer): number {
  const shape = layer.outputShape;
  return Array.isArray(shape[0]) || shape[0] === undefined ? (shape[0] as unknown as number[] | undefined)?.length ?? 0 : (shape as (number | null)[]).length;
}

/** The layer to cut after: the named one, else the last layer with a 4-D (feature map) output. */
export function cutLayer(model: tf.LayersModel, name: string | undefined, inputName: string): tf.layers.Layer {
  if (name) return layerNamed(model, name, 'layer', inputName);
  const feature = [...model.layers].reverse().find((layer) => outputRank(layer) === 4);
  if (!feature) throw new PolymodalError(`input "${inputName}": the backbone has no layer with a 4-D output to cut after; name one with options.layer`, { exitCode: 2 });
  return feature;
}

/**
 * The backbone from its input to `cut`, as one nested model named `name`. Layers before `trainableFrom` (all
 * of them when it is not given) are frozen; the ones from it on are fine-tuned.
 */
export function cutBackbone(model: tf.LayersModel, options: { layer?: string; trainableFrom?: string }, name: string, inputName: string): tf.LayersModel {
  const cut = cutLayer(model, options.layer, inputName);
  const sub = tf.model({ inputs: model.inputs, outputs: cut.output as tf.SymbolicTensor, name });
  let from = sub.layers.length;
  if (options.trainableFrom) {
    layerNamed(model, options.trainableFrom, 'trainableFrom', inputName);
    from = sub.layers.findIndex((l) => l.name === options.trainableFrom);
    if (from < 0) throw new PolymodalError(`input "${inputName}": options.trainableFrom: layer "${options.trainableFrom}" comes after the cut at "${cut.name}"`, { exitCode: 2 });
  }
  sub.layers.forEach((layer, i) => {
    layer.trainable = i >= from;
  });
  return sub;
}
