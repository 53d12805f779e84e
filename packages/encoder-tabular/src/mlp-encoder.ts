import * as tf from '@tensorflow/tfjs';
import { denseStack, type EncoderDefinition, type EncoderOutput, type InputSpec } from '@polymodal/core';
import { tabularOptionsSchema, type TabularOptions } from './options.js';
import { TabularPreprocessor, type TabularState } from './tabular-preprocessor.js';

const MAX_AUTO_EMBEDDING = 50;

/** fast.ai's rule of thumb for embedding sizes. */
function autoEmbeddingDim(slots: number): number {
  return Math.min(MAX_AUTO_EMBEDDING, Math.max(2, Math.round(1.6 * slots ** 0.56)));
}

export const tabularMlpEncoder: EncoderDefinition<TabularOptions, TabularState, TabularPreprocessor> = {
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
      const slots = preprocessor.categorySlots();
      const vocabulary = slots.reduce((sum, n) => sum + n, 0);
      const dim = options.embeddingDim ?? autoEmbeddingDim(Math.max(...slots));
      const embedded = tf.layers.embedding({ inputDim: vocabulary, outputDim: dim, name: ctx.layerName('embedding') }).apply(inputs.categories) as tf.SymbolicTensor;
      parts.push(tf.layers.flatten({ name: ctx.layerName('embedding_flat') }).apply(embedded) as tf.SymbolicTensor);
    }
    const joined = parts.length === 1 ? parts[0] : (tf.layers.concatenate({ name: ctx.layerName('features') }).apply(parts) as tf.SymbolicTensor);
    return { tensor: denseStack(joined, options, { layerName: (suffix) => ctx.layerName(suffix) }), kind: 'vector' };
  },
};
