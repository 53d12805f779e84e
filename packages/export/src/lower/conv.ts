/**
 * Conv1D, Conv2D, DepthwiseConv2D and SeparableConv2D as NHWC convolutions (a 1-D sequence is an image of
 * height 1). The emitters turn them into their format's layout.
 */
import type * as tf from '@tensorflow/tfjs';
import type { GraphBuilder } from '../ir/graph.js';
import { reshape, windowOutput, type Padding } from '../ir/ops.js';
import { activationName, applyActivation } from './activation.js';
import { configOf, optionalWeight, unsupported, weightConstant, weightsByName, type LayerLowering, type LoweringContext } from './context.js';

const pair = (v: unknown, fallback: number): [number, number] => {
  if (v == null) return [fallback, fallback];
  if (Array.isArray(v)) return v.length === 1 ? [v[0], v[0]] : [v[0], v[1]];
  return [v as number, v as number];
};

interface Window {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  padding: Padding;
}

function windowOf(layer: tf.layers.Layer, dims: 1 | 2): Window {
  const config = configOf(layer);
  if (config['dataFormat'] === 'channelsFirst') throw unsupported(layer, 'channelsFirst data');
  const one = (v: unknown, fallback: number): [number, number] => (dims === 1 ? [1, pair(v, fallback)[0]] : pair(v, fallback));
  const padding = String(config['padding'] ?? 'valid');
  // tfjs itself cannot run causal padding, so no trained Polymodal model has it.
  if (padding !== 'same' && padding !== 'valid') throw unsupported(layer, `${padding} padding`);
  return {
    kernel: one(config['kernelSize'], 1),
    strides: one(config['strides'], 1),
    dilations: one(config['dilationRate'], 1),
    padding: padding === 'same' ? 'SAME' : 'VALID',
  };
}

/** A NHWC convolution node with TensorFlow's output size. */
export function convolution(g: GraphBuilder, op: 'Conv2D' | 'DepthwiseConv2D', x: string, kernel: string, bias: string | undefined, w: Window, outChannels: number, name: string): string {
  const [batch, height, width] = g.value(x).shape;
  const shape = [batch, windowOutput(height, w.kernel[0], w.strides[0], w.dilations[0], w.padding), windowOutput(width, w.kernel[1], w.strides[1], w.dilations[1], w.padding), outChannels];
  const attrs = { strides: w.strides, dilations: w.dilations, padding: w.padding };
  return g.node(op, bias ? [x, kernel, bias] : [x, kernel], shape, name, attrs);
}

/** A [batch, steps, channels] sequence as a [batch, 1, steps, channels] image. */
function asImage(g: GraphBuilder, x: string, name: string): string {
  const [, steps, channels] = g.value(x).shape;
  return reshape(g, x, [-1, 1, steps, channels], `${name}/as_image`);
}

function fromImage(g: GraphBuilder, y: string, name: string): string {
  const [, , steps, channels] = g.value(y).shape;
  return reshape(g, y, [-1, steps, channels], name);
}

function convLayer(dims: 1 | 2): LayerLowering {
  return (layer, [x], ctx) => {
    const { g } = ctx;
    const w = windowOf(layer, dims);
    const kernelWeight = weightsByName(layer).get('kernel')!;
    const [inChannels, outChannels] = (kernelWeight.shape as number[]).slice(-2);
    const kernel = weightConstant(ctx, layer, 'kernel', [w.kernel[0], w.kernel[1], inChannels, outChannels]);
    const bias = optionalWeight(ctx, layer, 'bias');
    const activation = activationName(layer);
    const convName = activation === 'linear' ? layer.name : `${layer.name}/linear`;
    const input = dims === 1 ? asImage(g, x, layer.name) : x;
    let y = convolution(g, 'Conv2D', input, kernel, bias, w, outChannels, dims === 1 ? `${layer.name}/conv` : convName);
    if (dims === 1) y = fromImage(g, y, convName);
    return [applyActivation(g, y, activation, layer.name, `layer "${layer.name}"`)];
  };
}

export const lowerConv1D = convLayer(1);
export const lowerConv2D = convLayer(2);

function depthwise(ctx: LoweringContext, layer: tf.layers.Layer, x: string, w: Window, name: string): string {
  const weight = weightsByName(layer).get('depthwise_kernel')!;
  const [, , channels, multiplier] = weight.shape as number[];
  const kernel = ctx.weight(weight, `${layer.name}/depthwise_kernel`, weight.shape as number[]);
  const bias = layer.getClassName() === 'DepthwiseConv2D' ? optionalWeight(ctx, layer, 'bias') : undefined;
  return convolution(ctx.g, 'DepthwiseConv2D', x, kernel, bias, w, channels * multiplier, name);
}

export const lowerDepthwiseConv2D: LayerLowering = (layer, [x], ctx) => {
  const w = windowOf(layer, 2);
  const activation = activationName(layer);
  const y = depthwise(ctx, layer, x, w, activation === 'linear' ? layer.name : `${layer.name}/linear`);
  return [applyActivation(ctx.g, y, activation, layer.name, `layer "${layer.name}"`)];
};

export const lowerSeparableConv2D: LayerLowering = (layer, [x], ctx) => {
  const w = windowOf(layer, 2);
  const inner = depthwise(ctx, layer, x, w, `${layer.name}/depthwise`);
  const pointwise = weightsByName(layer).get('pointwise_kernel')!;
  const outChannels = (pointwise.shape as number[])[3];
  const kernel = weightConstant(ctx, layer, 'pointwise_kernel');
  const bias = optionalWeight(ctx, layer, 'bias');
  const activation = activationName(layer);
  const unit: Window = { kernel: [1, 1], strides: [1, 1], dilations: [1, 1], padding: 'VALID' };
  const y = convolution(ctx.g, 'Conv2D', inner, kernel, bias, unit, outChannels, activation === 'linear' ? layer.name : `${layer.name}/linear`);
  return [applyActivation(ctx.g, y, activation, layer.name, `layer "${layer.name}"`)];
};
