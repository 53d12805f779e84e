// Small tfjs models with random weights that use every layer the Keras export maps (beyond what the examples
// use), for test/export-keras.test.ts: Keras must predict with them as tfjs does.
import * as tf from '@tensorflow/tfjs';
import { PolymodalMultiHeadAttention, PolymodalNullEmbedding, PolymodalTransformerEncoderBlock } from '@polymodal/core';
import textEncoders from '@polymodal/encoder-text';
import concatFusion from '@polymodal/fusion-concat';
import { PolymodalBatchNormalization } from '@polymodal/keras';

type LayerClass = new (args: Record<string, unknown>) => tf.layers.Layer;

function pluginLayer(plugin: typeof textEncoders, className: string): LayerClass {
  const layer = plugin().layers?.find((l) => (l as unknown as { className: string }).className === className);
  if (!layer) throw new Error(`the plugin has no layer ${className}`);
  return layer as unknown as LayerClass;
}

const textLayer = (className: string) => pluginLayer(textEncoders, className);

const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;

function recurrentModel(): tf.LayersModel {
  const PolymodalLSTM = textLayer('PolymodalLSTM');
  const PolymodalGRU = textLayer('PolymodalGRU');
  const tokens = tf.input({ shape: [7], dtype: 'int32', name: 'tokens' });
  const embedded = apply(tf.layers.embedding({ inputDim: 30, outputDim: 6, name: 'embedding' }), tokens);
  const sequence = apply(new PolymodalGRU({ units: 5, returnSequences: true, name: 'gru_1' }), embedded);
  const forwards = apply(new PolymodalLSTM({ units: 4, name: 'lstm_2' }), sequence);
  const backwards = apply(new PolymodalLSTM({ units: 4, goBackwards: true, name: 'lstm_2_backwards' }), sequence);
  const gru = apply(new PolymodalGRU({ units: 3, goBackwards: true, name: 'gru_backwards' }), embedded);
  const tfjsLstm = apply(tf.layers.lstm({ units: 3, recurrentActivation: 'sigmoid', name: 'tfjs_lstm' }), embedded);
  const tfjsGru = apply(tf.layers.gru({ units: 2, recurrentActivation: 'sigmoid', name: 'tfjs_gru' }), embedded);
  const joined = apply(tf.layers.concatenate({ name: 'bidirectional' }), [forwards, backwards, gru, tfjsLstm, tfjsGru]);
  const output = apply(tf.layers.dense({ units: 3, activation: 'softmax', name: 'output' }), joined);
  return tf.model({ inputs: tokens, outputs: output, name: 'recurrent' });
}

function attentionModel(): tf.LayersModel {
  const x = tf.input({ shape: [5, 8], name: 'sequence' });
  const v = tf.input({ shape: [8], name: 'vector' });
  const token = apply(tf.layers.reshape({ targetShape: [1, 8], name: 'vector_token' }), apply(tf.layers.dense({ units: 8, name: 'vector_projection' }), v));
  const tokens = apply(tf.layers.concatenate({ axis: 1, name: 'tokens' }), [x, token]);
  const attended = apply(new PolymodalMultiHeadAttention({ numHeads: 2, keyDim: 3, valueDim: 2, name: 'cross_attention' }), [tokens, x]);
  const causal = apply(new PolymodalMultiHeadAttention({ numHeads: 2, keyDim: 4, useCausalMask: true, name: 'causal_attention' }), attended);
  const normed = apply(tf.layers.layerNormalization({ name: 'norm' }), causal);
  const block = apply(new PolymodalTransformerEncoderBlock({ numHeads: 2, ffDim: 12, activation: 'gelu', name: 'block_1' }), normed);
  const block2 = apply(new PolymodalTransformerEncoderBlock({ numHeads: 4, keyDim: 2, ffDim: 6, name: 'block_2' }), block);
  const pooled = apply(tf.layers.globalMaxPooling1d({ name: 'pool' }), block2);
  const output = apply(tf.layers.dense({ units: 2, activation: 'softmax', name: 'output' }), pooled);
  return tf.model({ inputs: [x, v], outputs: output, name: 'attention' });
}

function convolutionModel(): tf.LayersModel {
  const image = tf.input({ shape: [8, 8, 3], name: 'image' });
  let x = apply(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv' }), image);
  x = apply(tf.layers.batchNormalization({ name: 'bn' }), x);
  x = apply(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, name: 'depthwise' }), x);
  x = apply(tf.layers.separableConv2d({ filters: 5, kernelSize: 2, padding: 'same', name: 'separable' }), x);
  x = apply(tf.layers.averagePooling2d({ poolSize: 2, name: 'average' }), x);
  const imageVector = apply(tf.layers.globalAveragePooling2d({ name: 'image_pool' }), x);
  const sound = tf.input({ shape: [10, 4], name: 'sound' });
  let s = apply(tf.layers.conv1d({ filters: 3, kernelSize: 3, activation: 'elu', name: 'conv1d' }), sound);
  s = apply(tf.layers.maxPooling1d({ poolSize: 2, name: 'max1d' }), s);
  const soundVector = apply(tf.layers.flatten({ name: 'flatten' }), s);
  const a = apply(tf.layers.dense({ units: 5, activation: 'tanh', name: 'image_dense' }), imageVector);
  const b = apply(tf.layers.dense({ units: 5, activation: 'swish', name: 'sound_dense' }), soundVector);
  const sum = apply(tf.layers.add({ name: 'sum' }), [a, b]);
  const product = apply(tf.layers.multiply({ name: 'product' }), [a, b]);
  const joined = apply(tf.layers.concatenate({ name: 'join' }), [sum, product]);
  const activated = apply(tf.layers.activation({ activation: 'selu', name: 'selu' }), joined);
  const output = apply(tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'output' }), apply(tf.layers.dropout({ rate: 0.3, name: 'drop' }), activated));
  return tf.model({ inputs: [image, sound], outputs: output, name: 'convolution' });
}

