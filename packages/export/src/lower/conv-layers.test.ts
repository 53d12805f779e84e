import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { assertExportsMatch, randomInputs } from '../test-fixtures/compare.js';

const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor) => layer.apply(x) as tf.SymbolicTensor;

/** Gives BatchNormalization non-trivial moving statistics, so the folded scale and shift are really checked. */
function randomizeWeights(model: tf.LayersModel): void {
  model.layers.forEach((layer, i) => {
    const weights = layer.getWeights();
    // A nested model's weights are its layers': randomized through the nested model itself.
    if (weights.length === 0 || layer instanceof tf.LayersModel) return;
    layer.setWeights(weights.map((w, j) => (layer.getClassName() === 'BatchNormalization' && j === weights.length - 1 ? tf.randomUniform(w.shape, 0.5, 2, 'float32', i) : tf.randomNormal(w.shape, 0, 0.5, 'float32', 10 * i + j))));
  });
}

test('Conv2D (same/valid, strides, dilation), BatchNormalization, pooling and global pooling on images', async () => {
  const input = tf.input({ shape: [9, 8, 3], name: 'image' });
  let x = apply(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }), input);
  x = apply(tf.layers.batchNormalization(), x);
  x = apply(tf.layers.maxPooling2d({ poolSize: 2 }), x);
  x = apply(tf.layers.conv2d({ filters: 5, kernelSize: [2, 3], strides: 2, padding: 'same' }), x);
  x = apply(tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }), x);
  const y = apply(tf.layers.conv2d({ filters: 2, kernelSize: 2, dilationRate: 2, padding: 'valid', useBias: false }), input);
  const model = tf.model({
    inputs: input,
    outputs: [apply(tf.layers.flatten(), x), apply(tf.layers.globalAveragePooling2d({}), y), apply(tf.layers.globalMaxPooling2d({}), y)],
  });
  randomizeWeights(model);
  await assertExportsMatch(model, randomInputs(model));
});

test('DepthwiseConv2D, SeparableConv2D, ZeroPadding2D and ReLU(6), as in MobileNet', async () => {
  const input = tf.input({ shape: [8, 8, 3], name: 'image' });
  let x = apply(tf.layers.zeroPadding2d({ padding: [[1, 0], [0, 1]] }), input);
  x = apply(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2 }), x);
  x = apply(tf.layers.reLU({ maxValue: 6 }), x);
  x = apply(tf.layers.separableConv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }), x);
  const model = tf.model({ inputs: input, outputs: apply(tf.layers.globalAveragePooling2d({}), x) });
  randomizeWeights(model);
  await assertExportsMatch(model, randomInputs(model));
});

test('Conv1D (same, valid, dilated), 1-D pooling and global pooling over sequences', async () => {
  const input = tf.input({ shape: [12, 4], name: 'frames' });
  const same = apply(tf.layers.maxPooling1d({ poolSize: 2 }), apply(tf.layers.conv1d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'elu' }), input));
  const valid = apply(tf.layers.averagePooling1d({ poolSize: 3, strides: 2 }), apply(tf.layers.conv1d({ filters: 3, kernelSize: 4, strides: 2 }), input));
  const dilated = apply(tf.layers.conv1d({ filters: 2, kernelSize: 3, padding: 'valid', dilationRate: 2 }), input);
  const model = tf.model({
    inputs: input,
    outputs: [apply(tf.layers.globalMaxPooling1d({}), same), apply(tf.layers.globalAveragePooling1d({}), valid), apply(tf.layers.flatten(), dilated)],
  });
  randomizeWeights(model);
  await assertExportsMatch(model, randomInputs(model));
});

test('a nested model (a pretrained backbone cut into the model) is lowered layer by layer, also after a save and load', async () => {
  const backboneInput = tf.input({ shape: [8, 8, 3], name: 'backbone_input' });
  let b = apply(tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: false }), backboneInput);
  b = apply(tf.layers.batchNormalization(), b);
  b = apply(tf.layers.reLU({ maxValue: 6 }), b);
  const backbone = tf.model({ inputs: backboneInput, outputs: apply(tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same' }), b), name: 'backbone' });
  const image = tf.input({ shape: [8, 8, 3], name: 'image' });
  const features = apply(tf.layers.globalAveragePooling2d({}), backbone.apply(image) as tf.SymbolicTensor);
  const model = tf.model({ inputs: image, outputs: apply(tf.layers.dense({ units: 2, activation: 'softmax', name: 'output' }), features) });
  randomizeWeights(backbone);
  randomizeWeights(model);
  await assertExportsMatch(model, randomInputs(model));
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const reloaded = await tf.loadLayersModel({ load: async () => saved! });
  await assertExportsMatch(reloaded, randomInputs(reloaded));
});
