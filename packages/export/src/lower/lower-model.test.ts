import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { isPolymodalError } from '@polymodal/core';
import { lowerLayersModel } from './lower-model.js';

const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor) => layer.apply(x) as tf.SymbolicTensor;

function refusal(model: tf.LayersModel): string {
  try {
    lowerLayersModel(model);
  } catch (error) {
    assert.ok(isPolymodalError(error), String(error));
    assert.equal(error.details.exitCode, 2);
    return `${error.message} | ${error.details.hint}`;
  }
  assert.fail('the model was lowered');
}

test('a layer without a lowering is refused by name and class, with the supported list and what to do', () => {
  const input = tf.input({ shape: [3, 2] });
  const message = refusal(tf.model({ inputs: input, outputs: apply(tf.layers.simpleRNN({ units: 2, name: 'plain_rnn' }), input) }));
  assert.match(message, /layer "plain_rnn" of class SimpleRNN has no ONNX/);
  assert.match(message, /Supported layers: Dense, .*PolymodalLSTM/);
  assert.match(message, /--format keras/);
});

test('options a lowering cannot reproduce are refused with the layer and the option', () => {
  const ids = tf.input({ shape: [4] });
  assert.match(refusal(tf.model({ inputs: ids, outputs: apply(tf.layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true, name: 'masked' }), ids) })), /"masked" \(Embedding\): maskZero/);
  const x = tf.input({ shape: [3] });
  assert.match(refusal(tf.model({ inputs: x, outputs: apply(tf.layers.dense({ units: 2, activation: 'hardSigmoid', name: 'hard' }), x) })), /layer "hard": the activation "hardSigmoid" cannot be exported/);
  const image = tf.input({ shape: [4, 4, 2] });
  assert.match(refusal(tf.model({ inputs: image, outputs: apply(tf.layers.batchNormalization({ axis: 1, name: 'rows' }), image) })), /"rows" \(BatchNormalization\): normalisation over axis 1/);
});

test('the graph names its inputs and outputs after the model, and every value has a static shape but the batch', () => {
  const input = tf.input({ shape: [2, 3], name: 'features' });
  const output = apply(tf.layers.dense({ units: 1, name: 'output' }), apply(tf.layers.flatten({ name: 'output_flat' }), input));
  const ir = lowerLayersModel(tf.model({ inputs: input, outputs: output }));
  assert.deepEqual(ir.inputs.map((v) => [v.name, v.shape]), [['features', [-1, 2, 3]]]);
  assert.deepEqual(ir.outputs.map((v) => [v.name, v.shape]), [['output', [-1, 1]]]);
  for (const value of ir.values.values()) assert.ok(value.shape.slice(1).every((d) => d > 0) || ir.constants.has(value.name), value.name);
});
