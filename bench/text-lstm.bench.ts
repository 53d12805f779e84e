/**
 * The text branch of the Keras multimodal article, Embedding(1000, 64) -> LSTM(32) -> Dense(1), trained on
 * batches of 32 sequences of 100 token ids: training samples per second with tfjs's LSTM
 * (`tf.layers.lstm({recurrentActivation: 'sigmoid'})`) and with Polymodal's `PolymodalLSTM` (and GRU), plus
 * tokenization speed (Keras Tokenizer + padSequences, texts per second).
 *   TSX_TSCONFIG_PATH=tsconfig.base.json node --conditions=@polymodal/source --import tsx bench/text-lstm.bench.ts
 * Options (env): BENCH_BACKEND (wasm), BENCH_BATCHES (10 timed batches per repeat), BENCH_REPEATS (3).
 */
import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { selectBackend, type BackendName } from '@polymodal/core';
import { PolymodalGRU, PolymodalLSTM, Tokenizer, padSequences } from '@polymodal/encoder-text';
import seedrandom from 'seedrandom';

const BACKEND = process.env.BENCH_BACKEND ?? 'wasm';
const BATCHES = Number(process.env.BENCH_BATCHES ?? 10);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const BATCH = 32;
const STEPS = 100;
const VOCAB = 1000;
const EMBEDDING = 64;
const UNITS = 32;

type Variant = { name: string; make: () => tf.layers.Layer };

const variants: Variant[] = [
  { name: "tf.layers.lstm (recurrentActivation 'sigmoid')", make: () => tf.layers.lstm({ units: UNITS, recurrentActivation: 'sigmoid' }) },
  { name: 'PolymodalLSTM', make: () => new PolymodalLSTM({ units: UNITS }) },
  { name: 'tf.layers.gru (resetAfter false)', make: () => tf.layers.gru({ units: UNITS, recurrentActivation: 'sigmoid' }) },
  { name: 'PolymodalGRU (resetAfter true)', make: () => new PolymodalGRU({ units: UNITS }) },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function trainingSpeed(variant: Variant): Promise<{ samplesPerSecond: number; params: number }> {
  const ids = tf.input({ shape: [STEPS], dtype: 'int32' });
  const embedded = tf.layers.embedding({ inputDim: VOCAB, outputDim: EMBEDDING }).apply(ids) as tf.SymbolicTensor;
  const encoded = variant.make().apply(embedded) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(encoded) as tf.SymbolicTensor;
  const model = tf.model({ inputs: ids, outputs: output });
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'binaryCrossentropy' });
  const x = tf.randomUniform([BATCH, STEPS], 0, VOCAB, 'int32', 1);
  const y = tf.cast(tf.randomUniform([BATCH, 1], 0, 2, 'int32', 2), 'float32');
  await model.trainOnBatch(x, y); // warm-up: kernels, optimizer state
  const rates: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const start = performance.now();
    for (let b = 0; b < BATCHES; b++) await model.trainOnBatch(x, y);
    rates.push((BATCH * BATCHES) / ((performance.now() - start) / 1000));
  }
  const params = model.countParams();
  tf.dispose([x, y]);
  model.dispose();
  return { samplesPerSecond: median(rates), params };
}

function tokenizationSpeed(): { fitTextsPerSecond: number; transformTextsPerSecond: number; texts: number } {
  const random = seedrandom.alea('text-bench');
  const words = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}`);
  const texts = Array.from({ length: 20000 }, () =>
    Array.from({ length: 20 + Math.floor(random() * 100) }, () => words[Math.floor(random() ** 2 * words.length)]).join(' ') + '.',
  );
  const tokenizer = new Tokenizer({ numWords: VOCAB, oovToken: '<OOV>' });
  let start = performance.now();
  tokenizer.fitOnTexts(texts);
  const fitSeconds = (performance.now() - start) / 1000;
  start = performance.now();
  const padded = padSequences(tokenizer.textsToSequences(texts), { maxlen: STEPS });
  const transformSeconds = (performance.now() - start) / 1000;
  if (padded.shape[0] !== texts.length) throw new Error('tokenization lost texts');
  return { fitTextsPerSecond: texts.length / fitSeconds, transformTextsPerSecond: texts.length / transformSeconds, texts: texts.length };
}

async function main(): Promise<void> {
  // Core's backend selection: on wasm it also loads @polymodal/backend-wasm (kernels, the recurrent routines).
  const { notes } = await selectBackend(BACKEND as BackendName);
  for (const note of notes) console.warn(note);
  console.log(`backend ${tf.getBackend()}; batch ${BATCH}, ${STEPS} tokens, vocabulary ${VOCAB}, embedding ${EMBEDDING}, ${UNITS} units; ` +
    `median of ${REPEATS} x ${BATCHES} batches`);
  const results: Record<string, number> = {};
  for (const variant of variants) {
    const { samplesPerSecond, params } = await trainingSpeed(variant);
    results[variant.name] = samplesPerSecond;
    console.log(`${variant.name.padEnd(48)} ${samplesPerSecond.toFixed(1).padStart(8)} samples/s   (${params} params)`);
  }
  console.log(`LSTM speed-up: ${(results['PolymodalLSTM'] / results[variants[0].name]).toFixed(1)}x; ` +
    `GRU speed-up: ${(results['PolymodalGRU (resetAfter true)'] / results[variants[2].name]).toFixed(1)}x`);
  const tokens = tokenizationSpeed();
  console.log(`tokenization (${tokens.texts} texts of 20-120 words): fit ${Math.round(tokens.fitTextsPerSecond)} texts/s, ` +
    `textsToSequences + padSequences ${Math.round(tokens.transformTextsPerSecond)} texts/s`);
}

await main();
