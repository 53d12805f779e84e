import * as tf from '@tensorflow/tfjs';
import {
  activationSchema, denseOptionsNeedUnits, denseStack, dropoutSchema, poolSequence, replaceMissing, sequencePoolingSchema, unitsSchema,
  type Activation, type BuildContext, type EncoderOutput, type FusionDefinition, type JsonSchema, type SequencePooling,
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

/**
 * The input as one vector: a sequence is pooled; an optional input's missing rows then get a learned null embedding
 * in place of whatever their (zero-filled) features gave, so they never reach the output.
 */
function asVector(name: string, feature: EncoderOutput, pooling: SequencePooling, ctx: BuildContext): tf.SymbolicTensor {
  const vector = feature.kind === 'vector' ? feature.tensor : poolSequence(feature.tensor, pooling, ctx.layerName(`${name}_${pooling}_pool`));
  return replaceMissing({ ...feature, tensor: vector, kind: 'vector' }, ctx, name);
}

/** Concatenates every encoder's vector (pooling sequences), then optional dense layers with dropout, as in the Keras article. */
export const concatFusion = {
  type: 'concat',
  description: 'Concatenation of encoder outputs, optionally followed by dense layers with dropout',
  optionsSchema: concatOptionsSchema,
  accepts: ['vector', 'sequence'],
  handlesMissingInputs: true,
  build(features, options, ctx) {
    const layerName = (suffix: string) => ctx.layerName(suffix);
    const vectors = Object.entries(features).map(([name, feature]) => asVector(name, feature, options.sequencePooling, ctx));
    const x = vectors.length === 1 ? vectors[0] : (tf.layers.concatenate({ name: ctx.layerName('concat') }).apply(vectors) as tf.SymbolicTensor);
    return denseStack(x, options, { layerName });
  },
} satisfies FusionDefinition<ConcatOptions>;
