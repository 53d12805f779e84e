/** Max and average pooling (1-D as images of height 1) and the global poolings (a reduction over steps or pixels). */
import type * as tf from '@tensorflow/tfjs';
import { reduce, reshape, windowOutput, type Padding } from '../ir/ops.js';
import { configOf, unsupported, type LayerLowering } from './context.js';

const asPair = (v: unknown): [number, number] | null => {
  if (v == null) return null;
  if (Array.isArray(v)) return v.length === 1 ? [v[0], v[0]] : [v[0], v[1]];
  return [v as number, v as number];
};

function pooling(op: 'MaxPool' | 'AvgPool', dims: 1 | 2): LayerLowering {
  return (layer: tf.layers.Layer, [x], { g }) => {
    const config = configOf(layer);
    if (config['dataFormat'] === 'channelsFirst') throw unsupported(layer, 'channelsFirst data');
    const size = asPair(config['poolSize'])!;
    const strides = asPair(config['strides']) ?? size;
    const padding: Padding = config['padding'] === 'same' ? 'SAME' : 'VALID';
    const kernel = dims === 1 ? [1, size[0]] : size;
    const stride = dims === 1 ? [1, strides[0]] : strides;
    const shape = g.value(x).shape;
    const image = dims === 1 ? reshape(g, x, [-1, 1, shape[1], shape[2]], `${layer.name}/as_image`) : x;
    const [batch, height, width, channels] = g.value(image).shape;
    const outShape = [batch, windowOutput(height, kernel[0], stride[0], 1, padding), windowOutput(width, kernel[1], stride[1], 1, padding), channels];
    const pooled = g.node(op, [image], outShape, dims === 1 ? `${layer.name}/pool` : layer.name, { kernel, strides: stride, padding });
    return [dims === 1 ? reshape(g, pooled, [-1, outShape[2], channels], layer.name) : pooled];
  };
}

export const lowerMaxPooling1D = pooling('MaxPool', 1);
export const lowerMaxPooling2D = pooling('MaxPool', 2);
export const lowerAveragePooling1D = pooling('AvgPool', 1);
export const lowerAveragePooling2D = pooling('AvgPool', 2);

function globalPooling(op: 'ReduceMean' | 'ReduceMax', dims: 1 | 2): LayerLowering {
  return (layer, [x], { g }) => {
    if (configOf(layer)['dataFormat'] === 'channelsFirst') throw unsupported(layer, 'channelsFirst data');
    return [reduce(g, op, x, dims === 1 ? [1] : [1, 2], false, layer.name)];
  };
}

export const lowerGlobalAveragePooling1D = globalPooling('ReduceMean', 1);
export const lowerGlobalAveragePooling2D = globalPooling('ReduceMean', 2);
export const lowerGlobalMaxPooling1D = globalPooling('ReduceMax', 1);
export const lowerGlobalMaxPooling2D = globalPooling('ReduceMax', 2);
