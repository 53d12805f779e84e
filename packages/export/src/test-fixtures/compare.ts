/** Runs a tfjs model, its ONNX export (onnxruntime-node) and its graph-model export (tfjs), and compares them. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { lowerLayersModel } from '../lower/lower-model.js';
import { emitOnnx } from '../onnx/emit-onnx.js';
import { emitGraphDef } from '../tfjs-graph/emit-graph-def.js';

export const TOLERANCE = 1e-4;

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'output sizes differ');
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
}

function expected(model: tf.LayersModel, inputs: tf.Tensor[]): Float32Array[] {
  return tf.tidy(() => {
    const out = model.predict(inputs.length === 1 ? inputs[0] : inputs);
    return (Array.isArray(out) ? out : [out]).map((t) => Float32Array.from(t.dataSync() as Float32Array));
  });
}

export async function runOnnx(bytes: Uint8Array, names: readonly string[], inputs: tf.Tensor[]): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const feeds: Record<string, ort.Tensor> = {};
    inputs.forEach((t, i) => {
      const data = t.dtype === 'int32' ? Int32Array.from(t.dataSync()) : Float32Array.from(t.dataSync());
      feeds[names[i]] = new ort.Tensor(t.dtype === 'int32' ? 'int32' : 'float32', data, t.shape);
    });
    const results = await session.run(feeds);
    return session.outputNames.map((name) => Float32Array.from(results[name].data as Float32Array));
  } finally {
    await session.release();
  }
}

export async function runGraphModel(artifacts: tf.io.ModelArtifacts, names: readonly string[], outputs: readonly string[], inputs: tf.Tensor[]): Promise<Float32Array[]> {
  const model = await tf.loadGraphModel({ load: async () => artifacts });
  try {
    // The graph's own outputs are the model's, in order: what `predict` returns without output names.
    assert.deepEqual(model.outputNodes, [...outputs]);
    const feeds: tf.NamedTensorMap = {};
    inputs.forEach((t, i) => (feeds[names[i]] = t));
    const result = model.execute(feeds, [...outputs]);
    const list = Array.isArray(result) ? result : [result];
    const values = list.map((t) => Float32Array.from(t.dataSync() as Float32Array));
    tf.dispose(list);
    return values;
  } finally {
    model.dispose();
  }
}

export interface ExportCheck {
  onnx: number;
  graph: number;
}

/** The worst absolute difference of each export against tfjs; fails past the tolerance. */
export async function assertExportsMatch(model: tf.LayersModel, inputs: tf.Tensor[], opset?: number): Promise<ExportCheck> {
  const want = expected(model, inputs);
  const ir = lowerLayersModel(model);
  const inputNames = ir.inputs.map((v) => v.name);
  const outputNames = ir.outputs.map((v) => v.name);
  const onnx = await runOnnx(emitOnnx(ir, { opset }).bytes, inputNames, inputs);
  const graphDef = emitGraphDef(ir);
  const graph = await runGraphModel({ ...graphDef, format: 'graph-model' }, inputNames, outputNames, inputs);
  const check = {
    onnx: Math.max(...want.map((w, i) => maxDifference(w, onnx[i]))),
    graph: Math.max(...want.map((w, i) => maxDifference(w, graph[i]))),
  };
  assert.ok(check.onnx <= TOLERANCE, `ONNX differs from tfjs by ${check.onnx}`);
  assert.ok(check.graph <= TOLERANCE, `the graph model differs from tfjs by ${check.graph}`);
  return check;
}

/** Seeded normal inputs for a model's inputs (batch 3). */
export function randomInputs(model: tf.LayersModel, seed = 1, batch = 3): tf.Tensor[] {
  return model.inputs.map((input, i) => {
    const shape = [batch, ...input.shape.slice(1).map((d) => d ?? 1)];
    return tf.randomNormal(shape, 0, 1, 'float32', seed + i);
  });
}

/** Seeded integer ids in [0, vocabulary). */
export function randomIds(shape: number[], vocabulary: number, seed = 1): tf.Tensor {
  return tf.tidy(() => tf.floor(tf.randomUniform(shape, 0, vocabulary, 'float32', seed)));
}
