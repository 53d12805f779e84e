import * as tf from '@tensorflow/tfjs';
import {
  PolymodalTransformerEncoderBlock, denseStack, dropoutSchema, sequencePoolingSchema, unitsSchema,
  type EncoderOutput, type FusionDefinition, type JsonSchema, type SequencePooling,
} from '@polymodal/core';
import { PolymodalAttentionReliance } from './attention-reliance.js';
import { PolymodalMaskedPooling } from './masked-pooling.js';
import { PolymodalTokenMask } from './token-mask.js';

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

/** How many tokens a modality becomes. */
function stepsOf(input: string, feature: EncoderOutput): number {
  if (feature.kind === 'vector') return 1;
  const steps = feature.tensor.shape[1];
  if (typeof steps !== 'number') throw new Error(`attention fusion: input "${input}" is a sequence of unknown length; its encoder must give a fixed number of steps`);
  return steps;
}

/**
 * Multi-head self-attention across modalities (the article's "attention mechanisms or even multi-head
 * attention" in place of concatenation): every encoder output becomes one or more tokens, transformer blocks
 * let each token attend to all others, and the tokens are pooled into one vector. The tokens of a missing
 * modality (presence 0) are masked: they receive exactly zero attention and do not enter the pooling. The
 * attention each modality received from the pooled query is exposed as the reliance `attention`.
 */
export const attentionFusion = {
  type: 'attention',
  description: 'Multi-head self-attention over modality tokens (vectors and sequences), then pooling',
  optionsSchema: attentionOptionsSchema,
  accepts: ['vector', 'sequence'],
  handlesMissingInputs: true,
  build(features, options, ctx) {
    const name = (s: string) => ctx.layerName(s);
    const entries = Object.entries(features);
    const parts = entries.map(([input, feature]) => tokens(input, feature, options.dModel, name));
    let x = parts.length === 1 ? parts[0] : (tf.layers.concatenate({ axis: 1, name: name('tokens') }).apply(parts) as tf.SymbolicTensor);
    const steps = entries.map(([input, feature]) => stepsOf(input, feature));
    const presence = entries.flatMap(([, feature]) => (feature.present ? [feature.present] : []));
    const mask = new PolymodalTokenMask({
      name: name('token_mask'),
      segments: entries.map(([, feature], i) => ({ steps: steps[i], optional: feature.present !== undefined })),
    }).apply([x, ...presence]) as tf.SymbolicTensor;
    const scores: tf.SymbolicTensor[] = [];
    for (let i = 0; i < options.layers; i++) {
      const [out, blockScores] = new PolymodalTransformerEncoderBlock({
        numHeads: options.numHeads,
        ffDim: options.ffDim,
        dropout: options.dropout,
        returnAttentionScores: true,
        name: name(`block_${i + 1}`),
      }).apply([x, mask]) as tf.SymbolicTensor[];
      x = out;
      scores.push(blockScores);
    }
    const pooled = new PolymodalMaskedPooling({ name: name(`${options.pooling}_pool`), pooling: options.pooling }).apply([x, mask]) as tf.SymbolicTensor;
    const attention = new PolymodalAttentionReliance({ name: name('attention_reliance'), steps }).apply([mask, ...scores]) as tf.SymbolicTensor;
    return { tensor: denseStack(pooled, { units: options.units, dropout: options.dropout }, { layerName: name }), reliance: { attention } };
  },
} satisfies FusionDefinition<AttentionFusionOptions>;
