/** The seed model's layers as Polymodal's encoders build them (Conv2D(32) + Flatten, Embedding(1000, 64) + PolymodalLSTM(32), concat, Dense(1)). */
import * as tf from '@tensorflow/tfjs';
import type { LayerGraphStep } from '../../packages/core/src/training/layer-graph-step.js';
import { polymodalConv2d } from '../../packages/encoder-image/src/fused-conv2d.js';
import { PolymodalLSTM } from '../../packages/encoder-text/src/layers/lstm.js';

export function seedLayers(): tf.LayersModel {
  const image = tf.input({ shape: [64, 64, 3] });
  const text = tf.input({ shape: [100], dtype: 'int32' });
  const x = tf.layers.flatten().apply(polymodalConv2d({ filters: 32, kernelSize: 3, activation: 'relu' }).apply(image)) as tf.SymbolicTensor;
  const h = new PolymodalLSTM({ units: 32 }).apply(tf.layers.embedding({ inputDim: 1000, outputDim: 64 }).apply(text)) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(tf.layers.concatenate().apply([x, h])) as tf.SymbolicTensor;
  return tf.model({ inputs: [image, text], outputs: out });
}

/** One LayerGraphStep on rows [32 s, 32 s + 32) of the bench's tensors, its gradients applied and its loss read. */
export function stepOnRows(step: LayerGraphStep, optimizer: tf.Optimizer, data: { images: tf.Tensor; tokens: tf.Tensor; labels: tf.Tensor }, s: number): void {
  const inputs = [data.images.slice(s * 32, 32), data.tokens.slice(s * 32, 32)];
  const target = data.labels.slice(s * 32, 32);
  const { logs, gradients } = step.run(inputs, target);
  optimizer.applyGradients(gradients);
  logs[0].dataSync();
  tf.dispose([...inputs, target, ...logs, ...Object.values(gradients)]);
}
