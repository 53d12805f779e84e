/** Keras/tfjs activations as primitive ops, and the Activation, ReLU and Softmax layers. */
import type * as tf from '@tensorflow/tfjs';
import { PolymodalError } from '@polymodal/core';
import type { GraphBuilder } from '../ir/graph.js';
import { add, maximum, mul, softmax, unary } from '../ir/ops.js';
import { configOf, unsupported, type LayerLowering } from './context.js';

export const SUPPORTED_ACTIVATIONS = ['linear', 'relu', 'relu6', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'softplus', 'swish', 'gelu'] as const;

/** `activation(x)`; `who` names the layer in the refusal of an activation without a lowering. */
export function applyActivation(g: GraphBuilder, x: string, activation: string, name: string, who: string): string {
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return unary(g, 'Relu', x, name);
    case 'relu6':
      return unary(g, 'Relu6', x, name);
    case 'sigmoid':
      return unary(g, 'Sigmoid', x, name);
    case 'tanh':
      return unary(g, 'Tanh', x, name);
    case 'elu':
      return unary(g, 'Elu', x, name);
    case 'selu':
      return unary(g, 'Selu', x, name);
    case 'softplus':
      return unary(g, 'Softplus', x, name);
    case 'softmax':
      return softmax(g, x, name);
    case 'swish':
      return mul(g, x, unary(g, 'Sigmoid', x, `${name}/sigmoid`), name);
    case 'gelu': {
      // tfjs's gelu: x * 0.5 * (1 + erf(x / sqrt(2))).
      const scaled = mul(g, x, g.scalar(`${name}/inv_sqrt2`, Math.SQRT1_2), `${name}/scaled`);
      const cdf = mul(g, add(g, unary(g, 'Erf', scaled, `${name}/erf`), g.scalar(`${name}/one`, 1), `${name}/erf_plus_one`), g.scalar(`${name}/half`, 0.5), `${name}/cdf`);
      return mul(g, x, cdf, name);
    }
    default:
      throw new PolymodalError(`export: ${who}: the activation "${activation}" cannot be exported (supported: ${SUPPORTED_ACTIVATIONS.join(', ')})`, {
        hint: 'Use one of the supported activations in the manifest and train again.',
        exitCode: 2,
      });
  }
}

export function activationName(layer: tf.layers.Layer): string {
  const activation = configOf(layer)['activation'];
  return typeof activation === 'string' ? activation : 'linear';
}

export const lowerActivation: LayerLowering = (layer, [x], { g }) => [applyActivation(g, x, activationName(layer), layer.name, `layer "${layer.name}"`)];

export const lowerReLU: LayerLowering = (layer, [x], { g }) => {
  const maxValue = configOf(layer)['maxValue'];
  if (maxValue == null) return [unary(g, 'Relu', x, layer.name)];
  if (maxValue === 6) return [unary(g, 'Relu6', x, layer.name)];
  throw unsupported(layer, `maxValue ${String(maxValue)} (only none or 6)`);
};

/** max(x, alpha x), which is LeakyReLU for the slopes Keras models use (0 <= alpha <= 1). */
export const lowerLeakyReLU: LayerLowering = (layer, [x], { g }) => {
  const alpha = (configOf(layer)['alpha'] as number | undefined) ?? 0.3;
  if (!(alpha >= 0 && alpha <= 1)) throw unsupported(layer, `a negative slope of ${alpha} (only 0 to 1)`);
  return [maximum(g, x, mul(g, x, g.scalar(`${layer.name}/alpha`, alpha), `${layer.name}/scaled`), layer.name)];
};

/** Rescaling: x * scale + offset. */
export const lowerRescaling: LayerLowering = (layer, [x], { g }) => {
  const config = configOf(layer);
  const scaled = mul(g, x, g.scalar(`${layer.name}/scale`, (config['scale'] as number | undefined) ?? 1), `${layer.name}/scaled`);
  return [add(g, scaled, g.scalar(`${layer.name}/offset`, (config['offset'] as number | undefined) ?? 0), layer.name)];
};

export const lowerSoftmax: LayerLowering = (layer, [x], { g }) => {
  const axis = configOf(layer)['axis'];
  if (axis !== undefined && axis !== -1 && axis !== g.value(x).shape.length - 1) throw unsupported(layer, `softmax over axis ${String(axis)} (only the last)`);
  return [softmax(g, x, layer.name)];
};
