import * as tf from '@tensorflow/tfjs';
import type { BuildContext, EncoderDefinition, EncoderOutput, InputSpec } from '@polymodal/core';
import { polymodalConv2d } from './fused-conv2d.js';
import { featureHead } from './head.js';
import { ImagePreprocessor, type ImageState } from './image-preprocessor.js';
import { BLOCK_DEFAULTS, cnnOptionsSchema, type CnnOptions, type ConvBlock } from './options.js';

/** One convolution block: Conv2D [+ BatchNorm] + activation [+ pooling] [+ spatial dropout]. */
export function convBlock(x: tf.SymbolicTensor, block: ConvBlock, index: number, l2: number, ctx: BuildContext): tf.SymbolicTensor {
  const n = index + 1;
  x = polymodalConv2d({
    filters: block.filters,
    kernelSize: block.kernelSize,
    strides: block.strides,
    padding: block.padding,
    activation: block.batchNorm ? 'linear' : block.activation,
    kernelRegularizer: l2 > 0 ? tf.regularizers.l2({ l2 }) : undefined,
    name: ctx.layerName(`conv_${n}`),
  }).apply(x) as tf.SymbolicTensor;
  if (block.batchNorm) {
    x = tf.layers.batchNormalization({ name: ctx.layerName(`batch_norm_${n}`) }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.activation({ activation: block.activation, name: ctx.layerName(`activation_${n}`) }).apply(x) as tf.SymbolicTensor;
  }
  if (block.pooling !== 'none') {
    const config = { poolSize: block.poolSize, name: ctx.layerName(`${block.pooling}_pool_${n}`) };
    x = (block.pooling === 'max' ? tf.layers.maxPooling2d(config) : tf.layers.averagePooling2d(config)).apply(x) as tf.SymbolicTensor;
  }
  if (block.dropout > 0) x = tf.layers.dropout({ rate: block.dropout, name: ctx.layerName(`dropout_block_${n}`) }).apply(x) as tf.SymbolicTensor;
  return x;
}

export const imageCnnEncoder: EncoderDefinition<CnnOptions, ImageState, ImagePreprocessor> = {
  type: 'image/cnn',
  description: 'Image files or data URIs (sharp: resize, normalize, augment, disk cache), stacked Conv2D blocks, flatten or global pooling',
  optionsSchema: cnnOptionsSchema,
  columns: { min: 1, max: 1 },
  produces: ['vector'],
  preprocessing: 'heavy',
  createPreprocessor: (input: InputSpec<CnnOptions>, state?: ImageState) => new ImagePreprocessor(input, state),
  build(inputs, input, _preprocessor, ctx): EncoderOutput {
    const options = input.options;
    let x = inputs.image;
    options.blocks.forEach((block, i) => {
      x = convBlock(x, { ...BLOCK_DEFAULTS, ...block } as ConvBlock, i, options.l2, ctx);
    });
    return { tensor: featureHead(x, options, ctx), kind: 'vector' };
  },
};
