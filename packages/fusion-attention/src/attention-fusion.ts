import * as tf from '@tensorflow/tfjs';
import {
  PolymodalTransformerEncoderBlock, denseStack, dropoutSchema, poolSequence, sequencePoolingSchema, unitsSchema,
  type EncoderOutput, type FusionDefinition, type JsonSchema, type SequencePooling,
} from '@polymodal/core';

export interface AttentionFusionOptions {
  /** Width every modality token is projected to. */
  dModel: number;
  numHeads: number;
  /** Transformer encoder blocks over the modality tokens. */
  layers: number;
  ffDim: number;
  dropout: number;
  pooling: SequencePooling;
  /** Dense layers after pooling. */
  units: number[];
}

export const attentionOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    dModel: { type: 'integer', minimum: 1, default: 64, description: 'Width each modality token is projected to.' },
    numHeads: { type: 'integer', minimum: 1, default: 4, description: 'Attention heads; must divide dModel.' },
    layers: { type: 'integer', minimum: 1, default: 1, description: 'Transformer encoder blocks over the modality tokens.' },
    ffDim: { type: 'integer', minimum: 1, default: 128, description: 'Hidden width of each block\'s feed-forward layer.' },
    dropout: dropoutSchema(0.1, 'Dropout inside each block and after each dense layer.'),
    pooling: sequencePoolingSchema('mean', 'How the attended tokens become one vector.'),
    units: unitsSchema([], 'Dense (relu) layers after pooling.'),
  },
};

/** A modality as tokens of width dModel: a vector is one token, a sequence keeps its steps. */
function tokens(name: string, feature: EncoderOutput, dModel: number, layerName: (s: string) => string): tf.SymbolicTensor {
  // Each modality has its own projection, whose bias also tells the attention which modality a token is.
  const projected = tf.layers.dense({ units: dModel, name: layerName(`${name}_projection`) }).apply(feature.tensor) as tf.SymbolicTensor;
  if (feature.kind === 'sequence') return projected;
  return tf.layers.reshape({ targetShape: [1, dModel], name: layerName(`${name}_token`) }).apply(projected) as tf.SymbolicTensor;
}

/**
 * Multi-head self-attention across modalities (the article's "attention mechanisms or even multi-head
 * attention" in place of concatenation): every encoder output becomes one or more tokens, transformer blocks
 * let each token attend to all others, and the tokens are pooled into one vector.
 */
export const attentionFusion: FusionDefinition<AttentionFusionOptions> = {
  type: 'attention',
  description: 'Multi-head self-attention over modality tokens (vectors and sequences), then pooling',
  optionsSchema: attentionOptionsSchema,
  accepts: ['vector', 'sequence'],
  build(features, options, ctx) {
    const name = (s: string) => ctx.layerName(s);
    const parts = Object.entries(features).map(([input, feature]) => tokens(input, feature, options.dModel, name));
    let x = parts.length === 1 ? parts[0] : (tf.layers.concatenate({ axis: 1, name: name('tokens') }).apply(parts) as tf.SymbolicTensor);
    for (let i = 0; i < options.layers; i++) {
      x = new PolymodalTransformerEncoderBlock({
        numHeads: options.numHeads,
        ffDim: options.ffDim,
        dropout: options.dropout,
        name: name(`block_${i + 1}`),
      }).apply(x) as tf.SymbolicTensor;
    }
    x = poolSequence(x, options.pooling, name(`${options.pooling}_pool`));
    return denseStack(x, { units: options.units, dropout: options.dropout }, { layerName: name });
  },
};
