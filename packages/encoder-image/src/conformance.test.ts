import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileSystemHandler } from '@polymodal/core';
import { encoderConformanceChecks, runEncoderConformance } from '@polymodal/core/testing';
import imageEncoders from './index.js';
import { encode, noise, tempDir, writeFile } from './test-fixtures/images.js';

const dir = tempDir('polymodal-image-conformance-');
after(() => rmSync(dir, { recursive: true, force: true }));
const rows = await Promise.all(Array.from({ length: 6 }, async (_, i) => {
  writeFile(join(dir, `img-${i}.png`), await encode(noise(12 * 10 * 3, i + 1), 12, 10, 3));
  return { path: `img-${i}.png` };
}));
writeFile(join(dir, 'not-an-image.png'), 'plain text');

/** An untrained two-layer "pretrained" backbone, saved as a tfjs LayersModel under the data folder. */
async function saveBackbone(): Promise<void> {
  const input = tf.input({ shape: [8, 8, 3], name: 'bb_input' });
  const conv = tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'bb_conv' }).apply(input) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({ name: 'bb_gap' }).apply(conv) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2, name: 'bb_classes' }).apply(pooled) as tf.SymbolicTensor });
  await model.save(fileSystemHandler(join(dir, 'backbone')));
  model.dispose();
}
// Before any test is registered: a test starts as soon as it is, and saving makes tensors.
await saveBackbone();

runEncoderConformance({
  plugin: imageEncoders(),
  type: 'image/cnn',
  // tanh, not relu, in the dense layer: over non-negative features a small ReLU layer can be dead for every row.
  options: { size: [8, 8], blocks: [{ filters: 2, pooling: 'none' }], head: 'flatten', units: [3], activation: 'tanh', dropout: 0.1 },
  columns: ['path'],
  rows,
  invalidRows: [{ path: 'missing.png' }, { path: 'not-an-image.png' }, { path: null }],
  dataDir: dir,
  moduleUrl: new URL('./index.ts', import.meta.url).href,
  // Conv2D 3x3x3x2 + 2, then Dense over 6x6x2 = 72 features to 3
  expectedParams: (3 * 3 * 3 * 2 + 2) + (72 * 3 + 3),
});


runEncoderConformance({
  plugin: imageEncoders(),
  type: 'image/pretrained',
  // Cut after bb_conv (its last 4-D layer) and fine-tuned from it, so the training step reaches the backbone.
  options: { model: 'backbone/model.json', trainableFrom: 'bb_conv', size: [8, 8], head: 'globalAvgPool', units: [3], activation: 'tanh' },
  columns: ['path'],
  rows,
  invalidRows: [{ path: 'missing.png' }],
  dataDir: dir,
  moduleUrl: new URL('./index.ts', import.meta.url).href,
  // the backbone's Conv2D 3x3x3x2 + 2, then Dense(2 -> 3)
  expectedParams: (3 * 3 * 3 * 2 + 2) + (2 * 3 + 3),
});

test('dropout without dense layers is an options error at /options/dropout (it would have no effect)', async () => {
  for (const type of ['image/cnn', 'image/pretrained']) {
    const [options] = encoderConformanceChecks({ plugin: imageEncoders(), type, options: { model: 'backbone', dropout: 0.3 }, columns: ['path'], rows, invalidRows: [] });
    await assert.rejects(options.run(), /\/options\/dropout: has no effect without dense layers/, type);
  }
});
