import * as tf from '@tensorflow/tfjs';
import type { LayerWeights } from './read-weights.js';
import { unreadable } from './unsupported.js';

/** Sets every layer's weights from the file's, in order, checking counts and shapes; tensors are disposed after. */
export function assignWeights(model: tf.LayersModel, weights: LayerWeights, file: string): void {
  for (const layer of model.layers) {
    const expected = layer.weights;
    if (expected.length === 0) continue;
    const arrays = weights.get(layer.name);
    if (!arrays) throw unreadable(file, `the weights have nothing for layer "${layer.name}" (${layer.getClassName()})`);
    if (arrays.length !== expected.length) {
      throw unreadable(file, `layer "${layer.name}" has ${expected.length} weights (${expected.map((w) => w.originalName).join(', ')}), the file holds ${arrays.length}`);
    }
    arrays.forEach((array, i) => {
      const shape = expected[i].shape;
      if (shape.length !== array.shape.length || shape.some((d, j) => d !== array.shape[j])) {
        throw unreadable(file, `weight ${expected[i].originalName} has shape [${shape.join(', ')}], the file's is [${array.shape.join(', ')}]`);
      }
    });
    const tensors = arrays.map((array) => tf.tensor(array.values, array.shape, 'float32'));
    try {
      layer.setWeights(tensors);
    } finally {
      tf.dispose(tensors);
    }
  }
}
