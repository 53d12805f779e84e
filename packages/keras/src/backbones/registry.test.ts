import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { kerasToTfjsTopology } from '../read/keras-topology.js';
import { withPreprocessing, PREPROCESS_LAYER } from './preprocessing.js';
import { BACKBONES } from './registry.js';

const architectures = join(import.meta.dirname, '..', '..', 'architectures');

test('every registered backbone\'s bundled architecture builds in tfjs at a small size, with its default cut layer', async () => {
  await tf.setBackend('cpu');
  for (const entry of BACKBONES.values()) {
    const config = JSON.parse(gunzipSync(readFileSync(join(architectures, `${entry.architecture}.json.gz`))).toString('utf8'));
    const { topology } = withPreprocessing(kerasToTfjsTopology(config, entry.name, { inputShape: [64, 64, 3] }), entry.preprocessing);
    const model = await tf.models.modelFromJSON({ modelTopology: topology as never });
    assert.equal(model.layers[1].name, PREPROCESS_LAYER, entry.name);
    const cut = model.getLayer(entry.defaultLayer);
    assert.equal((cut.outputShape as number[]).length, 4, `${entry.name}: ${entry.defaultLayer} is a feature map`);
    assert.equal(model.outputs[0].shape.at(-1), Number(/(\d+) features/.exec(entry.description)![1]), entry.name);
    assert.match(entry.weights.path, /^[a-z0-9_]+\/[a-z0-9_.]+\.h5$/);
    model.dispose();
  }
});

test('"tf" preprocessing maps [0, 1] to [-1, 1]; "caffe" to BGR 0..255 minus the means', async () => {
  const topology = {
    class_name: 'Model' as const,
    config: { name: 'm', layers: [{ class_name: 'InputLayer', name: 'in', config: { name: 'in', batch_input_shape: [null, 1, 1, 3], dtype: 'float32' }, inbound_nodes: [] }], input_layers: [['in', 0, 0] as [string, number, number]], output_layers: [[PREPROCESS_LAYER, 0, 0] as [string, number, number]] },
  };
  const pixel = tf.tensor([0.2, 0.5, 1], [1, 1, 1, 3]);
  const tfMode = await tf.models.modelFromJSON({ modelTopology: withPreprocessing(topology, { mode: 'tf' }).topology as never });
  assert.deepEqual(Array.from((tfMode.predict(pixel) as tf.Tensor).dataSync()).map((v) => Number(v.toFixed(5))), [-0.6, 0, 1]);
  const caffe = withPreprocessing(topology, { mode: 'caffe', meanBgr: [100, 110, 120] });
  const caffeModel = await tf.models.modelFromJSON({ modelTopology: caffe.topology as never });
  const [kernel, bias] = caffe.weights.get(PREPROCESS_LAYER)!;
  caffeModel.getLayer(PREPROCESS_LAYER).setWeights([tf.tensor(kernel.values, kernel.shape), tf.tensor(bias.values, bias.shape)]);
  assert.deepEqual(Array.from((caffeModel.predict(pixel) as tf.Tensor).dataSync()).map((v) => Number(v.toFixed(3))), [255 - 100, 127.5 - 110, 51 - 120]);
});
