import * as tf from '@tensorflow/tfjs';
import type { BuildContext, EncoderDefinition, EncoderOutput, InputSpec } from '@polymodal/core';
import { tabularOptionsSchema, type TabularOptions } from './options.js';
import { TabularPreprocessor, type TabularState } from './tabular-preprocessor.js';

const MAX_AUTO_EMBEDDING = 50;

/** fast.ai's rule of thumb for embedding sizes. */
function autoEmbeddingDim(slots: number): number {
  return Math.min(MAX_AUTO_EMBEDDING, Math.max(2, Math.round(1.6 * slots ** 0.56)));
}

/** Dense layers with optional batch normalization, dropout and L2; shared by every build path. */
export function denseStack(x: tf.SymbolicTensor, options: Pick<TabularOptions, 'units' | 'activation' | 'dropout' | 'l2' | 'batchNorm'>, ctx: BuildContext): tf.SymbolicTensor {
  options.units.forEach((units, i) => {
    x = tf.layers.dense({
      units,
      activation: options.batchNorm ? 'linear' : options.activation,
      kernelRegularizer: options.l2 > 0 ? tf.regularizers.l2({ l2: options.l2 }) : undefined,
      name: ctx.layerName(`dense_${i + 1}`),
    }).apply(x) as tf.SymbolicTensor;
    if (options.batchNorm) {
      x = tf.layers.batchNormalization({ name: ctx.layerName(`batch_norm_${i + 1}`) }).apply(x) as tf.SymbolicTensor;
      x = tf.layers.activation({ activation: options.activation, name: ctx.layerName(`activation_${i + 1}`) }).apply(x) as tf.SymbolicTensor;
    }
    if (options.dropout > 0) x = tf.layers.dropout({ rate: options.dropout, name: ctx.layerName(`dropout_${i + 1}`) }).apply(x) as tf.SymbolicTensor;
  });
  return x;
}

export const tabularMlpEncoder: EncoderDefinition<TabularOptions, TabularState> = {
  type: 'tabular/mlp',
  description: 'Numeric and categorical columns: scaling, missing-value indicators, one-hot or embeddings, then an MLP',
  optionsSchema: tabularOptionsSchema,
  columns: { min: 1 },
  produces: ['vector'],
  createPreprocessor: (input: InputSpec<TabularOptions>, state?: TabularState) => new TabularPreprocessor(input, state),
  build(inputs, input, preprocessor, ctx): EncoderOutput {
    const options = input.options;
    const parts: tf.SymbolicTensor[] = [];
    if (inputs.features) parts.push(inputs.features);
    if (inputs.numeric) parts.push(inputs.numeric);
    if (inputs.categories) {
      const slots = (preprocessor as TabularPreprocessor).categorySlots();
      const vocabulary = slots.reduce((sum, n) => sum + n, 0);
      const dim = options.embeddingDim ?? autoEmbeddingDim(Math.max(...slots));
      const embedded = tf.layers.embedding({ inputDim: vocabulary, outputDim: dim, name: ctx.layerName('embedding') }).apply(inputs.categories) as tf.SymbolicTensor;
      parts.push(tf.layers.flatten({ name: ctx.layerName('embedding_flat') }).apply(embedded) as tf.SymbolicTensor);
    }
    const joined = parts.length === 1 ? parts[0] : (tf.layers.concatenate({ name: ctx.layerName('features') }).apply(parts) as tf.SymbolicTensor);
    return { tensor: denseStack(joined, options, ctx), kind: 'vector' };
  },
};
