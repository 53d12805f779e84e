/**
 * The conformance check of a fusion that declares `handlesMissingInputs`: built with a presence mask on every input,
 * its output for a row must not depend on the features of an input the row lacks (presence 0).
 */
import * as tf from '@tensorflow/tfjs';
import { buildContext } from '../model/compose-model.js';
import type { EncoderOutput, FeatureKind, FusionDefinition, FusionOutput } from '../plugin/contracts.js';
import { createRandom } from '../util/random.js';
import type { Fail } from './conformance-check.js';

export const MISSING_INPUTS_CHECK = 'missing inputs: the output ignores an absent input\'s features';

/** A fusion's fused tensor, whichever form `build` returned. */
export function fusedTensor(built: tf.SymbolicTensor | FusionOutput): tf.SymbolicTensor {
  return built instanceof tf.SymbolicTensor ? built : built.tensor;
}

function randomTensor(shape: readonly number[], seed: number): tf.Tensor {
  const random = createRandom(seed);
  const size = shape.reduce((n, d) => n * d, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => random.next() * 2 - 1), [...shape]);
}

/**
 * For each input in turn, rows alternate present / absent; the absent rows' features are drawn twice (different
 * seeds) and the outputs of those rows must agree within `tolerance`. Leaves no tensor behind.
 */
export function checkMissingInputs(
  fusion: FusionDefinition,
  options: Record<string, unknown>,
  inputs: Readonly<Record<string, { readonly kind: FeatureKind; readonly shape: readonly number[] }>>,
  batch: number,
  tolerance: number,
  fail: Fail,
): void {
  const names = Object.keys(inputs);
  const used = new Set<string>();
  const features: Record<string, EncoderOutput> = Object.create(null);
  const modelInputs: tf.SymbolicTensor[] = [];
  for (const name of names) {
    used.add(name);
    used.add(`${name}__present`);
    const tensor = tf.input({ name, shape: [...inputs[name].shape] });
    const present = tf.input({ name: `${name}__present`, shape: [1] });
    modelInputs.push(tensor, present);
    features[name] = { tensor, kind: inputs[name].kind, present };
  }
  const model = tf.model({ inputs: modelInputs, outputs: fusedTensor(fusion.build(features, options, buildContext('fusion', used))) });
  try {
    names.forEach((absent, k) => {
      const worst = tf.tidy(() => {
        const mask = tf.tensor2d(Array.from({ length: batch }, (_, r) => [r % 2]), [batch, 1]);
        const ones = tf.ones([batch, 1]);
        const feed = (seed: number) => names.flatMap((name, i) => [
          randomTensor([batch, ...inputs[name].shape], name === absent ? seed : 100 + i),
          name === absent ? mask : ones,
        ]);
        const first = (model.predict(feed(1)) as tf.Tensor).arraySync() as number[][];
        const second = (model.predict(feed(2)) as tf.Tensor).arraySync() as number[][];
        let largest = 0;
        first.forEach((row, r) => {
          if (r % 2 === 1) return; // present rows may differ
          row.forEach((value, j) => (largest = Math.max(largest, Math.abs(value - second[r][j]))));
        });
        return largest;
      });
      if (!(worst <= tolerance)) {
        fail(`with input "${absent}" absent (presence 0), the output still changes with its features (by up to ${worst}); use EncoderOutput.present (see replaceMissing in @polymodal/core) for input ${k + 1} of ${names.length}`);
      }
    });
  } finally {
    model.dispose();
  }
}
