/**
 * Model-level conformance checks shared by encoders and fusions. The subject's output gets a tiny head
 * (pooling for a sequence, then Dense(1)) so it can be saved, loaded and trained like a Polymodal model.
 */
import * as tf from '@tensorflow/tfjs';
import type { FeatureKind } from '../plugin/contracts.js';
import type { ConformanceCheck, Fail } from './conformance-check.js';
import { firstDifference } from './layer-harness.js';
import { saveToMemory } from './memory-io.js';


const HEAD_LAYERS = new Set(['conformance_pool', 'conformance_head']);

/** The subject's graph from `inputs` to `output`, with a Dense(1) head (after average pooling for a sequence). */
export function modelWithHead(inputs: tf.SymbolicTensor[], output: tf.SymbolicTensor, kind: FeatureKind): tf.LayersModel {
  let x = output;
  if (kind === 'sequence') x = tf.layers.globalAveragePooling1d({ name: 'conformance_pool' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 1, name: 'conformance_head' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs, outputs: x });
}

/** Weights of the subject's own layers (not the inputs, not the test head). */
function subjectWeights(model: tf.LayersModel): tf.LayerVariable[] {
  return model.layers.filter((layer) => !HEAD_LAYERS.has(layer.name)).flatMap((layer) => layer.trainableWeights);
}

function predict(model: tf.LayersModel, xs: tf.Tensor[]): Float32Array {
  return tf.tidy(() => (model.predict(xs) as tf.Tensor).dataSync() as Float32Array);
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return a.length === b.length ? max : Infinity;
}

export function checkOutputShape(output: tf.SymbolicTensor, kind: FeatureKind, fail: Fail): void {
  const rank = kind === 'vector' ? 2 : 3;
  const shape = output.shape;
  if (shape.length !== rank) fail(`a ${kind} must be rank ${rank} ([batch, ${kind === 'vector' ? 'units' : 'steps, units'}]); got [${shape.join(', ')}]`);
  if (shape[0] !== null) fail(`the batch dimension must be null; got ${shape[0]}`);
  const units = shape[rank - 1];
  if (typeof units !== 'number' || units <= 0) fail(`the last dimension (units) must be a known positive size; got ${units}`);
}

/** A topology as plain JSON, with the dtype that tfjs writes only sometimes filled in (float32). */
function comparable(topology: unknown): { config: { layers: { config: Record<string, unknown> }[] } } {
  const json = JSON.parse(JSON.stringify(topology));
  for (const layer of json.config?.layers ?? []) layer.config.dtype ??= 'float32';
  return json;
}

/** The topology survives `toJSON` and `modelFromJSON` unchanged (custom layers registered, configs plain JSON). */
export async function checkConfigRoundTrip(model: tf.LayersModel, fail: Fail): Promise<void> {
  const topology = model.toJSON(null, false) as tf.serialization.ConfigDict;
  let rebuilt: tf.LayersModel;
  try {
    rebuilt = await tf.models.modelFromJSON({ modelTopology: JSON.parse(JSON.stringify(topology)) });
  } catch (error) {
    fail(`the model config does not load back (is every custom layer listed in the plugin's \`layers\`?): ${(error as Error).message}`);
  }
  try {
    const difference = firstDifference(comparable(rebuilt.toJSON(null, false)), comparable(topology), 'model');
    if (difference) fail(`the model config changes when loaded and saved again (${difference}): does a layer's getConfig() miss an argument its constructor takes?`);
  } finally {
    rebuilt.dispose();
  }
}

/** Saved to memory and loaded with `tf.loadLayersModel`, the model predicts what it predicted before. */
export async function checkSaveLoad(model: tf.LayersModel, xs: tf.Tensor[], tolerance: number, fail: Fail): Promise<void> {
  const before = predict(model, xs);
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(await saveToMemory(model)));
  try {
    const difference = maxDifference(before, predict(loaded, xs));
    if (!(difference <= tolerance)) fail(`the loaded model predicts differently (largest difference ${difference}, tolerance ${tolerance})`);
  } finally {
    loaded.dispose();
  }
}

/** Compiles the model for the next checks (a fresh optimizer each time). */
export function compileForTraining(model: tf.LayersModel): void {
  model.optimizer?.dispose();
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
}

/** One optimizer step gives a finite loss and changes the subject's trainable weights (when it has any). */
export async function checkTrainingStep(model: tf.LayersModel, xs: tf.Tensor[], ys: tf.Tensor, fail: Fail): Promise<void> {
  const weights = subjectWeights(model);
  const before = weights.map((w) => w.read().dataSync().slice());
  const loss = await model.trainOnBatch(xs, ys);
  const value = Array.isArray(loss) ? loss[0] : loss;
  if (!Number.isFinite(value)) fail(`the training loss is ${value}`);
  if (weights.length === 0) return;
  const changed = weights.some((w, i) => maxDifference(before[i], w.read().dataSync()) > 0);
  if (!changed) {
    fail(`no trainable weight changed in a training step (loss ${value}; ${weights.map((w) => w.name).join(', ')}): is the graph connected to the output? ` +
      '(A small ReLU layer over non-negative inputs can also be dead for every sample row: test with more rows or activation "elu".)');
  }
}

/** After a warm-up step, prediction and training steps leave no tensor behind. */
export async function checkNoLeaks(model: tf.LayersModel, xs: tf.Tensor[], ys: tf.Tensor, fail: Fail): Promise<void> {
  await model.trainOnBatch(xs, ys);
  const count = tf.memory().numTensors;
  predict(model, xs);
  await model.trainOnBatch(xs, ys);
  const after = tf.memory().numTensors;
  if (after !== count) fail(`${after - count} tensor(s) leaked by one prediction and one training step: wrap eager work in tf.tidy and dispose what a layer keeps`);
}

/**
 * Deterministic targets for the training checks. Their mean is not 0, so even a model whose features are
 * constant for the sample rows (a dead ReLU layer) gets a gradient on its biases.
 */
export function targets(rows: number): tf.Tensor {
  return tf.tensor2d(Array.from({ length: rows }, (_, i) => (i % 3) + 1), [rows, 1]);
}

/** A built subject: its model (with the conformance head), sample inputs and targets. */
export interface BuiltSubject {
  model: tf.LayersModel;
  xs: tf.Tensor[];
  ys: tf.Tensor;
}

/**
 * The checks every built subject (an encoder's or a fusion's model) must pass: config and save/load round
 * trips, one training step, and no leaked tensors. The last one disposes the model and its tensors.
 */
export function builtModelChecks(built: () => Promise<BuiltSubject>, tolerance: number, fail: (check: string) => Fail): ConformanceCheck[] {
  return [
    { name: 'config round trip', run: async () => checkConfigRoundTrip((await built()).model, fail('config round trip')) },
    {
      name: 'save/load round trip with equal predictions',
      run: async () => {
        const { model, xs } = await built();
        await checkSaveLoad(model, xs, tolerance, fail('save/load round trip with equal predictions'));
      },
    },
    {
      name: 'one training step',
      run: async () => {
        const { model, xs, ys } = await built();
        compileForTraining(model);
        await checkTrainingStep(model, xs, ys, fail('one training step'));
      },
    },
    {
      name: 'no leaked tensors',
      run: async () => {
        const { model, xs, ys } = await built();
        compileForTraining(model);
        try {
          await checkNoLeaks(model, xs, ys, fail('no leaked tensors'));
        } finally {
          tf.dispose([...xs, ys]);
          model.optimizer?.dispose();
          model.dispose();
        }
      },
    },
  ];
}
