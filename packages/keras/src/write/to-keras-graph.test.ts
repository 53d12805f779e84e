import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { isPolymodalError, PolymodalMultiHeadAttention, PolymodalPositionalEmbedding, PolymodalTransformerEncoderBlock } from '@polymodal/core';
import { kerasModelConfig } from './keras-config.js';
import { kerasLayerOrder } from './keras-graph.js';
import { toKerasGraph } from './to-keras-graph.js';

type Entry = { class_name: string; name: string; module: string; registered_name: unknown; config: Record<string, unknown>; inbound_nodes: { args: unknown[]; kwargs: Record<string, unknown> }[] };

function configOf(model: tf.LayersModel): { config: { layers: Entry[]; input_layers: unknown; output_layers: unknown }; class_name: string; module: string } {
  const graph = toKerasGraph(model);
  return kerasModelConfig(graph, kerasLayerOrder(graph)) as never;
}

function twoInputModel(): tf.LayersModel {
  const tokens = tf.input({ shape: [6], dtype: 'int32', name: 'tokens' });
  const numbers = tf.input({ shape: [3], name: 'numbers' });
  const embedded = tf.layers.embedding({ inputDim: 20, outputDim: 4, name: 'embed' }).apply(tokens) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling1d({ name: 'pool' }).apply(embedded) as tf.SymbolicTensor;
  const hidden = tf.layers.dense({ units: 5, activation: 'relu', name: 'hidden' }).apply(numbers) as tf.SymbolicTensor;
  const joined = tf.layers.concatenate({ name: 'join' }).apply([pooled, hidden]) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'output' }).apply(joined) as tf.SymbolicTensor;
  return tf.model({ inputs: [tokens, numbers], outputs: output, name: 'two_inputs' });
}

test('config.json is a Keras 3 Functional with module, class_name, registered_name and args/kwargs nodes', () => {
  const model = twoInputModel();
  const saved = configOf(model);
  assert.equal(saved.class_name, 'Functional');
  assert.equal(saved.module, 'keras.src.models.functional');
  const byName = new Map(saved.config.layers.map((l) => [l.name, l]));
  assert.deepEqual(byName.get('tokens')!.config, { batch_shape: [null, 6], dtype: 'int32', sparse: false, ragged: false, optional: false, name: 'tokens' });
  const join = byName.get('join')!;
  assert.equal(join.module, 'keras.layers');
  assert.equal(join.registered_name, null);
  assert.deepEqual(join.inbound_nodes[0].args, [[
    { class_name: '__keras_tensor__', config: { shape: [null, 4], dtype: 'float32', keras_history: ['pool', 0, 0] } },
    { class_name: '__keras_tensor__', config: { shape: [null, 5], dtype: 'float32', keras_history: ['hidden', 0, 0] } },
  ]]);
  assert.deepEqual(byName.get('hidden')!.config.activation, 'relu');
  assert.deepEqual((byName.get('hidden')!.config.dtype as { class_name: string }).class_name, 'DTypePolicy');
  assert.deepEqual(saved.config.input_layers, [['tokens', 0, 0], ['numbers', 0, 0]]);
  assert.deepEqual(saved.config.output_layers, ['output', 0, 0]);
  model.dispose();
});

