import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { evaluate, isPolymodalError, train, type BuildContext, type InputSpec } from '@polymodal/core';
import { readKerasArchive, writeKerasArchive } from '@polymodal/keras';
import imageEncoders from './index.js';
import { PREPROCESSING_DEFAULTS, type PretrainedOptions } from './options.js';
import { BackbonePreprocessor, imagePretrainedEncoder } from './pretrained-encoder.js';
import { encode, noise, passThroughFusion, tempDir, writeFile } from './test-fixtures/images.js';

// The Keras models @polymodal/keras's tests use (made by tools/keras-fixtures/make_backbones.py): a 16x16x3 CNN with
// batch norm, depthwise and separable convolutions, and a residual branch; it rescales 0..255 pixels itself.
const kerasFixtures = join(dirname(createRequire(import.meta.url).resolve('@polymodal/keras/package.json')), 'src', 'read', 'test-fixtures');

let state = 0x1234567;
Math.random = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = Math.imul(state ^ (state >>> 15), state | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const options = (o: Partial<PretrainedOptions>): PretrainedOptions => ({
  ...PREPROCESSING_DEFAULTS, size: [16, 16], channels: 3, rescale: 1, model: 'custom_cnn.keras', head: 'globalAvgPool', units: [4], activation: 'relu', dropout: 0, l2: 0, ...o,
});
let counter = 0;
const ctx: BuildContext = { tf, layerName: (s) => `photo_${s}_${counter++}` };

/** Builds the encoder on the Keras backbone, trains two epochs on random data, and reports which weights moved. */
async function trainOnKerasBackbone(dir: string, o: Partial<PretrainedOptions>) {
  await tf.setBackend('cpu');
  const spec: InputSpec<PretrainedOptions> = { name: 'photo', encoder: 'image/pretrained', columns: ['path'], options: options(o), dataDir: dir, manifestDir: dir };
  const preprocessor = imagePretrainedEncoder.createPreprocessor(spec) as BackbonePreprocessor;
  await preprocessor.fit();
  const input = tf.input({ shape: [16, 16, 3], name: `photo_input_${counter++}` });
  const encoded = imagePretrainedEncoder.build({ image: input }, spec, preprocessor, ctx);
  const output = tf.layers.dense({ units: 1, activation: 'sigmoid', name: `photo_out_${counter++}` }).apply(encoded.tensor) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  const backbone = model.layers.find((l) => l.name.includes('backbone')) as tf.LayersModel;
  const snapshot = () => new Map(model.weights.map((w) => [w.originalName, w.read().dataSync().slice()]));
  const before = snapshot();
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy' });
  const xs = tf.randomUniform([16, 16, 16, 3], 0, 255, 'float32', 3);
  const ys = tf.randomUniform([16, 1], 0, 2, 'int32', 4).toFloat();
  await model.fit(xs, ys, { epochs: 2, batchSize: 8, verbose: 0 });
  const after = snapshot();
  tf.dispose([xs, ys]);
  const changed = (name: string) => {
    const weights = [...after].filter(([n]) => n.startsWith(name.endsWith('_') ? name : `${name}/`));
    assert.ok(weights.length > 0, `no weights named ${name}/...`);
    return weights.some(([n, v]) => v.some((x, i) => x !== before.get(n)![i]));
  };
  return { model, encoded, backbone, changed };
}

test('a frozen .keras backbone: cut at its last feature map; no weight moves, batch-norm statistics included, while the head learns', async () => {
  const dir = tempDir();
  try {
    copyFileSync(join(kerasFixtures, 'custom_cnn.keras'), join(dir, 'custom_cnn.keras'));
    const { model, encoded, backbone, changed } = await trainOnKerasBackbone(dir, {});
    assert.deepEqual(encoded.tensor.shape, [null, 4]);
    assert.equal(backbone.layers.at(-1)!.name, 'features', 'cut before the pooling and classifier');
    assert.equal(backbone.trainableWeights.length, 0);
    for (const layer of ['stem_conv', 'stem_bn', 'dw', 'dw_bn', 'sep', 'gate', 'features']) assert.ok(!changed(layer), `${layer} unchanged`);
    assert.ok(changed('photo_dense_'), 'the head learns');
    model.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an .h5 backbone fine-tuned from a named layer on: layers before it stay frozen, those after it train', async () => {
  const dir = tempDir();
  try {
    copyFileSync(join(kerasFixtures, 'custom_cnn.h5'), join(dir, 'custom_cnn.h5'));
    const { model, changed } = await trainOnKerasBackbone(dir, { model: 'custom_cnn.h5', trainableFrom: 'sep' });
    for (const layer of ['stem_conv', 'stem_bn', 'dw', 'dw_bn']) assert.ok(!changed(layer), `${layer} stays frozen`);
    for (const layer of ['sep', 'gate', 'features']) assert.ok(changed(layer), `${layer} is fine-tuned`);
    model.dispose();
    await assert.rejects(trainOnKerasBackbone(dir, { model: 'custom_cnn.h5', size: [12, 12] }),
      /input "photo": options\.model: .*custom_cnn\.h5: layer "pixels" \(InputLayer\): the model takes inputs of shape \[null, 16, 16, 3\], not \[null, 12, 12, 3\]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('named backbones: offline without the file in the cache says where to put it; their preprocessing options are fixed', async () => {
  const dir = tempDir();
  const saved = { cache: process.env.POLYMODAL_CACHE, offline: process.env.POLYMODAL_OFFLINE };
  try {
    process.env.POLYMODAL_CACHE = join(dir, 'cache');
    process.env.POLYMODAL_OFFLINE = '1';
    await assert.rejects(trainOnKerasBackbone(dir, { model: 'mobilenet_v2', rescale: 1 / 255 }), (error: Error & { details: { hint: string } }) => {
      assert.match(error.message, /input "photo": options\.model: the weights of backbone "mobilenet_v2": .*cache\/backbones\/mobilenet_v2\/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1\.0_224_no_top\.h5 is not in the cache/);
      assert.match(error.details.hint, /Download https:\/\/storage\.googleapis\.com\/tensorflow\/keras-applications\/mobilenet_v2\/.* elsewhere and place it at /);
      return true;
    });
    await assert.rejects(trainOnKerasBackbone(dir, { model: 'vgg16', rescale: 1 }), /the backbone "vgg16" brings its own preprocessing, so options\.rescale must stay 1\/255/);
  } finally {
    for (const [key, value] of [['POLYMODAL_CACHE', saved.cache], ['POLYMODAL_OFFLINE', saved.offline]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A manifest over 16 16x16 images in two class folders, with `photo` an image/pretrained input with `options`. */
async function writeManifest(dir: string, options: object): Promise<string> {
  for (const label of ['a', 'b']) {
    for (let i = 0; i < 8; i++) writeFile(join(dir, 'images', label, `${i}.png`), await encode(noise(768, i + (label === 'a' ? 0 : 100)).map((v) => (label === 'a' ? v >> 1 : 128 + (v >> 1))), 16, 16, 3));
  }
  const path = join(dir, 'polymodal.json');
  writeFileSync(path, JSON.stringify({
    version: 1,
    name: 'keras-backbone',
    plugins: ['@polymodal/encoder-image', 'polymodal-image-test-fusion'],
    data: { source: 'images', split: { validation: 0.25, test: 0.25, seed: 1 } },
    inputs: { photo: { encoder: 'image/pretrained', column: 'path', options: { size: [16, 16], rescale: 1, units: [4], ...options } } },
    fusion: { type: 'pass' },
    output: { column: 'label', task: 'binary' },
    training: { backend: 'wasm', epochs: 2, batchSize: 4, seed: 2 },
    evaluation: { metrics: ['accuracy'] },
  }));
  return path;
}

test('a backbone with a Lambda layer stops training before it starts: exit code 2, the input, the layer and what to do', async () => {
  const dir = tempDir();
  try {
    const archive = readKerasArchive(readFileSync(join(kerasFixtures, 'custom_cnn.keras')));
    const layers = (archive.config as { config: { layers: Record<string, unknown>[] } }).config.layers;
    Object.assign(layers[2], { class_name: 'Lambda', config: { name: 'pad', function: { class_name: '__lambda__' } } });
    writeFileSync(join(dir, 'lambda.keras'), writeKerasArchive(archive));
    const path = await writeManifest(dir, { model: 'lambda.keras' });
    await assert.rejects(train({ manifest: path, plugins: [imageEncoders(), passThroughFusion] }), (error: unknown) => {
      assert.ok(isPolymodalError(error));
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /photo.*lambda\.keras: layer "pad" \(Lambda\): Lambda layers hold Python code/s);
      assert.match(error.describe(), /tensorflowjs_converter/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a manifest with a .keras backbone trains through core, saves, and reloads for evaluation with the same metrics', async () => {
  const dir = tempDir();
  try {
    copyFileSync(join(kerasFixtures, 'custom_cnn.keras'), join(dir, 'custom_cnn.keras'));
    const path = await writeManifest(dir, { model: 'custom_cnn.keras', trainableFrom: 'features' });
    const plugins = [imageEncoders(), passThroughFusion];
    const result = await train({ manifest: path, plugins });
    const evaluated = await evaluate(result.outDir, { plugins, backend: 'wasm' });
    assert.ok(Math.abs(evaluated.metrics.accuracy - result.metrics.test.accuracy) < 1e-9);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
