import * as tf from '@tensorflow/tfjs';
import type { CompiledModel } from '../model/compiled-model.js';
import { LayerGraph } from '../model/layer-graph.js';
import { type BatchSource, batchPositions } from '../training/batch-source.js';

/** What computes a batch's (first) output: `compiled`, else the layer graph where it splits a product, else model.predict. */
function forwardOf(model: tf.LayersModel, batchSize: number, compiled?: CompiledModel): (inputs: tf.Tensor[]) => tf.Tensor {
  if (compiled) return (inputs) => compiled.predict(inputs);
  const graph = LayerGraph.of(model);
  if (graph) return (inputs) => graph.apply(inputs, false);
  return (inputs) => model.predict(inputs.length === 1 ? inputs[0] : inputs, { batchSize }) as tf.Tensor;
}

/**
 * The model's raw outputs for every row of `source`, row-major, batch by batch: run by `compiled` when given, else
 * through the layer graph where it splits a wide concatenation's product, else by model.predict.
 */
export async function predictOutputs(model: tf.LayersModel, source: BatchSource, batchSize: number, compiled?: CompiledModel): Promise<Float32Array> {
  const forward = forwardOf(model, batchSize, compiled);
  const units = (model.outputs[0].shape[1] as number | null) ?? 1;
  const out = new Float32Array(source.rows * units);
  let offset = 0;
  for (const positions of batchPositions(source.rows, batchSize)) {
    const batch = await source.batch(positions, false);
    let values!: Float32Array;
    try {
      const inputs = model.inputNames.map((name) => batch.xs[name]);
      // Assigned inside, not returned: tidy walks what it returns, element by element for a typed array.
      tf.tidy(() => {
        values = forward(inputs).dataSync() as Float32Array;
      });
    } finally {
      tf.dispose(batch.xs);
      batch.ys?.dispose();
    }
    out.set(values, offset);
    offset += values.length;
  }
  return out;
}

/** A model's outputs for every row of `source`: each output row-major, in the model's output order. */
export async function predictAllOutputs(model: tf.LayersModel, source: BatchSource, batchSize: number): Promise<Float32Array[]> {
  const widths = model.outputs.map((output) => (output.shape[1] as number | null) ?? 1);
  const out = widths.map((width) => new Float32Array(source.rows * width));
  let row = 0;
  for (const positions of batchPositions(source.rows, batchSize)) {
    const batch = await source.batch(positions, false);
    let values: Float32Array[];
    try {
      const inputs = model.inputNames.map((name) => batch.xs[name]);
      values = tf.tidy(() => {
        const result = model.predict(inputs.length === 1 ? inputs[0] : inputs, { batchSize });
        return (Array.isArray(result) ? result : [result]).map((tensor) => tensor.dataSync() as Float32Array);
      });
    } finally {
      tf.dispose(batch.xs);
      batch.ys?.dispose();
    }
    values.forEach((array, i) => out[i].set(array, row * widths[i]));
    row += positions.length;
  }
  return out;
}
