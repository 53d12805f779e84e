/** Dense: x W + b (then the activation), over the last axis of a rank-2 or rank-3 input. */
import type * as tf from '@tensorflow/tfjs';
import { add, matMul, reshape } from '../ir/ops.js';
import { activationName, applyActivation } from './activation.js';
import { optionalWeight, unsupported, weightConstant, type LayerLowering, type LoweringContext } from './context.js';

/** `x [..., in] . kernel [in, out] + bias`: a rank-3 x is folded to 2-D around the product. */
export function project(ctx: LoweringContext, x: string, kernel: string, bias: string | undefined, name: string): string {
  const { g } = ctx;
  const shape = g.value(x).shape;
  const out = g.value(kernel).shape[1];
  if (shape.length === 2) {
    const product = matMul(g, x, kernel, bias ? `${name}/matmul` : name);
    return bias ? add(g, product, bias, name) : product;
  }
  if (shape.length !== 3) throw new Error(`project: rank ${shape.length}`);
  const flat = reshape(g, x, [-1, shape[2]], `${name}/flatten_steps`);
  const product = matMul(g, flat, kernel, `${name}/matmul`);
  const biased = bias ? add(g, product, bias, `${name}/bias`) : product;
  return reshape(g, biased, [-1, shape[1], out], name);
}

export const lowerDense: LayerLowering = (layer: tf.layers.Layer, [x], ctx) => {
  const rank = ctx.g.value(x).shape.length;
  if (rank !== 2 && rank !== 3) throw unsupported(layer, `a rank-${rank} input`);
  const kernel = weightConstant(ctx, layer, 'kernel');
  const bias = optionalWeight(ctx, layer, 'bias');
  const linear = project(ctx, x, kernel, bias, activationName(layer) === 'linear' ? layer.name : `${layer.name}/linear`);
  return [applyActivation(ctx.g, linear, activationName(layer), layer.name, `layer "${layer.name}"`)];
};
