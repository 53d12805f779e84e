import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { assertExportsMatch, randomInputs } from '../test-fixtures/compare.js';
import { pluginLayerClass } from '../test-fixtures/plugin-layers.js';

/** Random weights with a spread large enough to reach the gates' non-linear range. */
function randomizeWeights(model: tf.LayersModel): void {
  model.layers.forEach((layer, i) => layer.setWeights(layer.getWeights().map((w, j) => tf.randomNormal(w.shape, 0, 0.6, 'float32', 10 * i + j))));
}

for (const className of ['PolymodalLSTM', 'PolymodalGRU']) {
  test(`${className}: last state and sequences, forwards and backwards (ONNX ${className === 'PolymodalLSTM' ? 'LSTM' : 'GRU'}, unrolled in the graph model)`, async () => {
    const Layer = await pluginLayerClass('@polymodal/encoder-text', className);
    const input = tf.input({ shape: [6, 4], name: 'tokens' });
    const outputs = [false, true].flatMap((goBackwards) => [false, true].map((returnSequences) => {
      const y = new Layer({ units: 5, goBackwards, returnSequences, implementation: 'ops' }).apply(input) as tf.SymbolicTensor;
      return returnSequences ? (tf.layers.flatten().apply(y) as tf.SymbolicTensor) : y;
    }));
    const model = tf.model({ inputs: input, outputs });
    randomizeWeights(model);
    await assertExportsMatch(model, randomInputs(model));
  });
}

test('PolymodalGRU resetAfter: false: last state and sequences, forwards and backwards (ONNX GRU with linear_before_reset 0, unrolled in the graph model)', async () => {
  const Layer = await pluginLayerClass('@polymodal/encoder-text', 'PolymodalGRU');
  const input = tf.input({ shape: [6, 4], name: 'tokens' });
  const outputs = [false, true].flatMap((goBackwards) => [false, true].map((returnSequences) => {
    const y = new Layer({ units: 5, resetAfter: false, goBackwards, returnSequences, implementation: 'ops' }).apply(input) as tf.SymbolicTensor;
    return returnSequences ? (tf.layers.flatten().apply(y) as tf.SymbolicTensor) : y;
  }));
  const model = tf.model({ inputs: input, outputs });
  randomizeWeights(model);
  await assertExportsMatch(model, randomInputs(model));
});

test('stacked recurrent layers after an embedding, as text/lstm builds them', async () => {
  const LSTM = await pluginLayerClass('@polymodal/encoder-text', 'PolymodalLSTM');
  const GRU = await pluginLayerClass('@polymodal/encoder-text', 'PolymodalGRU');
  const ids = tf.input({ shape: [7], name: 'ids' });
  let x = tf.layers.embedding({ inputDim: 20, outputDim: 6 }).apply(ids) as tf.SymbolicTensor;
  x = new LSTM({ units: 4, returnSequences: true }).apply(x) as tf.SymbolicTensor;
  x = new GRU({ units: 3, resetAfter: false, returnSequences: true }).apply(x) as tf.SymbolicTensor;
  x = new GRU({ units: 3 }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: ids, outputs: tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(x) as tf.SymbolicTensor });
  randomizeWeights(model);
  await assertExportsMatch(model, [tf.floor(tf.randomUniform([4, 7], 0, 20, 'float32', 5))]);
});
