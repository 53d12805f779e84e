/** What a layer lowering gets: the graph being built, the layer's weights as constants, names scoped by the layer. */
import type * as tf from '@tensorflow/tfjs';
import { PolymodalError } from '@polymodal/core';
import type { GraphBuilder } from '../ir/graph.js';

export interface LoweringContext {
  readonly g: GraphBuilder;
  /** Lowers a sublayer (a composite layer's parts) with the same registry. */
  lowerLayer(layer: tf.layers.Layer, inputs: readonly string[]): string[];
  /**
   * A weight as a graph value named `name` (in `shape`, which has the weight's size): a constant holding its
   * values, or, when lowering for training, a graph input the current values are fed to.
   */
  weight(variable: tf.LayerVariable, name: string, shape: readonly number[]): string;
  /** A Dropout layer's output: its input at inference; when lowering for training, the input times a fed mask. */
  dropout(layer: tf.layers.Layer, x: string): string;
}

/**
 * Lowers one call of a layer: its inputs' value names in, its outputs' value names out (a layer that changes
 * nothing at inference, such as Dropout, returns its input).
 */
export type LayerLowering = (layer: tf.layers.Layer, inputs: readonly string[], ctx: LoweringContext) => string[];

/** A copy of a weight's values (the variable itself keeps its own buffer). */
export function weightData(variable: tf.LayerVariable): Float32Array {
  return Float32Array.from(variable.read().dataSync() as Float32Array);
}

/** The layer's weights by their short name (`kernel`, `bias`, `gamma`, ...): the last part of the variable name. */
export function weightsByName(layer: tf.layers.Layer): Map<string, tf.LayerVariable> {
  const byName = new Map<string, tf.LayerVariable>();
  for (const weight of layer.weights) {
    // originalName is the scoped name (`<layer>/kernel`); tfjs puts its uniqueness suffix on `name` only.
    const short = weight.originalName.split('/').at(-1)!;
    byName.set(short, weight);
  }
  return byName;
}

/** A named weight as a graph constant (its own shape, or `shape` when given). */
export function weightConstant(ctx: LoweringContext, layer: tf.layers.Layer, short: string, shape?: readonly number[]): string {
  const weight = weightsByName(layer).get(short);
  if (weight === undefined) {
    throw new PolymodalError(`export: layer "${layer.name}" (${layer.getClassName()}) has no weight "${short}"`, { exitCode: 70 });
  }
  return ctx.weight(weight, `${layer.name}/${short}`, shape ?? (weight.shape as number[]));
}

export function optionalWeight(ctx: LoweringContext, layer: tf.layers.Layer, short: string): string | undefined {
  return weightsByName(layer).has(short) ? weightConstant(ctx, layer, short) : undefined;
}

/** The layer's option, as getConfig() serialises it. */
export function configOf(layer: tf.layers.Layer): Record<string, unknown> {
  return layer.getConfig() as Record<string, unknown>;
}

/** A refusal naming the layer and what to do. */
export function unsupported(layer: tf.layers.Layer, what: string): PolymodalError {
  return new PolymodalError(`export: layer "${layer.name}" (${layer.getClassName()}): ${what} cannot be exported`, {
    hint: 'Change that option in the manifest and train again, or export with --format keras or use the tfjs model folder as it is.',
    exitCode: 2,
  });
}
