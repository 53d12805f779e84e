import { denseStack, type EncoderDefinition, type EncoderOutput, type InputSpec } from '@polymodal/core';
import { bagOptionsSchema, type BagEncoderOptions } from '../options.js';
import { TextPreprocessor, type TextState } from '../text-preprocessor.js';

/** Bag of words (Keras texts_to_matrix: binary, count, freq or tf-idf over the numWords vocabulary) into dense layers. */
export const textBagEncoder: EncoderDefinition<BagEncoderOptions, TextState, TextPreprocessor> = {
  type: 'text/bag',
  description: 'Bag of words (binary, count, freq or tf-idf over the tokenizer vocabulary) into dense layers: a fast baseline',
  optionsSchema: bagOptionsSchema,
  columns: { min: 1, max: 1 },
  produces: ['vector'],
  preprocessing: 'heavy',
  createPreprocessor: (input: InputSpec<BagEncoderOptions>, state?: TextState) => new TextPreprocessor(input, state),
  build(inputs, input, _preprocessor, ctx): EncoderOutput {
    return { tensor: denseStack(inputs.bag, input.options, { layerName: (suffix) => ctx.layerName(suffix) }), kind: 'vector' };
  },
};
