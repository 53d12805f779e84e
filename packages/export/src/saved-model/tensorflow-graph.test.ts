// The SavedModel's structure as TensorFlow reads it (decoded back with the same descriptor), and tensorflowGraph()
// declining where it cannot run. Running the graph needs tfjs-node: test/backend-tensorflow.test.ts does that, and
// Python TensorFlow runs every example's SavedModel in export-model.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import protobuf from 'protobufjs';
import { selectBackend } from '@polymodal/core';
import { lowerLayersModel } from '../lower/lower-model.js';
import { emitSavedModel, SERVING_SIGNATURE } from './emit-saved-model.js';
import { SAVED_MODEL_SCHEMA } from './saved-model-schema.js';
import { tensorflowGraph } from './tensorflow-graph.js';
import { pluginLayerClass } from '../test-fixtures/plugin-layers.js';

type Decoded = {
  metaGraphs: {
    metaInfoDef: { tags: string[] };
    graphDef: { node: { name: string; op: string; input: string[]; attr: Record<string, { tensor?: { tensorContent?: string }; f?: number; b?: boolean }> }[] };
    signatureDef: Record<string, { inputs: Record<string, { name: string; dtype: string; tensorShape: { dim: { size: string }[] } }>; outputs: Record<string, { name: string }>; methodName: string }>;
  }[];
};

async function seedLikeModel(): Promise<tf.LayersModel> {
  const LSTM = await pluginLayerClass('@polymodal/encoder-text', 'PolymodalLSTM');
  const image = tf.input({ shape: [8, 8, 3], name: 'image' });
  const tokens = tf.input({ shape: [6], name: 'text', dtype: 'int32' });
  const pictures = tf.layers.flatten().apply(tf.layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu' }).apply(image)) as tf.SymbolicTensor;
  const embedded = tf.layers.embedding({ inputDim: 20, outputDim: 4 }).apply(tokens) as tf.SymbolicTensor;
  const words = new LSTM({ units: 3 }).apply(embedded) as tf.SymbolicTensor;
  const joined = tf.layers.concatenate().apply([pictures, words]) as tf.SymbolicTensor;
  return tf.model({ inputs: [image, tokens], outputs: tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'output' }).apply(joined) as tf.SymbolicTensor });
}

test('saved_model.pb: one meta graph tagged serve, a serving_default signature over the inputs and output, weights frozen, the LSTM one BlockLSTMV2', async () => {
  const model = await seedLikeModel();
  const ir = lowerLayersModel(model);
  const { bytes, opCounts } = emitSavedModel(ir);
  const type = protobuf.Root.fromJSON(SAVED_MODEL_SCHEMA as unknown as protobuf.INamespace).lookupType('tensorflow.SavedModel');
  const decoded = type.toObject(type.decode(bytes), { enums: String, longs: String, bytes: String, arrays: true }) as Decoded;
  assert.equal(decoded.metaGraphs.length, 1);
  const [meta] = decoded.metaGraphs;
  assert.deepEqual(meta!.metaInfoDef.tags, ['serve']);
  const signature = meta!.signatureDef[SERVING_SIGNATURE]!;
  assert.equal(signature.methodName, 'tensorflow/serving/predict');
  assert.deepEqual(Object.keys(signature.inputs), ['image', 'text']);
  assert.deepEqual(signature.inputs['text'], { name: 'text:0', dtype: 'DT_INT32', tensorShape: { dim: [{ size: '-1' }, { size: '6' }] } });
  assert.deepEqual(Object.values(signature.outputs).map((o) => o.name), [`${ir.outputs[0]!.name}:0`]);
  const nodes = meta!.graphDef.node;
  const names = new Set(nodes.map((node) => node.name));
  for (const node of nodes) for (const input of node.input) assert.ok(names.has(input.split(':')[0]!), `${node.name} reads ${input}, which no node is`);
  // Every weight is in its Const node (no variables/ checkpoint): kernel bytes included.
  const weights = model.getWeights().reduce((sum, w) => sum + w.size * 4, 0);
  const frozen = nodes.filter((node) => node.op === 'Const').reduce((sum, node) => sum + Buffer.from(node.attr['value']!.tensor!.tensorContent ?? '', 'base64').length, 0);
  assert.ok(frozen >= weights, `${frozen} bytes of constants for ${weights} bytes of weights`);
  assert.equal(opCounts['BlockLSTMV2'], 1);
  const lstm = nodes.find((node) => node.op === 'BlockLSTMV2')!;
  assert.equal(lstm.input.length, 9);
  assert.equal(lstm.attr['use_peephole']!.b ?? false, false);
  model.dispose();
});

test('tensorflowGraph() serves the tensorflow backend only, and on a backend without SavedModel support declines with the reason', async () => {
  const compiler = tensorflowGraph();
  assert.equal(compiler.name, 'tensorflow-graph');
  assert.deepEqual(compiler.backends, ['tensorflow']);
  const backend = await selectBackend('cpu');
  const model = await seedLikeModel();
  assert.deepEqual(await compiler.compile(model, backend), { skipped: 'the cpu backend cannot run TensorFlow graphs (it has no tfjs-node SavedModel support)' });
  model.dispose();
});
