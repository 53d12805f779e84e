import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readKerasArchive, writeKerasArchive } from '../format/keras-archive.js';
import { writeH5Bytes } from '../format/h5.js';
import { loadKerasModel } from './load-keras-model.js';
import { largestDifference, readFeatures } from './test-fixtures/features.js';

// Made by `python tools/keras-fixtures/make_backbones.py packages/keras/src/read/test-fixtures custom_cnn tiny_sequential nested`.
const fixtures = join(import.meta.dirname, 'test-fixtures');

test.before(() => tf.setBackend('cpu'));

for (const name of ['custom_cnn', 'tiny_sequential', 'nested']) {
  for (const format of ['.keras', '.h5']) {
    test(`${name}${format} gives Keras's features on the reference inputs (within 1e-4)`, async () => {
      const before = tf.memory().numTensors;
      const model = await loadKerasModel(join(fixtures, `${name}${format}`));
      const features = readFeatures(join(fixtures, `${name}.features.json`));
      const { difference, shape } = largestDifference(model, features);
      assert.deepEqual(shape, features.outputShape);
      assert.ok(difference < 1e-4, `largest difference ${difference}`);
      model.dispose();
      assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
    });
  }
}

test('the imported custom CNN keeps its layer names, classes and options', async () => {
  const model = await loadKerasModel(join(fixtures, 'custom_cnn.keras'));
  assert.deepEqual(model.layers.map((l) => l.name).slice(0, 5), ['pixels', 'scale', 'pad', 'stem_conv', 'stem_bn']);
  assert.equal(model.getLayer('stem_bn').getClassName(), 'PolymodalBatchNormalization');
  assert.equal(model.getLayer('stem_relu').getConfig().maxValue, 6);
  assert.deepEqual(model.getLayer('sep').weights.map((w) => w.shape), [[3, 3, 8, 1], [1, 1, 8, 8], [8]]);
  model.dispose();
  const nested = await loadKerasModel(join(fixtures, 'nested.h5'));
  assert.deepEqual(nested.layers.map((l) => l.name), ['input_layer', 'base_conv', 'base_bn', 'base_relu', 'pool', 'head'], 'the nested model is inlined');
  nested.dispose();
});

/** A copy of the custom CNN .keras with its config changed by `edit`. */
function editedArchive(dir: string, edit: (layers: { class_name: string; name: string; config: Record<string, unknown> }[]) => void): string {
  const archive = readKerasArchive(readFileSync(join(fixtures, 'custom_cnn.keras')));
  edit((archive.config as { config: { layers: never[] } }).config.layers);
  const path = join(dir, 'edited.keras');
  writeFileSync(path, writeKerasArchive(archive));
  return path;
}

test('unsupported layers and options are named with their class and what to do', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-keras-'));
  try {
    const lambda = editedArchive(dir, (layers) => {
      Object.assign(layers[2], { class_name: 'Lambda', config: { name: 'pad', function: { class_name: '__lambda__' } } });
    });
    await assert.rejects(loadKerasModel(lambda), (error: Error & { details?: { hint?: string }; exitCode?: number }) => {
      assert.match(error.message, /edited\.keras: layer "pad" \(Lambda\): Lambda layers hold Python code/);
      assert.match(error.details?.hint ?? '', /without it.*tensorflowjs_converter/s);
      assert.equal(error.exitCode, 2);
      return true;
    });
    const grouped = editedArchive(dir, (layers) => {
      layers[3].config.groups = 2;
    });
    await assert.rejects(loadKerasModel(grouped), /layer "stem_conv" \(Conv2D\): option groups=2 is not supported/);
    const hardSigmoid = editedArchive(dir, (layers) => {
      layers[8].config.activation = 'hard_sigmoid';
    });
    await assert.rejects(loadKerasModel(hardSigmoid), /layer "dw_relu" \(Activation\): activation "hard_sigmoid" has no exact tfjs equivalent/);
    const custom = editedArchive(dir, (layers) => {
      layers[5].class_name = 'MyBlock';
    });
    await assert.rejects(loadKerasModel(custom), /layer "stem_relu" \(MyBlock\): this layer class is not supported \(supported: InputLayer, Conv2D/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('files that are not Keras models are explained', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-keras-'));
  try {
    writeFileSync(join(dir, 'notes.keras'), 'hello');
    await assert.rejects(loadKerasModel(join(dir, 'notes.keras')), /notes\.keras: the file is neither a Keras 3 \.keras archive \(a zip\) nor an HDF5 \.h5 file/);
    await assert.rejects(loadKerasModel(join(dir, 'missing.h5')), /missing\.h5: cannot read the file \(ENOENT\)/);
    writeFileSync(join(dir, 'weights-only.h5'), await writeH5Bytes((file) => file.create_group('dense')));
    await assert.rejects(loadKerasModel(join(dir, 'weights-only.h5')), /holds weights only \(saved with save_weights\)/);
    const archive = readKerasArchive(readFileSync(join(fixtures, 'custom_cnn.keras')));
    writeFileSync(join(dir, 'no-weights.keras'), writeKerasArchive({ ...archive, weights: await writeH5Bytes(() => {}) }));
    await assert.rejects(loadKerasModel(join(dir, 'no-weights.keras')), /the weights have nothing for layer "stem_conv" \(Conv2D\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
