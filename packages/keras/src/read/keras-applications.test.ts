import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNamedBackbone } from '../backbones/named-backbone.js';
import { BACKBONES, type BackbonePreprocessing } from '../backbones/registry.js';
import { loadKerasModel } from './load-keras-model.js';
import { firstSample, largestDifference, readFeatures } from './test-fixtures/features.js';
import { referenceModels } from './test-fixtures/reference-models.js';

// keras.applications.VGG16 and MobileNetV2 with random weights, made by the reference Keras (not committed: VGG16's
// weights alone are ~59 MB); skipped, with the reason, where the reference Python is missing.
const MODELS = ['vgg16', 'mobilenet_v2'];

test('keras.applications VGG16 and MobileNetV2 (.keras and .h5) give the features Keras gives (within 1e-4)', async (t) => {
  const models = referenceModels(MODELS);
  if (models.skip !== undefined) {
    t.skip(models.skip);
    return;
  }
  await tf.setBackend('cpu');
  for (const name of MODELS) {
    const features = firstSample(readFeatures(join(models.dir, `${name}.features.json`)));
    for (const format of ['.keras', '.h5']) {
      const model = await loadKerasModel(join(models.dir, `${name}${format}`));
      const { difference, shape } = largestDifference(model, features);
      assert.deepEqual(shape, features.outputShape, `${name}${format}`);
      assert.ok(difference < 1e-4, `${name}${format}: largest difference ${difference}`);
      model.dispose();
    }
  }
});

test('the bundled vgg16 and mobilenet_v2 architectures, with weights Keras made for them, give Keras\'s features', async (t) => {
  const models = referenceModels(MODELS);
  if (models.skip !== undefined) {
    t.skip(models.skip);
    return;
  }
  await tf.setBackend('cpu');
  const cacheDir = mkdtempSync(join(tmpdir(), 'polymodal-backbones-'));
  try {
    for (const name of MODELS) {
      const entry = BACKBONES.get(name)!;
      // Keras's model.save('x.h5') keeps the weights as keras.applications' files do (under model_weights/).
      mkdirSync(join(cacheDir, 'backbones', name), { recursive: true });
      copyFileSync(join(models.dir, `${name}.h5`), join(cacheDir, 'backbones', name, entry.weights.name));
      const registry = new Map([[name, { ...entry, weights: { ...entry.weights, checksum: 'unverified' as const } }]]);
      const features = firstSample(readFeatures(join(models.dir, `${name}.features.json`)));
      const { model } = await loadNamedBackbone(name, { inputShape: features.inputShape.slice(1) as [number, number, number], cacheDir, registry, offline: true });
      const { difference } = largestDifference(model, { ...features, inputs: undoPreprocessing(features.inputs, entry.preprocessing) });
      assert.ok(difference < 1e-4, `${name}: largest difference ${difference}`);
      model.dispose();
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});

/** The [0, 1] RGB inputs that the backbone's preprocessing layer turns into `inputs`. */
function undoPreprocessing(inputs: number[], preprocessing: BackbonePreprocessing): number[] {
  if (preprocessing.mode === 'tf') return inputs.map((v) => (v + 1) / 2);
  const mean = preprocessing.meanBgr;
  return inputs.map((_, i) => {
    const bgr = 2 - (i % 3);
    return (inputs[i - (i % 3) + bgr] + mean[bgr]) / 255;
  });
}