/** Optional inputs: null embeddings for a vector and a sequence, and the gated fusion's combination (sum and concat). */
function missingInputsModel(): tf.LayersModel {
  const PolymodalGatedCombine = pluginLayer(concatFusion, 'PolymodalGatedCombine');
  const a = tf.input({ shape: [4], name: 'a' });
  const aPresent = tf.input({ shape: [1], name: 'a__present' });
  const b = tf.input({ shape: [3, 4], name: 'b' });
  const bPresent = tf.input({ shape: [1], name: 'b__present' });
  const aFilled = apply(new PolymodalNullEmbedding({ name: 'a_null' }), [a, aPresent]);
  const bFilled = apply(new PolymodalNullEmbedding({ name: 'b_null' }), [b, bPresent]);
  const bVector = apply(tf.layers.globalAveragePooling1d({ name: 'b_pool' }), bFilled);
  const gates = apply(tf.layers.dense({ units: 2, activation: 'softmax', name: 'gates' }), apply(tf.layers.concatenate({ name: 'both' }), [aFilled, bVector]));
  const sum = apply(new PolymodalGatedCombine({ combine: 'sum', name: 'gated_sum' }), [gates, aFilled, bVector]);
  const side = apply(new PolymodalGatedCombine({ combine: 'concat', name: 'gated_concat' }), [gates, aFilled, bVector]);
  const output = apply(tf.layers.dense({ units: 1, name: 'output' }), apply(tf.layers.concatenate({ name: 'join' }), [sum, side]));
  return tf.model({ inputs: [a, aPresent, b, bPresent], outputs: output, name: 'missing_inputs' });
}

/** An image/pretrained-style model: a backbone cut at a feature layer and called as one layer, partly frozen. */
function backboneModel(): tf.LayersModel {
  const pixels = tf.input({ shape: [12, 12, 3], name: 'pixels' });
  let x = apply(tf.layers.zeroPadding2d({ padding: [[1, 1], [1, 1]], name: 'pad' }), pixels);
  x = apply(tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, name: 'stem_conv' }), x);
  x = apply(new (PolymodalBatchNormalization as unknown as LayerClass)({ name: 'stem_bn', trainable: false }), x);
  x = apply(tf.layers.reLU({ maxValue: 6, name: 'stem_relu' }), x);
  const cut = apply(tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', name: 'block_depthwise' }), x);
  const head = apply(tf.layers.globalAveragePooling2d({ name: 'top_pool' }), cut);
  const full = tf.model({ inputs: pixels, outputs: apply(tf.layers.dense({ units: 10, name: 'top_dense' }), head), name: 'mobile' });
  const backbone = tf.model({ inputs: full.inputs, outputs: full.getLayer('block_depthwise').output as tf.SymbolicTensor, name: 'photo_backbone' });
  const image = tf.input({ shape: [12, 12, 3], name: 'photo' });
  const features = apply(backbone, image);
  const pooled = apply(tf.layers.globalMaxPooling2d({ name: 'photo_pool' }), features);
  const output = apply(tf.layers.dense({ units: 3, activation: 'softmax', name: 'output' }), pooled);
  return tf.model({ inputs: image, outputs: output, name: 'backbone' });
}

/** Every weight drawn at random (variances positive), so equal predictions mean every weight went to its place. */
function randomize(model: tf.LayersModel, seed: number): void {
  let next = seed;
  for (const layer of model.layers) {
    const weights = layer.getWeights();
    if (weights.length === 0) continue;
    const fresh = layer.weights.map((variable, i) => {
      const random = tf.randomNormal(weights[i].shape, 0, 0.5, 'float32', next++);
      if (!variable.originalName.endsWith('variance')) return random;
      const positive = tf.add(tf.abs(random), 0.5);
      random.dispose();
      return positive;
    });
    layer.setWeights(fresh);
    tf.dispose(fresh);
  }
}

export interface SyntheticModel {
  name: string;
  model: tf.LayersModel;
  inputs: Map<string, { shape: number[]; dtype: string; values: number[] }>;
}

/** The synthetic models with random weights and random inputs (token ids below each model's vocabulary). */
export function syntheticModels(rows = 6): SyntheticModel[] {
  return [recurrentModel(), attentionModel(), convolutionModel(), missingInputsModel(), backboneModel()].map((model, index) => {
    randomize(model, 100 * (index + 1));
    const inputs = new Map(model.inputs.map((input, k) => {
      const shape = [rows, ...(input.shape.slice(1) as number[])];
      const name = model.inputNames[k];
      const values = tf.tidy(() => {
        if (input.dtype === 'int32') return tf.randomUniform(shape, 0, 30, 'int32', 7 + k).dataSync();
        // Presence masks are 0 or 1 (rows alternate between present and missing).
        if (name.endsWith('__present')) return tf.tensor(Array.from({ length: rows }, (_, r) => (r + k) % 2), shape).dataSync();
        return tf.randomNormal(shape, 0, 1, 'float32', 7 + k).dataSync();
      });
      return [name, { shape, dtype: input.dtype, values: Array.from(values) }];
    }));
    return { name: model.name, model, inputs };
  });
}
