/**
 * The small image CNN as a tfjs layers model, and the synthetic image set both peers train on:
 *   28x28x1 -> Conv2D(32, 3x3, same, relu) -> MaxPool(2) -> Conv2D(64, 3x3, same, relu) -> MaxPool(2) -> Flatten
 *   -> Dense(128, relu) -> Dropout(0.5) -> Dense(10, softmax); categorical cross-entropy, adam 1e-3.
 * 421,642 parameters, like torch_cnn.py's.
 */
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';

export const SIDE = 28;
export const CLASSES = 10;
export const PARAMETERS = 421_642;

export function buildCnn(): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [SIDE, SIDE, 1], filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
    ],
  });
  if (model.countParams() !== PARAMETERS) throw new Error(`the CNN has ${model.countParams()} parameters, expected ${PARAMETERS}`);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}

export interface ImageSet {
  /** [rows, 28, 28, 1] in [0, 1], row-major NHWC */
  images: Float32Array;
  labels: Int32Array;
  rows: number;
}

/**
 * A learnable synthetic set: each class is a fixed random 28x28 prototype (smoothed noise); a row is its class's
 * prototype, shifted by up to 2 pixels, plus noise. Seeded, so every run and both peers see the same rows.
 */
export function syntheticImages(rows: number, seed = 'image-cnn-bench'): ImageSet {
  const random = seedrandom.alea(seed);
  const prototypes = Array.from({ length: CLASSES }, () => {
    const p = new Float32Array(SIDE * SIDE);
    for (let blob = 0; blob < 6; blob++) {
      const cy = random() * SIDE;
      const cx = random() * SIDE;
      const r = 2 + random() * 4;
      for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) p[y * SIDE + x] += Math.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * r * r));
    }
    return p;
  });
  const images = new Float32Array(rows * SIDE * SIDE);
  const labels = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const label = Math.floor(random() * CLASSES);
    labels[i] = label;
    const dy = Math.floor(random() * 5) - 2;
    const dx = Math.floor(random() * 5) - 2;
    const p = prototypes[label]!;
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const sy = Math.min(SIDE - 1, Math.max(0, y + dy));
        const sx = Math.min(SIDE - 1, Math.max(0, x + dx));
        images[(i * SIDE + y) * SIDE + x] = Math.min(1, Math.max(0, 0.8 * p[sy * SIDE + sx]! + 0.3 * random()));
      }
    }
  }
  return { images, labels, rows };
}
