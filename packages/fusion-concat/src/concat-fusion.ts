import * as tf from '@tensorflow/tfjs';
import {
  activationSchema, denseOptionsNeedUnits, denseStack, dropoutSchema, poolSequence, sequencePoolingSchema, unitsSchema,
  type Activation, type EncoderOutput, type FusionDefinition, type JsonSchema, type SequencePooling,
} from '@polymodal/core';

export interface ConcatOptions {
  units: number[];
  activation: Activation;
  dropout: number;
  /** How a sequence input becomes a vector before concatenation. */
  sequencePooling: SequencePooling;
}

export const concatOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    units: unitsSchema([], 'Dense layers after the concatenation.'),
    activation: activationSchema(),
    dropout: dropoutSchema(0, 'Dropout after each dense layer.'),
    sequencePooling: sequencePoolingSchema('mean', 'Pooling applied to sequence outputs.'),
  },
  allOf: [denseOptionsNeedUnits(['dropout'], [])],
};

function asVector(name: string, feature: EncoderOutput, pooling: SequencePooling, layerName: (s: string) => string): tf.SymbolicTensor {
  if (feature.kind === 'vector') return feature.tensor;
  return poolSequence(feature.tensor, pooling, layerName(`${name}_${pooling}_pool`));
}

/** Concatenates every encoder's vector (pooling sequences), then optional dense layers with dropout, as in the Keras article. */
export const concatFusion: FusionDefinition<ConcatOptions> = {
  type: 'concat',
  description: 'Concatenation of encoder outputs, optionally followed by dense layers with dropout',
  optionsSchema: concatOptionsSchema,
  accepts: ['vector', 'sequence'],
  build(features, options, ctx) {
    const layerName = (suffix: string) => ctx.layerName(suffix);
    const vectors = Object.entries(features).map(([name, feature]) => asVector(name, feature, options.sequencePooling, layerName));
    const x = vectors.length === 1 ? vectors[0] : (tf.layers.concatenate({ name: ctx.layerName('concat') }).apply(vectors) as tf.SymbolicTensor);
    return denseStack(x, options, { layerName });
  },
};
