// Polymodal's side of the Keras export checks: a model folder's preprocessed arrays for some rows (as core's
// pipeline makes them, optional inputs included) and the tfjs model's predictions on them.
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { cell, readTable, type LoadedModel, type Row } from '@polymodal/core';

const ROWS = 12;

export interface ArrayJson {
  shape: number[];
  dtype: string;
  values: number[];
}

/**
 * The first rows of the training data, and each model input Polymodal's preprocessing makes of them. An optional
 * input is handled as core's pipeline does: rows that lack it get zero features and a 0 in `<input>__present`.
 */
export async function preprocessedRows(loaded: LoadedModel): Promise<{ rows: Row[]; arrays: Map<string, ArrayJson> }> {
  const table = await readTable(loaded.meta.trainingData);
  const rows = table.rows.slice(0, ROWS);
  const dataDir = table.format === 'directory' ? table.source : dirname(table.source);
  const features = new Map<string, ArrayJson>();
  for (const { spec, preprocessor } of loaded.inputsFor(dataDir)) {
    const lacks = (row: Row) => spec.required === false && (preprocessor.isMissing?.(row) ?? spec.columns.every((column) => cell(row, column) === null));
    const kept = rows.filter((row) => !lacks(row));
    const specs = preprocessor.features();
    const arrays = await preprocessor.transform(kept, { training: false, random: () => 0.5 });
    for (const feature of specs) {
      const name = specs.length === 1 ? spec.name : `${spec.name}__${feature.key}`;
      const width = feature.shape.reduce((a, b) => a * b, 1);
      const transformed = arrays[feature.key] as ArrayLike<number>;
      const values = new Array<number>(rows.length * width).fill(0);
      let next = 0;
      rows.forEach((row, r) => {
        if (lacks(row)) return;
        for (let k = 0; k < width; k++) values[r * width + k] = transformed[next * width + k];
        next++;
      });
      features.set(name, { shape: [rows.length, ...feature.shape], dtype: feature.dtype, values });
    }
    if (spec.required === false) {
      features.set(`${spec.name}__present`, { shape: [rows.length, 1], dtype: 'float32', values: rows.map((row) => (lacks(row) ? 0 : 1)) });
    }
  }
  return { rows, arrays: features };
}

/** The tfjs model's predictions on `arrays` (by model input name). */
export function predict(model: tf.LayersModel, arrays: Map<string, ArrayJson>): { values: number[]; shape: number[] } {
  return tf.tidy(() => {
    const inputs = model.inputNames.map((name) => {
      const array = arrays.get(name);
      assert.ok(array, `no preprocessed array for model input ${name}`);
      return tf.tensor(array.values, array.shape, array.dtype as 'float32' | 'int32');
    });
    const output = model.predict(inputs) as tf.Tensor;
    return { values: Array.from(output.dataSync()), shape: output.shape };
  });
}
