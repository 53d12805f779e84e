import * as tf from '@tensorflow/tfjs';
import type { TrainingConfig } from '../../manifest/types.js';
import { createRandom, type Random } from '../../util/random.js';
import type { BatchSource } from '../batch-source.js';
import type { RunEvent } from '../reporter.js';
import { DefaultTrainer } from '../trainer.js';

/** A noisy binary problem: the label is whether the features' weighted sum is positive, 1 label in 8 flipped. */
export function syntheticRows(rows: number, seed: string): { features: Float32Array; labels: Float32Array } {
  const random = createRandom(seed);
  const features = new Float32Array(rows * 4);
  const labels = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let c = 0; c < 4; c++) {
      const value = random.next() * 2 - 1;
      features[r * 4 + c] = value;
      sum += value * (c + 1);
    }
    labels[r] = (sum > 0) !== (random.next() < 0.125) ? 1 : 0;
  }
  return { features, labels };
}

/**
 * An in-memory split whose training batches are augmented with noise from `random`, as an augmenting
 * encoder's are; `onTrainingBatch` runs before each training batch is made.
 */
export function memorySource(rows: number, seed: string, random: Random, onTrainingBatch?: () => void): BatchSource {
  const { features, labels } = syntheticRows(rows, seed);
  return {
    rows,
    valuesPerRow: 4,
    random,
    async batch(positions, training) {
      if (training) onTrainingBatch?.();
      const xs = new Float32Array(positions.length * 4);
      positions.forEach((p, i) => {
        for (let c = 0; c < 4; c++) xs[i * 4 + c] = features[p * 4 + c] + (training ? (random.next() - 0.5) * 0.1 : 0);
      });
      return { xs: { x: tf.tensor2d(xs, [positions.length, 4]) }, ys: tf.tensor2d(positions.map((p) => labels[p]), [positions.length, 1]) };
    },
  };
}

/** Dense, batch normalization (non-trainable weights), dropout (which draws from the seeded Math.random), then the output. */
export function smallModel(activation: 'sigmoid' | 'linear' = 'sigmoid'): tf.LayersModel {
  const input = tf.input({ shape: [4], name: 'x' });
  let x = tf.layers.dense({ units: 8, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: 0.3 }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 1, activation }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}

export function smallConfig(overrides: Partial<TrainingConfig> = {}): TrainingConfig {
  return {
    backend: 'cpu',
    optimizer: { type: 'adam', learningRate: 0.05 },
    epochs: 6,
    batchSize: 16,
    seed: 3,
    shuffle: true,
    earlyStopping: { monitor: 'val_loss', patience: 3, minDelta: 0, mode: 'auto', restoreBestWeights: true, startFromEpoch: 0 },
    learningRateSchedule: { type: 'reduceOnPlateau', monitor: 'val_loss', factor: 0.5, patience: 1, minDelta: 0, cooldown: 1, minLearningRate: 1e-4, mode: 'auto' },
    checkpoint: { monitor: 'val_loss', saveBestOnly: true, mode: 'auto' },
    ...overrides,
  };
}

/** A trainer as a run's container makes it: the run's Random from the seed, events collected. */
export function recordingTrainer(seed: number): { trainer: DefaultTrainer; events: RunEvent[] } {
  const events: RunEvent[] = [];
  return { trainer: new DefaultTrainer({ event: (e) => events.push(e) }, createRandom(seed)), events };
}

export function weightBytes(model: tf.LayersModel): Buffer {
  return Buffer.concat(model.getWeights().map((w) => Buffer.from((w.dataSync() as Float32Array).slice().buffer)));
}
