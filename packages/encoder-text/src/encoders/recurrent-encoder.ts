import * as tf from '@tensorflow/tfjs';
import type { EncoderDefinition, EncoderOutput, InputSpec, JsonSchema } from '@polymodal/core';
import { PolymodalGRU } from '../layers/gru.js';
import { PolymodalLSTM } from '../layers/lstm.js';
import { gruOptionsSchema, recurrentOptionsSchema, type GruEncoderOptions, type RecurrentEncoderOptions } from '../options.js';
import { TextPreprocessor, type TextState } from '../text-preprocessor.js';
import { embedTokens } from './embedding.js';

/**
 * A recurrent text encoder: `Layer` with the shared recurrent options, plus what `own` takes from the cell's
 * own options (GRU: resetAfter).
 */
function recurrentEncoder<O extends RecurrentEncoderOptions>(
  cell: 'lstm' | 'gru', Layer: typeof PolymodalLSTM | typeof PolymodalGRU, optionsSchema: JsonSchema, own: (o: O) => Record<string, unknown>,
): EncoderDefinition<O, TextState, TextPreprocessor> {
  return {
    type: `text/${cell}`,
    description: `Keras tokenizer, embedding and ${cell.toUpperCase()} layers (Keras defaults; fast time loop)`,
    optionsSchema,
    columns: { min: 1, max: 1 },
    produces: ['vector', 'sequence'],
    preprocessing: 'heavy',
    createPreprocessor: (input: InputSpec<O>, state?: TextState) => new TextPreprocessor(input, state),
    build(inputs, input, preprocessor, ctx): EncoderOutput {
      const o = input.options;
      let x = embedTokens(inputs.tokens, o, preprocessor, ctx);
      for (let i = 1; i <= o.layers; i++) {
        const returnSequences = i < o.layers || o.output === 'sequence';
        const args = { units: o.units, returnSequences, dropout: o.dropout, recurrentDropout: o.recurrentDropout, implementation: o.implementation, ...own(o) };
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

export const textLstmEncoder = recurrentEncoder<RecurrentEncoderOptions>('lstm', PolymodalLSTM, recurrentOptionsSchema, () => ({}));
export const textGruEncoder = recurrentEncoder<GruEncoderOptions>('gru', PolymodalGRU, gruOptionsSchema, (o) => ({ resetAfter: o.resetAfter }));
