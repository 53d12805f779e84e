import * as tf from '@tensorflow/tfjs';
import type { EncoderOutput, FusionDefinition, JsonSchema } from '@polymodal/core';

export interface ConcatOptions {
  units: number[];
  activation: 'relu' | 'elu' | 'selu' | 'tanh' | 'swish';
  dropout: number;
  /** How a sequence input becomes a vector before concatenation. */
  sequencePooling: 'mean' | 'max';
}

export const concatOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    units: { type: 'array', items: { type: 'integer', minimum: 1 }, default: [], description: 'Dense layers after the concatenation.' },
    activation: { enum: ['relu', 'elu', 'selu', 'tanh', 'swish'], default: 'relu' },
    dropout: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0, description: 'Dropout after each dense layer.' },
    sequencePooling: { enum: ['mean', 'max'], default: 'mean', description: 'Pooling applied to sequence outputs.' },
  },
};

function asVector(name: string, feature: EncoderOutput, pooling: ConcatOptions['sequencePooling'], layerName: (s: string) => string): tf.SymbolicTensor {
  if (feature.kind === 'vector') return feature.tensor;
  const pool = pooling === 'max' ? tf.layers.globalMaxPooling1d : tf.layers.globalAveragePooling1d;
  return pool({ name: layerName(`${name}_${pooling}_pool`) }).apply(feature.tensor) as tf.SymbolicTensor;
}

/** Concatenates every encoder's vector (pooling sequences), then optional dense layers with dropout, as in the Keras article. */
export const concatFusion: FusionDefinition<ConcatOptions> = {
  type: 'concat',
  description: 'Concatenation of encoder outputs, optionally followed by dense layers with dropout',
  optionsSchema: concatOptionsSchema,
  accepts: ['vector', 'sequence'],
  build(features, options, ctx) {
    const vectors = Object.entries(features).map(([name, feature]) => asVector(name, feature, options.sequencePooling, (s) => ctx.layerName(s)));
    let x = vectors.length === 1 ? vectors[0] : (tf.layers.concatenate({ name: ctx.layerName('concat') }).apply(vectors) as tf.SymbolicTensor);
    options.units.forEach((units, i) => {
      x = tf.layers.dense({ units, activation: options.activation, name: ctx.layerName(`dense_${i + 1}`) }).apply(x) as tf.SymbolicTensor;
      if (options.dropout > 0) x = tf.layers.dropout({ rate: options.dropout, name: ctx.layerName(`dropout_${i + 1}`) }).apply(x) as tf.SymbolicTensor;
    });
    return x;
  },
};
