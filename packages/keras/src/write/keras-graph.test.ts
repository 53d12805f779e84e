import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyGroup, kerasLayerOrder, type CallArgument, type KerasGraph, type KerasLayer, type TensorRef } from './keras-graph.js';

const ref = (layer: string): TensorRef => ({ layer, node: 0, tensor: 0, shape: [null, 1], dtype: 'float32' });

function layer(name: string, className: string, ...args: CallArgument[]): KerasLayer {
  return { name, className, config: {}, trainable: true, calls: className === 'InputLayer' ? [] : [{ args }], weights: emptyGroup(name) };
}

test('layers come in the order Keras 3.15 saved them for the same graph', () => {
  // keras.Model([title, figures, img], output) built in Keras 3.15.1; its config.json listed the layers as below.
  const layers = [
    layer('title', 'InputLayer'),
    layer('figures', 'InputLayer'),
    layer('img', 'InputLayer'),
    layer('emb', 'Embedding', ref('title')),
    layer('lstm', 'LSTM', ref('emb')),
    layer('gru', 'GRU', ref('emb')),
    layer('mha', 'MultiHeadAttention', ref('emb'), ref('emb')),
    layer('ln', 'LayerNormalization', ref('mha')),
    layer('gap', 'GlobalAveragePooling1D', ref('ln')),
    layer('dense', 'Dense', ref('figures')),
    layer('conv', 'Conv2D', ref('img')),
    layer('bn', 'BatchNormalization', ref('conv')),
    layer('pool', 'MaxPooling2D', ref('bn')),
    layer('flat', 'Flatten', ref('pool')),
    layer('drop', 'Dropout', ref('flat')),
    layer('cat', 'Concatenate', [ref('lstm'), ref('gru'), ref('gap'), ref('dense'), ref('drop')]),
    layer('output', 'Dense', ref('cat')),
  ];
  const graph: KerasGraph = { name: 'small', layers, inputs: [ref('title'), ref('figures'), ref('img')], outputs: [ref('output')] };
  assert.deepEqual(kerasLayerOrder(graph).map((l) => l.name), [
    'img', 'title', 'conv', 'emb', 'bn', 'mha', 'pool', 'ln', 'figures', 'flat', 'lstm', 'gru', 'gap', 'dense', 'drop', 'cat', 'output',
  ]);
});

test('an input the outputs do not use gets depth 0 and comes first among depth 0 (Keras 3.15: a, unused, d)', () => {
  const layers = [layer('a', 'InputLayer'), layer('unused', 'InputLayer'), layer('d', 'Dense', ref('a'))];
  const graph: KerasGraph = { name: 'm', layers, inputs: [ref('a'), ref('unused')], outputs: [ref('d')] };
  assert.deepEqual(kerasLayerOrder(graph).map((l) => l.name), ['a', 'unused', 'd']);
});

test('a layer is placed at its deepest use (a residual connection)', () => {
  const layers = [
    layer('x', 'InputLayer'),
    layer('d1', 'Dense', ref('x')),
    layer('d2', 'Dense', ref('d1')),
    layer('add', 'Add', [ref('d1'), ref('d2')]),
  ];
  const graph: KerasGraph = { name: 'm', layers, inputs: [ref('x')], outputs: [ref('add')] };
  assert.deepEqual(kerasLayerOrder(graph).map((l) => l.name), ['x', 'd1', 'd2', 'add']);
});
