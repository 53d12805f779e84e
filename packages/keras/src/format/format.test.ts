import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFloatDataset, readH5Bytes, stringAttribute, stringListAttribute, writeFloatDataset, writeH5Bytes, datasetAt, groupAt } from './h5.js';
import { isZip, readKerasArchive, writeKerasArchive } from './keras-archive.js';
import { keras3LayerGroups, toSnakeCase } from './keras-weights.js';
import { kerasClassOf, tfjsClassOf } from './layer-classes.js';
import { dtypeName, dtypePolicy, unwrapKerasObject } from './keras-objects.js';

const fixture = join(import.meta.dirname, '..', 'read', 'test-fixtures', 'custom_cnn.keras');

test('toSnakeCase and keras3LayerGroups name weight groups as Keras 3 does (checked on a file Keras wrote)', async () => {
  assert.deepEqual(['Conv2D', 'ReLU', 'InputLayer', 'GlobalAveragePooling2D', 'LSTM', 'MultiHeadAttention'].map(toSnakeCase),
    ['conv2d', 're_lu', 'input_layer', 'global_average_pooling2d', 'lstm', 'multi_head_attention']);
  const archive = readKerasArchive(readFileSync(fixture));
  const layers = (archive.config as { config: { layers: { class_name: string; name: string }[] } }).config.layers;
  const fromFile = await readH5Bytes(archive.weights, (file) => {
    const group = groupAt(file, 'layers')!;
    return new Map(group.keys().map((key) => [key, stringAttribute(groupAt(group, `${key}/vars`)!, 'name')]));
  });
  const derived = keras3LayerGroups(layers.map((l) => l.class_name));
  assert.deepEqual(new Map(derived.map((group, i) => [group, layers[i].name])), fromFile);
});

test('HDF5 bytes round-trip: float datasets, string and string-list attributes', async () => {
  const bytes = await writeH5Bytes((file) => {
    const group = file.create_group('layer');
    writeFloatDataset(group, 'kernel', { shape: [2, 3], values: Float32Array.of(1, 2, 3, 4, 5, 6.5) });
    group.create_attribute('name', 'conv');
    group.create_attribute('weight_names', ['conv/kernel', 'conv/bias']);
  });
  await readH5Bytes(bytes, (file) => {
    const group = groupAt(file, 'layer')!;
    assert.deepEqual(readFloatDataset(datasetAt(group, 'kernel')!), { shape: [2, 3], values: Float32Array.of(1, 2, 3, 4, 5, 6.5) });
    assert.equal(stringAttribute(group, 'name'), 'conv');
    assert.deepEqual(stringListAttribute(group, 'weight_names'), ['conv/kernel', 'conv/bias']);
    assert.equal(groupAt(file, 'nothing'), null);
  });
});

test('a .keras archive round-trips through writeKerasArchive', () => {
  const archive = readKerasArchive(readFileSync(fixture));
  const again = readKerasArchive(writeKerasArchive(archive));
  assert.ok(isZip(writeKerasArchive(archive)));
  assert.deepEqual(again.config, archive.config);
  assert.deepEqual(again.metadata, archive.metadata);
  assert.deepEqual(again.weights, archive.weights);
  assert.throws(() => readKerasArchive(writeKerasArchive({ ...archive, weights: new Uint8Array() }).subarray(0, 30)));
});

test('class-name twins and serialized objects in Keras 3 and legacy forms', () => {
  assert.equal(tfjsClassOf('Functional'), 'Model');
  assert.equal(kerasClassOf('Model'), 'Functional');
  assert.equal(tfjsClassOf('Conv2D'), 'Conv2D');
  assert.equal(tfjsClassOf('Lambda'), undefined);
  assert.equal(kerasClassOf('PolymodalBatchNormalization'), 'BatchNormalization');
  assert.equal(dtypeName(dtypePolicy('float32')), 'float32');
  assert.equal(dtypeName('float16'), 'float16');
  assert.deepEqual(unwrapKerasObject({ class_name: 'L2', config: { l2: 0.1 } }), { className: 'L2', config: { l2: 0.1 } });
  assert.equal(unwrapKerasObject(null), null);
});
