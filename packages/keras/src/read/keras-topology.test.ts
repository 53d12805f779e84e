import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readKerasArchive } from '../format/keras-archive.js';
import * as tf from '@tensorflow/tfjs';
import { kerasToTfjsTopology } from './keras-topology.js';
import { buildModel, readLegacyWeightsFile } from './load-keras-model.js';
import { largestDifference, readFeatures } from './test-fixtures/features.js';

const fixtures = join(import.meta.dirname, 'test-fixtures');
const keras3Config = () => readKerasArchive(readFileSync(join(fixtures, 'custom_cnn.keras'))).config as {
  config: { layers: { class_name: string; config: Record<string, unknown>; inbound_nodes: unknown[]; module?: string }[]; input_layers: unknown; output_layers: unknown };
};

/** The same model written the way Keras 2 / tf.keras wrote it: no module, dtype strings, list-form inbound nodes. */
function asKeras2(config: ReturnType<typeof keras3Config>) {
  for (const layer of config.config.layers) {
    delete layer.module;
    if (typeof layer.config.dtype === 'object') layer.config.dtype = 'float32';
    layer.inbound_nodes = layer.inbound_nodes.map((node) => {
      const { args } = node as { args: unknown[] };
      return args.flatMap((a) => (Array.isArray(a) ? a : [a])).map((t) => [...(t as { config: { keras_history: unknown[] } }).config.keras_history, {}]);
    });
  }
  config.config.input_layers = [config.config.input_layers];
  config.config.output_layers = [config.config.output_layers];
  return config;
}

test('Keras 3 and Keras 2 forms of one model translate to the same tfjs topology', () => {
  const fromKeras3 = kerasToTfjsTopology(keras3Config(), 'm.keras');
  const fromKeras2 = kerasToTfjsTopology(asKeras2(keras3Config()), 'm.keras');
  assert.deepEqual(fromKeras2, fromKeras3);
  const add = fromKeras3.config.layers.find((l) => l.name === 'residual')!;
  assert.deepEqual(add.inbound_nodes, [[['stem_relu', 0, 0, {}], ['dw_relu', 0, 0, {}]]]);
  assert.deepEqual(fromKeras3.config.input_layers, [['pixels', 0, 0]]);
});

test('inputShape fills unknown input dimensions and refuses conflicting ones', () => {
  const config = keras3Config();
  config.config.layers[0].config.batch_shape = [null, null, null, 3];
  const topology = kerasToTfjsTopology(config, 'm.keras', { inputShape: [32, 32, 3] });
  assert.deepEqual(topology.config.layers[0].config.batch_input_shape, [null, 32, 32, 3]);
  assert.throws(() => kerasToTfjsTopology(keras3Config(), 'm.keras', { inputShape: [32, 32, 3] }),
    /layer "pixels" \(InputLayer\): the model takes inputs of shape \[null, 16, 16, 3\], not \[null, 32, 32, 3\]/);
});

test('a nested model is inlined once; clashing names and non-tensor call arguments are refused by name', () => {
  const outer = readKerasArchive(readFileSync(join(fixtures, 'nested.keras'))).config as { config: { layers: { config: { layers: { name: string; config: { name: string } }[] } }[] } };
  const topology = kerasToTfjsTopology(outer, 'nested.keras');
  assert.deepEqual(topology.config.layers.find((l) => l.name === 'base_conv')!.inbound_nodes, [[[topology.config.layers[0].name, 0, 0, {}]]]);
  assert.deepEqual(topology.config.layers.find((l) => l.name === 'pool')!.inbound_nodes, [[['base_relu', 0, 0, {}]]]);
  const inner = outer.config.layers[1].config.layers;
  Object.assign(inner[2], { name: 'pool' });
  inner[2].config.name = 'pool';
  assert.throws(() => kerasToTfjsTopology(outer, 'nested.keras'), /nested\.keras: layer "pool" \(.*\): two layers have this name once nested models are inlined/);
  const kwargs = keras3Config();
  (kwargs.config.layers[4].inbound_nodes[0] as { kwargs: object }).kwargs = { mask: 'x' };
  assert.throws(() => kerasToTfjsTopology(kwargs, 'm.keras'), /the layer is called with mask="x"/);
  assert.throws(() => kerasToTfjsTopology({ class_name: 'MyModel', config: {} }, 'm.keras'), /the model is a MyModel, not a Functional or Sequential model/);
});

test('a Keras 2 Sequential config (no InputLayer entry, batch_input_shape on its first layer) builds the same model', async () => {
  await tf.setBackend('cpu');
  const config = readKerasArchive(readFileSync(join(fixtures, 'tiny_sequential.keras'))).config as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
  const [input, first] = config.config.layers.splice(0, 2);
  config.config.layers.unshift({ ...first, config: { ...first.config, batch_input_shape: input.config.batch_shape } });
  const topology = kerasToTfjsTopology({ class_name: 'Sequential', config: { name: 'seq', layers: config.config.layers } }, 'seq.h5');
  assert.deepEqual(topology.config.layers.map((l) => l.class_name), ['InputLayer', 'Conv2D', 'PolymodalBatchNormalization', 'Flatten', 'Dense']);
  const model = await buildModel(topology, await readLegacyWeightsFile(join(fixtures, 'tiny_sequential.h5')), 'seq.h5');
  assert.ok(largestDifference(model, readFeatures(join(fixtures, 'tiny_sequential.features.json'))).difference < 1e-4);
  model.dispose();
  const quantized = keras3Config();
  quantized.config.layers[3].config.dtype = { module: 'keras', class_name: 'QuantizedDTypePolicy', config: { name: 'int8_from_float32' } };
  assert.throws(() => kerasToTfjsTopology(quantized, 'm.keras'), /layer "stem_conv" \(Conv2D\): quantized layers \(dtype policy int8_from_float32\)/);
});
