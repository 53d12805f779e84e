import * as tf from '@tensorflow/tfjs';
import { type BatchSource, batchPositions } from '../training/batch-source.js';

/** The model's raw outputs for every row of `source`, row-major, batch by batch. */
export async function predictOutputs(model: tf.LayersModel, source: BatchSource, batchSize: number): Promise<Float32Array> {
  const units = (model.outputs[0].shape[1] as number | null) ?? 1;
  const out = new Float32Array(source.rows * units);
  let offset = 0;
  for (const positions of batchPositions(source.rows, batchSize)) {
    const batch = await source.batch(positions, false);
    const inputs = model.inputNames.map((name) => batch.xs[name]);
    const values = tf.tidy(() => (model.predict(inputs.length === 1 ? inputs[0] : inputs, { batchSize }) as tf.Tensor).dataSync() as Float32Array);
    tf.dispose(batch.xs);
    if (batch.ys) batch.ys.dispose();
    out.set(values, offset);
    offset += values.length;
  }
  return out;
}
