import * as tf from '@tensorflow/tfjs';
import type { BuildContext } from '@polymodal/core';
import { BLOCK_DEFAULTS, type ConvBlock } from './options.js';

function apply(layer: tf.layers.Layer, x: tf.SymbolicTensor): tf.SymbolicTensor {
  return layer.apply(x) as tf.SymbolicTensor;
}

const scalar = (v: number | [number, number]): number => (Array.isArray(v) ? v[0] : v);

/**
 * One convolution block, 2-D (over time x frequency) or 1-D (over time): conv [+ BatchNorm] + activation
 * [+ pooling] [+ dropout]. Pooling never shrinks an axis below one step: a pool larger than what is left is cut
 * to fit, so deep stacks on short clips still build.
 */
export function convBlock(x: tf.SymbolicTensor, partial: Partial<ConvBlock>, index: number, l2: number, dims: 1 | 2, kernelDefault: number, ctx: BuildContext): tf.SymbolicTensor {
  const block = { ...BLOCK_DEFAULTS, kernelSize: kernelDefault, ...partial } as ConvBlock;
  const n = index + 1;
  const conv = {
    filters: block.filters,
    padding: block.padding,
    activation: block.batchNorm ? 'linear' : block.activation,
    kernelRegularizer: l2 > 0 ? tf.regularizers.l2({ l2 }) : undefined,
    name: ctx.layerName(`conv_${n}`),
  } as const;
  x = dims === 2
    ? apply(tf.layers.conv2d({ ...conv, kernelSize: block.kernelSize, strides: block.strides }), x)
    : apply(tf.layers.conv1d({ ...conv, kernelSize: scalar(block.kernelSize), strides: scalar(block.strides) }), x);
  if (block.batchNorm) {
    x = apply(tf.layers.batchNormalization({ name: ctx.layerName(`batch_norm_${n}`) }), x);
    x = apply(tf.layers.activation({ activation: block.activation, name: ctx.layerName(`activation_${n}`) }), x);
  }
  if (block.pooling !== 'none') x = pool(x, block, n, dims, ctx);
  if (block.dropout > 0) x = apply(tf.layers.dropout({ rate: block.dropout, name: ctx.layerName(`dropout_block_${n}`) }), x);
  return x;
}

function pool(x: tf.SymbolicTensor, block: ConvBlock, n: number, dims: 1 | 2, ctx: BuildContext): tf.SymbolicTensor {
  const name = ctx.layerName(`${block.pooling}_pool_${n}`);
  const asked = Array.isArray(block.poolSize) ? block.poolSize : [block.poolSize, block.poolSize];
  const axes = x.shape.slice(1, 1 + dims) as number[];
  const size = axes.map((length, i) => Math.max(1, Math.min(asked[i], length)));
  if (size.every((s) => s === 1)) return x;
  if (dims === 1) {
    const config = { poolSize: size[0], name };
    return apply(block.pooling === 'max' ? tf.layers.maxPooling1d(config) : tf.layers.averagePooling1d(config), x);
  }
  const config = { poolSize: size as [number, number], name };
  return apply(block.pooling === 'max' ? tf.layers.maxPooling2d(config) : tf.layers.averagePooling2d(config), x);
}
