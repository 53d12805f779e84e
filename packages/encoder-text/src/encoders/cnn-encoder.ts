import * as tf from '@tensorflow/tfjs';
import type { EncoderDefinition, EncoderOutput, InputSpec } from '@polymodal/core';
import { cnnOptionsSchema, type CnnEncoderOptions } from '../options.js';
import { TextPreprocessor, type TextState } from '../text-preprocessor.js';
import { embedTokens } from './embedding.js';

/** Kim (2014): embedding, parallel Conv1D with several kernel sizes, global max pooling, concatenation. */
export const textCnnEncoder: EncoderDefinition<CnnEncoderOptions, TextState, TextPreprocessor> = {
  type: 'text/cnn',
  description: 'Keras tokenizer, embedding, parallel Conv1D over several kernel sizes, global max pooling, concatenation',
  optionsSchema: cnnOptionsSchema,
  columns: { min: 1, max: 1 },
  produces: ['vector', 'sequence'],
  preprocessing: 'heavy',
  createPreprocessor: (input: InputSpec<CnnEncoderOptions>, state?: TextState) => new TextPreprocessor(input, state),
  build(inputs, input, preprocessor, ctx): EncoderOutput {
    const o = input.options;
    const embedded = embedTokens(inputs.tokens, o, preprocessor, ctx);
    const sequence = o.output === 'sequence';
    const branches = o.kernelSizes.map((size) => {
      const conv = tf.layers.conv1d({
        filters: o.convFilters, kernelSize: size, activation: o.activation, padding: sequence ? 'same' : 'valid', name: ctx.layerName(`conv_${size}`),
      }).apply(embedded) as tf.SymbolicTensor;
      return sequence ? conv : (tf.layers.globalMaxPooling1d({ name: ctx.layerName(`max_pool_${size}`) }).apply(conv) as tf.SymbolicTensor);
    });
    let x = branches.length === 1 ? branches[0] : (tf.layers.concatenate({ name: ctx.layerName('concat') }).apply(branches) as tf.SymbolicTensor);
    if (o.dropout > 0) x = tf.layers.dropout({ rate: o.dropout, name: ctx.layerName('dropout') }).apply(x) as tf.SymbolicTensor;
    return { tensor: x, kind: o.output };
  },
};
