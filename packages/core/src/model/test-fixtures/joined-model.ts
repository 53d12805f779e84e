// A model whose wide concatenation the layer graph splits: shared by its tests and the step's.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';

export const WIDE = 4200;

export interface Options {
  wide?: number;
  units?: number;
  activation?: 'sigmoid' | 'relu' | 'linear';
  /** Dropout on the wide input (seeded, so every pass draws the same mask), or unseeded on both branches. */
  dropout?: boolean | 'unseeded';
  secondReader?: boolean;
  regularised?: boolean;
}

/** Two inputs, one wide (a flattened image's features), joined and read by a small Dense head. */
export function joinedModel({ wide = WIDE, units = 2, activation = 'sigmoid', dropout = false, secondReader = false, regularised = false }: Options = {}): tf.LayersModel {
  const a = tf.input({ shape: [wide], name: 'wide' });
  const b = tf.input({ shape: [6], name: 'narrow' });
  let hidden = tf.layers.dense({ units: 5, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(b) as tf.SymbolicTensor;
  let wideFeatures = a;
  if (dropout === true) wideFeatures = tf.layers.dropout({ rate: 0.5, seed: 5 }).apply(a) as tf.SymbolicTensor;
  if (dropout === 'unseeded') {
    wideFeatures = tf.layers.dropout({ rate: 0.5 }).apply(a) as tf.SymbolicTensor;
    hidden = tf.layers.dropout({ rate: 0.5 }).apply(hidden) as tf.SymbolicTensor;
  }
  const joined = tf.layers.concatenate().apply([wideFeatures, hidden]) as tf.SymbolicTensor;
  const head = tf.layers.dense({
    units, activation, kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }), biasInitializer: tf.initializers.constant({ value: 0.1 }),
    ...(regularised ? { kernelRegularizer: tf.regularizers.l2({ l2: 0.01 }) } : {}),
  }).apply(joined) as tf.SymbolicTensor;
  // A second reader of the concatenation, summed with the head: one output still.
  const outputs = secondReader ? (tf.layers.add().apply([head, tf.layers.dense({ units }).apply(joined) as tf.SymbolicTensor]) as tf.SymbolicTensor) : head;
  return tf.model({ inputs: [a, b], outputs });
}

export function batch(rows: number, wide = WIDE): tf.Tensor[] {
  return [tf.randomUniform([rows, wide], -1, 1, 'float32', 11), tf.randomUniform([rows, 6], -1, 1, 'float32', 13)];
}

/** Counts the calls of `layer`'s apply (the concatenation's: 0 where the split ran). */
export function countApplies(layer: tf.layers.Layer): { calls: number } {
  const counter = { calls: 0 };
  const apply = layer.apply.bind(layer);
  layer.apply = (...args: Parameters<typeof apply>) => {
    counter.calls++;
    return apply(...args);
  };
  return counter;
}

export const concatenationOf = (model: tf.LayersModel) => model.layers.find((layer) => layer.getClassName() === 'Concatenate')!;

export function assertClose(actual: tf.Tensor, expected: tf.Tensor, what: string, tolerance = 1e-5): void {
  assert.deepEqual(actual.shape, expected.shape, what);
  const difference = tf.tidy(() => tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0]);
  assert.ok(difference <= tolerance, `${what}: largest difference ${difference}`);
}
