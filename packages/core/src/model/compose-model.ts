import * as tf from '@tensorflow/tfjs';
import type { LabelCodec } from '../data/labels.js';
import type { Manifest } from '../manifest/types.js';
import type { BuildContext, EncoderOutput, FusionOutput } from '../plugin/contracts.js';
import type { PluginRegistry } from '../plugin/registry.js';
import { type FittedInput, modelInputLayout } from './fitted-input.js';
import { TASK_HEADS } from './heads.js';
import { denseStack } from '../layers/dense-stack.js';

/** The context a build gets: layer names prefixed and made unique within one model. */
export function buildContext(prefix: string, used: Set<string>): BuildContext {
  return {
    tf,
    layerName(suffix: string) {
      let name = `${prefix}_${suffix}`;
      for (let n = 2; used.has(name); n++) name = `${prefix}_${suffix}_${n}`;
      used.add(name);
      return name;
    },
  };
}

/** What a fusion said each prediction relied on: a `[batch, inputs]` tensor, columns in manifest input order. */
export interface RelianceOutput {
  /** The fusion's name for it (`attention`, `gates`, ...). */
  readonly name: string;
  readonly tensor: tf.SymbolicTensor;
  /** The input name of each column. */
  readonly columns: readonly string[];
}

/** The trained (single-output) model and the reliance tensors its fusion exposes, in the same graph. */
export interface ComposedModel {
  readonly model: tf.LayersModel;
  readonly reliance: readonly RelianceOutput[];
}

function isFusionOutput(value: tf.SymbolicTensor | FusionOutput): value is FusionOutput {
  return !(value instanceof tf.SymbolicTensor);
}

function relianceOf(fusionType: string, built: FusionOutput, columns: readonly string[]): RelianceOutput[] {
  return Object.entries(built.reliance ?? {}).map(([name, tensor]) => {
    const [, width] = tensor.shape;
    if (tensor.shape.length !== 2 || width !== columns.length) {
      throw new Error(`fusion "${fusionType}": reliance "${name}" has shape [${tensor.shape.join(', ')}], expected [batch, ${columns.length}] (one column per input)`);
    }
    return { name, tensor, columns };
  });
}

/**
 * Builds the functional model: one tfjs input per preprocessor feature and one presence mask per optional input
 * (`<input>__present`, handed to the fusion as `EncoderOutput.present`), encoders, fusion, hidden layers, task head.
 */
export function composeModelWithReliance(manifest: Manifest, registry: PluginRegistry, inputs: readonly FittedInput[], labels: LabelCodec): ComposedModel {
  const used = new Set<string>();
  const layout = modelInputLayout(inputs);
  const symbolic = new Map(layout.map((entry) => {
    used.add(entry.name);
    return [entry.name, tf.input({ name: entry.name, shape: [...entry.feature.shape], dtype: entry.feature.dtype })];
  }));
  // Keyed by input names (user strings): no prototype.
  const features: Record<string, EncoderOutput> = Object.create(null);
  for (const fitted of inputs) {
    const own = layout.filter((entry) => entry.input === fitted.spec.name);
    const byKey = Object.fromEntries(own.filter((entry) => !entry.presence).map((entry) => [entry.feature.key, symbolic.get(entry.name)!]));
    const encoded = fitted.encoder.build(byKey, fitted.spec, fitted.preprocessor, buildContext(fitted.spec.name, used));
    const presence = own.find((entry) => entry.presence);
    features[fitted.spec.name] = presence ? { ...encoded, present: symbolic.get(presence.name)! } : encoded;
  }
  const fusion = registry.fusion(manifest.fusion.type);
  const built = fusion.build(features, manifest.fusion.options, buildContext('fusion', used));
  const fused = isFusionOutput(built) ? built : { tensor: built };
  const headContext = buildContext('head', used);
  const x = denseStack(fused.tensor, { units: manifest.output.hiddenUnits }, { layerName: (s) => headContext.layerName(s), dense: (_, units) => `dense_${units}` });
  const head = TASK_HEADS[manifest.output.task];
  used.add('output');
  const output = tf.layers.dense({ units: labels.outputUnits, activation: head.activation, name: 'output' }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ name: manifest.name.replace(/[^A-Za-z0-9_]/g, '_'), inputs: layout.map((entry) => symbolic.get(entry.name)!), outputs: output });
  return { model, reliance: relianceOf(fusion.type, fused, inputs.map((input) => input.spec.name)) };
}

/** The model alone (see composeModelWithReliance). */
export function composeModel(manifest: Manifest, registry: PluginRegistry, inputs: readonly FittedInput[], labels: LabelCodec): tf.LayersModel {
  return composeModelWithReliance(manifest, registry, inputs, labels).model;
}
