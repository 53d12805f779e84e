/** What a layer mapper reads from one tfjs layer: its configuration, its weights by name, and its calls. */
import type * as tf from '@tensorflow/tfjs';
import { PolymodalError } from '@polymodal/core';
import type { CallArgument, KerasLayer, TensorRef, WeightValue } from './keras-graph.js';

/** A tensor's shape and dtype (a call's output, before it gets a place in the Keras graph). */
export interface TensorSpec {
  readonly shape: readonly (number | null)[];
  readonly dtype: string;
}

export interface SourceCall {
  /** The call's input tensors, already translated into the Keras graph. */
  readonly inputs: readonly TensorRef[];
  readonly outputs: readonly TensorSpec[];
  /** The call's keyword arguments as tfjs recorded them (`mask`, `training` ...). */
  readonly kwargs: Readonly<Record<string, unknown>>;
}

export interface SourceLayer {
  readonly layer: tf.layers.Layer;
  readonly name: string;
  readonly className: string;
  /** `layer.getConfig()`: tfjs's camelCase configuration. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly calls: readonly SourceCall[];
  /** The layer's weight, by its name inside the layer (`kernel`, `self_attention/query/bias` ...). */
  weight(name: string): WeightValue;
  /** Whether the layer has a weight of that name. */
  hasWeight(name: string): boolean;
}

/** A mapper's result: Keras layers (one, or several for a composite block) and each call's outputs in the graph. */
export interface MappedLayer {
  readonly layers: readonly KerasLayer[];
  readonly outputs: readonly (readonly TensorRef[])[];
}

export type LayerMapper = (source: SourceLayer) => MappedLayer;

/** The error for a layer or an option that has no Keras twin. */
export function noKerasTwin(source: Pick<SourceLayer, 'name' | 'className'>, what: string, hint?: string): PolymodalError {
  return new PolymodalError(`layer "${source.name}" (${source.className}): ${what} has no Keras 3 equivalent, so the model cannot be exported to Keras`, {
    hint: hint ?? 'Train the model without it to export it to Keras, or export it with --format onnx or --format tfjs-graph.',
    exitCode: 2,
  });
}

/**
 * Weights by their name inside the layer: tfjs prefixes each with the layer's name (`dense_1/kernel`). The
 * tensors `getWeights` returns are the variables' own values, copied here and never disposed.
 */
export function weightsOf(layer: tf.layers.Layer): Map<string, WeightValue> {
  const weights = new Map<string, WeightValue>();
  const values = layer.getWeights();
  layer.weights.forEach((variable, index) => {
    const full = variable.originalName;
    const local = full.startsWith(`${layer.name}/`) ? full.slice(layer.name.length + 1) : full.slice(full.lastIndexOf('/') + 1);
    const tensor = values[index];
    weights.set(local, { shape: [...tensor.shape], values: Float32Array.from(tensor.dataSync() as ArrayLike<number>) });
  });
  return weights;
}

/** A WeightValue viewed with another shape of the same size (Keras keeps a few kernels unflattened). */
export function reshaped(weight: WeightValue, shape: readonly number[]): WeightValue {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== weight.values.length) throw new Error(`cannot view a weight of shape [${weight.shape.join(', ')}] as [${shape.join(', ')}]`);
  return { shape, values: weight.values };
}

/** Outputs of a single-layer mapping: output j of call i is (name, i, j). */
export function ownOutputs(name: string, calls: readonly SourceCall[]): TensorRef[][] {
  return calls.map((call, node) => call.outputs.map((spec, tensor) => ({ layer: name, node, tensor, shape: spec.shape, dtype: spec.dtype })));
}

/** A call's arguments: one tensor, or the list of tensors for merge layers. */
export function callArguments(call: SourceCall, style: 'single' | 'list'): CallArgument[] {
  return style === 'list' ? [call.inputs] : [call.inputs[0]];
}
