import * as tf from '@tensorflow/tfjs';
import { PolymodalPositionalEmbedding, PolymodalTransformerEncoderBlock, poolSequence, type EncoderDefinition, type EncoderOutput, type InputSpec } from '@polymodal/core';
import { transformerOptionsSchema, type TransformerEncoderOptions } from '../options.js';
import { TextPreprocessor, type TextState } from '../text-preprocessor.js';
import { embedTokens } from './embedding.js';

/**
 * Embedding + learned positions + N transformer encoder blocks. The token ids are the blocks' padding mask
 * (id 0 = padding, never attended to). Pooling to a vector is over every step, padding included.
 */
export const textTransformerEncoder: EncoderDefinition<TransformerEncoderOptions, TextState, TextPreprocessor> = {
  type: 'text/transformer',
  description: 'Keras tokenizer, embedding, positional embedding, transformer encoder blocks (padding masked), pooling',
  optionsSchema: transformerOptionsSchema,
  columns: { min: 1, max: 1 },
  produces: ['vector', 'sequence'],
  preprocessing: 'heavy',
  createPreprocessor: (input: InputSpec<TransformerEncoderOptions>, state?: TextState) => new TextPreprocessor(input, state),
  build(inputs, input, preprocessor, ctx): EncoderOutput {
    const o = input.options;
    const tokens = inputs.tokens;
    let x = embedTokens(tokens, o, preprocessor, ctx);
    x = new PolymodalPositionalEmbedding({ sequenceLength: o.maxLength, name: ctx.layerName('positions') }).apply(x) as tf.SymbolicTensor;
    for (let i = 1; i <= o.blocks; i++) {
      x = new PolymodalTransformerEncoderBlock({
        numHeads: o.heads, ffDim: o.ffDim, dropout: o.dropout, name: ctx.layerName(`block_${i}`),
      }).apply([x, tokens]) as tf.SymbolicTensor;
    }
    if (o.output === 'sequence') return { tensor: x, kind: 'sequence' };
    return { tensor: poolSequence(x, o.pooling, ctx.layerName(`${o.pooling}_pool`)), kind: 'vector' };
  },
};
