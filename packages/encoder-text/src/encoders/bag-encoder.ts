import * as tf from '@tensorflow/tfjs';
import type { EncoderDefinition, EncoderOutput, InputSpec } from '@polymodal/core';
import { bagOptionsSchema, type BagEncoderOptions } from '../options.js';
import { TextPreprocessor, type TextState } from '../text-preprocessor.js';

/** Bag of words (Keras texts_to_matrix: binary, count, freq or tf-idf over the numWords vocabulary) into dense layers. */
export const textBagEncoder: EncoderDefinition<BagEncoderOptions, TextState> = {
  type: 'text/bag',
  description: 'Bag of words (binary, count, freq or tf-idf over the tokenizer vocabulary) into dense layers: a fast baseline',
  optionsSchema: bagOptionsSchema,
  columns: { min: 1, max: 1 },
  produces: ['vector'],
  preprocessing: 'heavy',
  createPreprocessor: (input: InputSpec<BagEncoderOptions>, state?: TextState) => new TextPreprocessor(input, state),
  build(inputs, input, _preprocessor, ctx): EncoderOutput {
    const o = input.options;
    let x = inputs.bag;
    o.units.forEach((units, i) => {
      x = tf.layers.dense({ units, activation: o.activation, name: ctx.layerName(`dense_${i + 1}`) }).apply(x) as tf.SymbolicTensor;
      if (o.dropout > 0) x = tf.layers.dropout({ rate: o.dropout, name: ctx.layerName(`dropout_${i + 1}`) }).apply(x) as tf.SymbolicTensor;
    });
    return { tensor: x, kind: 'vector' };
  },
};
