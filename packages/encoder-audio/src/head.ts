import * as tf from '@tensorflow/tfjs';
import { denseStack, type BuildContext, type EncoderOutput } from '@polymodal/core';
import type { Activation, EncoderOutputKind, Head } from './options.js';

export interface HeadOptions {
  head: Head;
  output: EncoderOutputKind;
  units: number[];
  activation: Activation;
  dropout: number;
  l2: number;
}

/**
 * A feature map `[batch, time, (freq,) channels]` to the encoder's output: `vector` by flattening or global
 * pooling, `sequence` by folding every axis but time into the features (one token per remaining time step);
 * then the dense stack (per token for a sequence).
 */
export function featureHead(x: tf.SymbolicTensor, options: HeadOptions, ctx: BuildContext): EncoderOutput {
  const dims = x.shape.length - 2;
  const dense = (t: tf.SymbolicTensor) => denseStack(t, options, { layerName: (suffix) => ctx.layerName(suffix) });
  if (options.output === 'sequence') {
    if (dims === 2) {
      const [, steps, bins, channels] = x.shape as number[];
      x = tf.layers.reshape({ targetShape: [steps, bins * channels], name: ctx.layerName('frames_to_tokens') }).apply(x) as tf.SymbolicTensor;
    }
    return { tensor: dense(x), kind: 'sequence' };
  }
  const name = ctx.layerName(options.head === 'flatten' ? 'flatten' : options.head === 'globalAvgPool' ? 'global_avg_pool' : 'global_max_pool');
  const layer =
    options.head === 'flatten' ? tf.layers.flatten({ name })
      : dims === 2
        ? (options.head === 'globalAvgPool' ? tf.layers.globalAveragePooling2d({ name }) : tf.layers.globalMaxPooling2d({ name }))
        : (options.head === 'globalAvgPool' ? tf.layers.globalAveragePooling1d({ name }) : tf.layers.globalMaxPooling1d({ name }));
  return { tensor: dense(layer.apply(x) as tf.SymbolicTensor), kind: 'vector' };
}
