import * as tf from '@tensorflow/tfjs';
import { PolymodalError } from '../errors.js';
import type { LabelCodec } from '../data/labels.js';
import type { Manifest } from '../manifest/types.js';
import type { PluginRegistry } from '../plugin/registry.js';
import { composeModelWithReliance, type ComposedModel } from './compose-model.js';
import type { FittedInput } from './fitted-input.js';

/** 200M float32 parameters are 800 MB of weights, and Adam keeps two more copies: beyond what tfjs in Node trains. */
export const MAX_MODEL_PARAMETERS = 200_000_000;
/** Activations one training batch holds (forward values and their gradients), in bytes. */
export const MAX_BATCH_ACTIVATION_BYTES = 4e9;

const FLOAT_BYTES = 4;

export interface ModelBudget {
  readonly maxParameters: number;
  readonly maxBatchActivationBytes: number;
}

const DEFAULT_BUDGET: ModelBudget = { maxParameters: MAX_MODEL_PARAMETERS, maxBatchActivationBytes: MAX_BATCH_ACTIVATION_BYTES };

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function formatBytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.round(bytes / 1e6)} MB`;
}

/** The manifest value that sizes a layer, from the prefix composeModel gives its name (input name, fusion, head). */
export function pointerOfLayer(manifest: Manifest, layerName: string): string {
  // The longest name first: layer "photo_small_conv" belongs to input "photo_small", not "photo".
  const names = Object.keys(manifest.inputs).sort((a, b) => b.length - a.length);
  const input = names.find((name) => layerName === name || layerName.startsWith(`${name}_`));
  if (input !== undefined) return `/inputs/${input}/options`;
  if (layerName.startsWith('fusion_')) return '/fusion/options';
  return '/output/hiddenUnits';
}

function budgetError(message: string, pointer: string): PolymodalError {
  return new PolymodalError(`the model is too big to train: ${message}`, {
    problems: [`${pointer}: make the layers smaller (units, filters, image size, numWords, embedding sizes, sequence length)`],
    hint: 'Check the sizes with `polymodal inspect`, which prints each layer\'s parameters.',
    exitCode: 2,
  });
}

/**
 * Runs `build` (which creates tfjs layers) while adding up the weights the layers ask for, and stops before
 * tfjs allocates the weight that would pass `maxParameters`: a manifest asking for billions of parameters fails
 * at once with the layer's name instead of exhausting memory. Weights already made are disposed on that path.
 */
export function withParameterBudget<T>(build: () => T, maxParameters: number, pointerOf: (layer: string) => string): T {
  const prototype = tf.layers.Layer.prototype as unknown as { addWeight: (...args: unknown[]) => tf.LayerVariable };
  const original = prototype.addWeight;
  const created: tf.LayerVariable[] = [];
  const perLayer = new Map<string, number>();
  let total = 0;
  prototype.addWeight = function addWeight(this: tf.layers.Layer, name: unknown, shape: unknown, ...rest: unknown[]) {
    const size = (shape as number[]).reduce((product, dim) => product * dim, 1);
    total += size;
    perLayer.set(this.name, (perLayer.get(this.name) ?? 0) + size);
    if (!Number.isFinite(total) || total > maxParameters) {
      const [biggest, parameters] = [...perLayer].reduce((a, b) => (b[1] > a[1] ? b : a));
      throw budgetError(
        `more than ${count(maxParameters)} parameters (${formatBytes(maxParameters * FLOAT_BYTES)} of float32 weights); ` +
          `layer "${biggest}" alone asks for ${count(parameters)}`,
        pointerOf(biggest),
      );
    }
    const variable = original.call(this, name, shape, ...rest);
    created.push(variable);
    return variable;
  };
  try {
    return build();
  } catch (error) {
    for (const variable of created) variable.dispose();
    throw error;
  } finally {
    prototype.addWeight = original;
  }
}

function valuesPerRow(shape: tf.Shape | tf.Shape[]): number {
  const shapes = (Array.isArray(shape[0]) ? shape : [shape]) as tf.Shape[];
  return shapes.reduce((sum, one) => sum + one.slice(1).reduce<number>((product, dim) => product * (dim ?? 1), 1), 0);
}

/** Throws when one batch's activations (forward and gradient, float32) would pass the budget, naming the biggest layer. */
export function checkBatchActivations(model: tf.LayersModel, batchSize: number, maxBytes: number, pointerOf: (layer: string) => string): void {
  let perRow = 0;
  let biggest = { name: '', values: 0 };
  for (const layer of model.layers) {
    const values = valuesPerRow(layer.outputShape);
    perRow += values;
    if (values > biggest.values) biggest = { name: layer.name, values };
  }
  const bytes = perRow * batchSize * FLOAT_BYTES * 2;
  if (bytes <= maxBytes) return;
  throw budgetError(
    `one batch of ${batchSize} rows needs about ${formatBytes(bytes)} of activations (limit ${formatBytes(maxBytes)}); ` +
      `layer "${biggest.name}" outputs ${count(biggest.values)} values per row`,
    pointerOf(biggest.name),
  );
}

/**
 * composeModel within a memory budget: the weights are counted before tfjs allocates them and one training
 * batch's activations are estimated from the layers' output shapes. Use it wherever a manifest builds a model.
 */
export function composeModelWithinBudget(
  manifest: Manifest,
  registry: PluginRegistry,
  inputs: readonly FittedInput[],
  labels: LabelCodec,
  budget: ModelBudget = DEFAULT_BUDGET,
): tf.LayersModel {
  return composeWithinBudget(manifest, registry, inputs, labels, budget).model;
}

/** composeModelWithinBudget, keeping the fusion's reliance tensors (see composeModelWithReliance). */
export function composeWithinBudget(
  manifest: Manifest,
  registry: PluginRegistry,
  inputs: readonly FittedInput[],
  labels: LabelCodec,
  budget: ModelBudget = DEFAULT_BUDGET,
): ComposedModel {
  const pointerOf = (layer: string) => pointerOfLayer(manifest, layer);
  const composed = withParameterBudget(() => composeModelWithReliance(manifest, registry, inputs, labels), budget.maxParameters, pointerOf);
  try {
    checkBatchActivations(composed.model, manifest.training.batchSize, budget.maxBatchActivationBytes, pointerOf);
  } catch (error) {
    composed.model.dispose();
    throw error;
  }
  return composed;
}
