import * as tf from '@tensorflow/tfjs';
import {
  activationSchema, denseOptionsNeedUnits, denseStack, dropoutSchema, poolSequence, replaceMissing, sequencePoolingSchema,
  unitsSchema, type Activation, type BuildContext, type EncoderOutput, type FusionDefinition, type JsonSchema, type SequencePooling,
} from '@polymodal/core';
import { PolymodalGatedCombine, type GatedCombine } from './gated-combine.js';

export type GateActivation = 'softmax' | 'sigmoid';

export interface GatedOptions {
  /** Width every modality is projected to. */
  width: number;
  /** Activation of the per-modality projections (GMU's tanh by default). */
  projectionActivation: Activation;
  /** `softmax`: the gates of a row sum to 1 (modalities compete); `sigmoid`: each gate is in (0, 1) on its own. */
  gate: GateActivation;
  combine: GatedCombine;
  /** Dense layers after the gated combination, as in `concat`. */
  units: number[];
  activation: Activation;
  dropout: number;
  /** How a sequence input becomes a vector before its projection. */
  sequencePooling: SequencePooling;
}

export const gatedOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    width: { type: 'integer', minimum: 1, default: 64, description: 'Width every modality is projected to.' },
    projectionActivation: activationSchema('tanh', 'Activation of each modality\'s projection.'),
    gate: {
      enum: ['softmax', 'sigmoid'],
      default: 'softmax',
      description: 'softmax: a row\'s gates sum to 1; sigmoid: each gate is in (0, 1) on its own.',
    },
    combine: {
      enum: ['sum', 'concat'],
      default: 'sum',
      description: 'sum: the gated projections added ([batch, width]); concat: side by side ([batch, inputs * width]).',
    },
    units: unitsSchema([], 'Dense layers after the gated combination.'),
    activation: activationSchema(),
    dropout: dropoutSchema(0, 'Dropout after each dense layer.'),
    sequencePooling: sequencePoolingSchema('mean', 'Pooling applied to sequence outputs before their projection.'),
  },
  allOf: [denseOptionsNeedUnits(['dropout'], [])],
};

/** One modality as a `[batch, width]` projection: pooled if a sequence, a missing row's features null-embedded first. */
function projected(name: string, feature: EncoderOutput, options: GatedOptions, ctx: BuildContext): tf.SymbolicTensor {
  const vector = feature.kind === 'vector'
    ? feature.tensor
    : poolSequence(feature.tensor, options.sequencePooling, ctx.layerName(`${name}_${options.sequencePooling}_pool`));
  // Before the projection, so the projection never sees what a missing row's encoder produced (it may be anything).
  const filled = replaceMissing({ tensor: vector, kind: 'vector', present: feature.present }, ctx, name);
  const projection = tf.layers.dense({ units: options.width, activation: options.projectionActivation, name: ctx.layerName(`${name}_projection`) });
  return projection.apply(filled) as tf.SymbolicTensor;
}

/**
 * Gated fusion (a gated multimodal unit, Arevalo et al. 2017, for any number of modalities): each modality is
 * projected to one width, a dense layer over all projections gives one gate per modality and row, and the gated
 * projections are summed (or concatenated) before optional dense layers. The gates are the fusion's reliance.
 */
export const gatedFusion: FusionDefinition<GatedOptions> = {
  type: 'gated',
  description: 'Per-modality projections weighted by learned gates (softmax or sigmoid), summed or concatenated',
  optionsSchema: gatedOptionsSchema,
  accepts: ['vector', 'sequence'],
  handlesMissingInputs: true,
  build(features, options, ctx) {
    const entries = Object.entries(features);
    const projections = entries.map(([name, feature]) => projected(name, feature, options, ctx));
    const all = projections.length === 1
      ? projections[0]
      : (tf.layers.concatenate({ name: ctx.layerName('gate_inputs') }).apply(projections) as tf.SymbolicTensor);
    const gates = tf.layers.dense({ units: entries.length, activation: options.gate, name: ctx.layerName('gates') }).apply(all) as tf.SymbolicTensor;
    const combined = new PolymodalGatedCombine({ combine: options.combine, name: ctx.layerName(`gated_${options.combine}`) })
      .apply([gates, ...projections]) as tf.SymbolicTensor;
    const layerName = (suffix: string) => ctx.layerName(suffix);
    return { tensor: denseStack(combined, options, { layerName }), reliance: { gates } };
  },
};
