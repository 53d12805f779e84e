import * as tf from '@tensorflow/tfjs';
import { denseStack, type BuildContext } from '@polymodal/core';
import type { Activation, Head } from './options.js';

export interface HeadOptions {
  head: Head;
  units: number[];
  activation: Activation;
  dropout: number;
  l2: number;
}

/** A feature map `[batch, h, w, c]` to a vector: flatten or global pooling, then optional dense layers. */
export function featureHead(x: tf.SymbolicTensor, options: HeadOptions, ctx: BuildContext): tf.SymbolicTensor {
  const name = ctx.layerName(options.head === 'flatten' ? 'flatten' : options.head === 'globalAvgPool' ? 'global_avg_pool' : 'global_max_pool');
  const pooled =
    options.head === 'flatten' ? tf.layers.flatten({ name })
      : options.head === 'globalAvgPool' ? tf.layers.globalAveragePooling2d({ name })
        : tf.layers.globalMaxPooling2d({ name });
  x = pooled.apply(x) as tf.SymbolicTensor;
  return denseStack(x, options, { layerName: (suffix) => ctx.layerName(suffix) });
}
