import * as tf from '@tensorflow/tfjs';
import type { EncoderDefinition, EncoderOutput, InputSpec } from '@polymodal/core';
import { PolymodalGRU } from '../layers/gru.js';
import { PolymodalLSTM } from '../layers/lstm.js';
import { recurrentOptionsSchema, type RecurrentEncoderOptions } from '../options.js';
import { TextPreprocessor, type TextState } from '../text-preprocessor.js';
import { embedTokens } from './embedding.js';

function recurrentEncoder(cell: 'lstm' | 'gru'): EncoderDefinition<RecurrentEncoderOptions, TextState, TextPreprocessor> {
  const Layer = cell === 'lstm' ? PolymodalLSTM : PolymodalGRU;
  return {
    type: `text/${cell}`,
    description: `Keras tokenizer, embedding and ${cell.toUpperCase()} layers (Keras defaults; fast time loop)`,
    optionsSchema: recurrentOptionsSchema,
    columns: { min: 1, max: 1 },
    produces: ['vector', 'sequence'],
    preprocessing: 'heavy',
    createPreprocessor: (input: InputSpec<RecurrentEncoderOptions>, state?: TextState) => new TextPreprocessor(input, state),
    build(inputs, input, preprocessor, ctx): EncoderOutput {
      const o = input.options;
      let x = embedTokens(inputs.tokens, o, preprocessor, ctx);
      for (let i = 1; i <= o.layers; i++) {
        const returnSequences = i < o.layers || o.output === 'sequence';
        const args = { units: o.units, returnSequences, dropout: o.dropout, recurrentDropout: o.recurrentDropout, implementation: o.implementation };
        const forwards = new Layer({ ...args, name: ctx.layerName(`${cell}_${i}`) }).apply(x) as tf.SymbolicTensor;
        if (!o.bidirectional) {
          x = forwards;
          continue;
        }
        const backwards = new Layer({ ...args, goBackwards: true, name: ctx.layerName(`${cell}_${i}_backwards`) }).apply(x) as tf.SymbolicTensor;
        x = tf.layers.concatenate({ name: ctx.layerName(`bidirectional_${i}`) }).apply([forwards, backwards]) as tf.SymbolicTensor;
      }
      return { tensor: x, kind: o.output };
    },
  };
}

export const textLstmEncoder = recurrentEncoder('lstm');
export const textGruEncoder = recurrentEncoder('gru');
