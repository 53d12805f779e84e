import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { BuildContext, InputSpec } from '@polymodal/core';
import { imageCnnEncoder } from './cnn-encoder.js';
import { PREPROCESSING_DEFAULTS, type CnnOptions } from './options.js';

let counter = 0;
const ctx: BuildContext = { tf, layerName: (s) => `photo_${s}_${counter++}` };
const base: CnnOptions = { ...PREPROCESSING_DEFAULTS, blocks: [{ filters: 32 }, { filters: 64 }], head: 'globalAvgPool', units: [], activation: 'relu', dropout: 0, l2: 0 };

function build(options: Partial<CnnOptions>) {
  const spec: InputSpec<CnnOptions> = { name: 'photo', encoder: 'image/cnn', columns: ['path'], options: { ...base, ...options }, dataDir: '.', manifestDir: '.' };
  const preprocessor = imageCnnEncoder.createPreprocessor(spec);
  const [feature] = preprocessor.features();
  const input = tf.input({ shape: [...feature.shape], name: `photo_${counter++}` });
  const encoded = imageCnnEncoder.build({ image: input }, spec, preprocessor, ctx);
  return { input, encoded, model: tf.model({ inputs: input, outputs: encoded.tensor }) };
}

test("one block of 32 3x3 relu filters, no pooling, flatten on 64x64x3 is exactly the article's image branch", () => {
  const { encoded, model } = build({ size: [64, 64], blocks: [{ filters: 32, kernelSize: 3, activation: 'relu', pooling: 'none' }], head: 'flatten' });
  assert.deepEqual(encoded.tensor.shape, [null, 62 * 62 * 32]);
  assert.equal(encoded.kind, 'vector');
  assert.equal(model.countParams(), 896);
  assert.deepEqual(model.layers.map((l) => l.getClassName()), ['InputLayer', 'Conv2D', 'Flatten']);
  const conv = model.layers[1].getConfig();
  assert.deepEqual([conv.filters, conv.kernelSize, conv.strides, conv.padding, conv.activation], [32, [3, 3], [1, 1], 'valid', 'relu']);
  model.dispose();
});

test('defaults: two conv + max-pool blocks and global average pooling', () => {
  const { encoded, model } = build({});
  assert.deepEqual(encoded.tensor.shape, [null, 64]);
  // conv1 3*3*3*32+32, conv2 3*3*32*64+64
  assert.equal(model.countParams(), 896 + 18496);
  assert.deepEqual(model.layers.map((l) => l.getClassName()), ['InputLayer', 'Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D', 'GlobalAveragePooling2D']);
  model.dispose();
});

test('batch norm, strides, same padding, average pooling, dropout, global max pooling, dense layers and L2', async () => {
  await tf.setBackend('cpu');
  const { encoded, model } = build({
    size: [16, 16],
    channels: 1,
    blocks: [{ filters: 4, strides: 2, padding: 'same', batchNorm: true, pooling: 'avg', dropout: 0.1 }, { filters: 8, kernelSize: [1, 3], pooling: 'none' }],
    head: 'globalMaxPool',
    units: [5],
    dropout: 0.2,
    l2: 0.01,
  });
  assert.deepEqual(encoded.tensor.shape, [null, 5]);
  assert.deepEqual(model.layers.map((l) => l.getClassName()), [
    'InputLayer', 'Conv2D', 'BatchNormalization', 'Activation', 'AveragePooling2D', 'Dropout', 'Conv2D', 'GlobalMaxPooling2D', 'Dense', 'Dropout',
  ]);
  assert.deepEqual(model.layers[1].outputShape, [null, 8, 8, 4]);
  assert.deepEqual(model.layers[6].outputShape, [null, 4, 2, 8]);
  const head = tf.layers.dense({ units: 1 }).apply(model.outputs[0]) as tf.SymbolicTensor;
  const trainable = tf.model({ inputs: model.inputs, outputs: head });
  trainable.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
  const xs = tf.randomUniform([8, 16, 16, 1]);
  const ys = tf.randomUniform([8, 1]);
  const before = trainable.getWeights().map((w) => w.dataSync().slice());
  const history = await trainable.fit(xs, ys, { epochs: 2, batchSize: 4, verbose: 0 });
  assert.ok(Number.isFinite(history.history.loss[1] as number));
  assert.ok(trainable.getWeights().some((w, i) => w.dataSync().some((v, j) => v !== before[i][j])));
  tf.dispose([xs, ys]);
  trainable.dispose();
});
