import * as tf from '@tensorflow/tfjs';
import type { LabelCodec } from '../data/labels.js';
import type { Manifest } from '../manifest/types.js';
import type { BuildContext, EncoderOutput } from '../plugin/contracts.js';
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

/** Builds the functional model: one tfjs input per preprocessor feature, encoders, fusion, hidden layers, task head. */
export function composeModel(manifest: Manifest, registry: PluginRegistry, inputs: readonly FittedInput[], labels: LabelCodec): tf.LayersModel {
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
    const byKey = Object.fromEntries(own.map((entry) => [entry.feature.key, symbolic.get(entry.name)!]));
    features[fitted.spec.name] = fitted.encoder.build(byKey, fitted.spec, fitted.preprocessor, buildContext(fitted.spec.name, used));
  }
  const fusion = registry.fusion(manifest.fusion.type);
  let x = fusion.build(features, manifest.fusion.options, buildContext('fusion', used));
  const headContext = buildContext('head', used);
  x = denseStack(x, { units: manifest.output.hiddenUnits }, { layerName: (s) => headContext.layerName(s), dense: (_, units) => `dense_${units}` });
  const head = TASK_HEADS[manifest.output.task];
  used.add('output');
  const output = tf.layers.dense({ units: labels.outputUnits, activation: head.activation, name: 'output' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ name: manifest.name.replace(/[^A-Za-z0-9_]/g, '_'), inputs: layout.map((entry) => symbolic.get(entry.name)!), outputs: output });
}
