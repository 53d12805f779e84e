import * as tf from '@tensorflow/tfjs';
import type { BuildContext, EncoderDefinition, EncoderOutput, InputSpec } from '@polymodal/core';
import type { TextPreprocessor } from '../../text-preprocessor.js';

const WORDS = ['good', 'great', 'fine', 'bad', 'awful', 'poor', 'the', 'a', 'movie', 'plot', 'actors', 'music'];

/** 64 short labelled texts: label 1 when a positive word occurs. */
export const rows = Array.from({ length: 64 }, (_, i) => {
  const words = Array.from({ length: 3 + (i % 5) }, (_, k) => WORDS[(i * 7 + k * 5) % WORDS.length]);
  return { review: words.join(' '), label: words.some((w) => ['good', 'great', 'fine'].includes(w)) ? 1 : 0 };
});

/** Fits the encoder's preprocessor, builds the encoder with a sigmoid head, and returns model and tensors. */
export async function buildEncoder<O>(encoder: EncoderDefinition<O>, options: O, data = rows) {
  await tf.setBackend('cpu');
  let n = 0;
  const ctx: BuildContext = { tf, layerName: (s) => `review_${s}_${++n}` };
  const spec: InputSpec<O> = { name: 'review', encoder: encoder.type, columns: ['review'], options, dataDir: '.', manifestDir: '.' };
  const preprocessor = encoder.createPreprocessor(spec) as TextPreprocessor;
  await preprocessor.fit(data);
  const inputs = Object.fromEntries(preprocessor.features().map((f) => [f.key, tf.input({ shape: [...f.shape], dtype: f.dtype, name: `review_${f.key}` })]));
  const encoded: EncoderOutput = encoder.build(inputs, spec, preprocessor, ctx);
  const pooled = encoded.kind === 'sequence' ? (tf.layers.globalAveragePooling1d({}).apply(encoded.tensor) as tf.SymbolicTensor) : encoded.tensor;
  const head = tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(pooled) as tf.SymbolicTensor;
  const model = tf.model({ inputs: Object.values(inputs), outputs: head });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy' });
  const arrays = await preprocessor.transform(data);
  const xs = preprocessor.features().map((f) => tf.tensor(arrays[f.key], [data.length, ...f.shape], f.dtype));
  const ys = tf.tensor2d(data.map((r) => r.label), [data.length, 1]);
  return { spec, preprocessor, model, encoded, xs, ys, encoderParams: model.countParams() - (pooled.shape[1] as number) - 1 };
}

/** One epoch, then a second epoch that must leave no tensor behind; returns whether any weight changed. */
export async function trainTwoEpochs(model: tf.LayersModel, xs: tf.Tensor[], ys: tf.Tensor): Promise<{ changed: boolean; leaked: number; loss: number }> {
  const before = model.getWeights().map((w) => w.dataSync().slice());
  await model.fit(xs, ys, { epochs: 1, batchSize: 32, verbose: 0 });
  const count = tf.memory().numTensors;
  const history = await model.fit(xs, ys, { epochs: 1, batchSize: 32, verbose: 0 });
  const leaked = tf.memory().numTensors - count;
  const changed = model.getWeights().some((w, i) => w.dataSync().some((v, j) => v !== before[i][j]));
  return { changed, leaked, loss: history.history.loss[0] as number };
}
