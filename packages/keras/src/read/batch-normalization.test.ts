import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { PolymodalBatchNormalization } from './batch-normalization.js';

test('a frozen PolymodalBatchNormalization normalises with its moving statistics while training and keeps them; a trainable one uses the batch\'s', async () => {
  await tf.setBackend('cpu');
  const run = async (trainable: boolean) => {
    const input = tf.input({ shape: [2] });
    const bn = new PolymodalBatchNormalization({ name: `bn_${trainable}`, trainable });
    const output = tf.layers.dense({ units: 1, kernelInitializer: 'ones' }).apply(bn.apply(input)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    bn.setWeights([tf.ones([2]), tf.zeros([2]), tf.tensor([10, -10]), tf.tensor([4, 9])]);
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const xs = tf.tensor([[12, -7], [8, -13], [10, -10], [14, -4]]);
    await model.fit(xs, tf.zeros([4, 1]), { epochs: 1, batchSize: 4, verbose: 0 });
    const [, , mean, variance] = bn.getWeights().map((w) => Array.from(w.dataSync()));
    const moved = mean[0] !== 10 || variance[1] !== 9;
    tf.dispose(xs);
    model.dispose();
    return moved;
  };
  assert.equal(await run(false), false, 'frozen: moving statistics unchanged by training');
  assert.equal(await run(true), true, 'trainable: tfjs (and Keras) update them from the batch');
});

test('PolymodalBatchNormalization round-trips through tfjs serialization under its own class name', () => {
  const layer = new PolymodalBatchNormalization({ name: 'bn', epsilon: 0.01 });
  assert.equal(layer.getClassName(), 'PolymodalBatchNormalization');
  const copy = tf.serialization.SerializationMap.getMap().classNameMap.PolymodalBatchNormalization[0];
  assert.equal(copy, PolymodalBatchNormalization);
  assert.equal((layer.getConfig() as { epsilon: number }).epsilon, 0.01);
});
