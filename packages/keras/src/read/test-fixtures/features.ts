import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';

/** Reference features written by tools/keras-fixtures/make_backbones.py. */
export interface Features {
  inputShape: number[];
  inputs: number[];
  outputShape: number[];
  outputs: number[];
}

export function readFeatures(path: string): Features {
  return JSON.parse(readFileSync(path, 'utf8')) as Features;
}

/** The largest absolute difference between the model's outputs on the reference inputs and Keras's. */
export function largestDifference(model: tf.LayersModel, features: Features): { difference: number; shape: number[] } {
  return tf.tidy(() => {
    const output = model.predict(tf.tensor(features.inputs, features.inputShape)) as tf.Tensor;
    const values = output.dataSync();
    let difference = values.length === features.outputs.length ? 0 : Infinity;
    features.outputs.forEach((expected, i) => {
      difference = Math.max(difference, Math.abs(expected - values[i]));
    });
    return { difference, shape: output.shape };
  });
}

/** Only the first reference input and its features (VGG16 takes seconds per image on tfjs's CPU backend). */
export function firstSample(features: Features): Features {
  const inputSize = features.inputs.length / features.inputShape[0];
  const outputSize = features.outputs.length / features.outputShape[0];
  return {
    inputShape: [1, ...features.inputShape.slice(1)], inputs: features.inputs.slice(0, inputSize),
    outputShape: [1, ...features.outputShape.slice(1)], outputs: features.outputs.slice(0, outputSize),
  };
}