test('attention keeps Keras kernel shapes [D, H, K] and [H, V, O]; a Transformer block becomes its Keras layers', () => {
  const x = tf.input({ shape: [5, 8], name: 'x' });
  const attended = new PolymodalMultiHeadAttention({ numHeads: 2, keyDim: 3, name: 'mha' }).apply(x) as tf.SymbolicTensor;
  const block = new PolymodalTransformerEncoderBlock({ numHeads: 2, ffDim: 16, name: 'block' }).apply(attended) as tf.SymbolicTensor;
  const model = tf.model({ inputs: x, outputs: block });
  const graph = toKerasGraph(model);
  const mha = graph.layers.find((l) => l.name === 'mha')!;
  assert.equal(mha.className, 'MultiHeadAttention');
  const children = new Map(mha.weights.children);
  assert.deepEqual(children.get('query_dense')!.vars.map((v) => v.shape), [[8, 2, 3], [2, 3]]);
  assert.deepEqual(children.get('output_dense')!.vars.map((v) => v.shape), [[2, 3, 8], [8]]);
  assert.deepEqual(mha.calls[0].args.map((a) => (a as { layer: string }).layer), ['x', 'x']);
  const blockLayers = graph.layers.filter((l) => l.name.startsWith('block_')).map((l) => `${l.name}:${l.className}`);
  assert.deepEqual(blockLayers, [
    'block_self_attention:MultiHeadAttention', 'block_attention_dropout:Dropout', 'block_attention_add:Add', 'block_attention_norm:LayerNormalization',
    'block_ffn_intermediate:Dense', 'block_ffn_output:Dense', 'block_ffn_dropout:Dropout', 'block_ffn_add:Add', 'block_ffn_norm:LayerNormalization',
  ]);
  assert.deepEqual(graph.outputs.map((o) => o.layer), ['block_ffn_norm']);
  const ffn = graph.layers.find((l) => l.name === 'block_ffn_intermediate')!;
  assert.deepEqual(ffn.weights.vars.map((v) => v.shape), [[8, 16], [16]]);
  model.dispose();
});

test('a layer without a Keras twin is refused by name with what to do', () => {
  const x = tf.input({ shape: [4, 6], name: 'x' });
  const positioned = new PolymodalPositionalEmbedding({ sequenceLength: 4, name: 'positions' }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: x, outputs: positioned });
  assert.throws(() => toKerasGraph(model), (error: unknown) => {
    assert.ok(isPolymodalError(error));
    assert.match(error.message, /layer "positions" \(PolymodalPositionalEmbedding\)/);
    assert.match(error.describe(), /--format onnx/);
    assert.equal(error.exitCode, 2);
    return true;
  });
  model.dispose();
});

test('an option Keras computes differently is refused: tfjs hardSigmoid', () => {
  const x = tf.input({ shape: [3], name: 'x' });
  const y = tf.layers.dense({ units: 2, activation: 'hardSigmoid', name: 'gate' }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: x, outputs: y });
  assert.throws(() => toKerasGraph(model), /layer "gate" \(Dense\): activation tfjs's hardSigmoid/);
  model.dispose();
});

test('an unknown layer class lists the classes that export', () => {
  const x = tf.input({ shape: [3], name: 'x' });
  const y = tf.layers.gaussianNoise({ stddev: 0.1, name: 'noise' }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: x, outputs: y });
  assert.throws(() => toKerasGraph(model), (error: unknown) => {
    assert.ok(isPolymodalError(error));
    assert.match(error.message, /layer "noise" \(GaussianNoise\) has no Keras 3 equivalent/);
    assert.match(error.describe(), /Dense, Dropout/);
    return true;
  });
  model.dispose();
});

test('a model used as a layer (a cut backbone) is written inline, wired to the call inputs', () => {
  const pixels = tf.input({ shape: [6, 6, 3], name: 'pixels' });
  const conv = tf.layers.conv2d({ filters: 2, kernelSize: 3, name: 'stem_conv' }).apply(pixels) as tf.SymbolicTensor;
  const top = tf.layers.flatten({ name: 'top_flatten' }).apply(conv) as tf.SymbolicTensor;
  const full = tf.model({ inputs: pixels, outputs: top });
  const backbone = tf.model({ inputs: full.inputs, outputs: conv, name: 'photo_backbone' });
  const image = tf.input({ shape: [6, 6, 3], name: 'photo' });
  const pooled = tf.layers.globalAveragePooling2d({ name: 'photo_pool' }).apply(backbone.apply(image) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const model = tf.model({ inputs: image, outputs: pooled });
  const graph = toKerasGraph(model);
  assert.deepEqual(graph.layers.map((l) => l.name), ['photo', 'stem_conv', 'photo_pool']);
  const stem = graph.layers[1];
  assert.equal(stem.calls.length, 1, 'the node from the full backbone is left out');
  assert.equal((stem.calls[0].args[0] as { layer: string }).layer, 'photo');
  assert.equal((graph.layers[2].calls[0].args[0] as { layer: string }).layer, 'stem_conv');
  model.dispose(); // also the backbone's (and so the full model's) weights
});
