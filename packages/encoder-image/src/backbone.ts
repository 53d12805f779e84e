import * as tf from '@tensorflow/tfjs';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { didYouMean, fileSystemHandler, PolymodalError } from '@polymodal/core';

/** The folder holding model.json for a path that names either. */
export function modelFolder(path: string, baseDir: string): string {
  const absolute = resolve(baseDir, path);
  return existsSync(absolute) && statSync(absolute).isDirectory() ? absolute : basename(absolute).endsWith('.json') ? dirname(absolute) : absolute;
}

/** Loads a tfjs LayersModel saved as model.json + weights (Polymodal's or tfjs's layout) from a local folder. */
export async function loadBackbone(path: string, baseDir: string, inputName: string): Promise<tf.LayersModel> {
  const folder = modelFolder(path, baseDir);
  if (!existsSync(resolve(folder, 'model.json'))) {
    throw new PolymodalError(`input "${inputName}": no model.json at ${folder}`, {
      hint: 'options.model is a tfjs LayersModel (model.json and its weight files), relative to the data file\'s folder.',
      exitCode: 2,
    });
  }
  try {
    return await tf.loadLayersModel(fileSystemHandler(folder));
  } catch (error) {
    throw new PolymodalError(`input "${inputName}": cannot load the backbone ${folder}/model.json (${(error as Error).message})`, { cause: error, exitCode: 2 });
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
