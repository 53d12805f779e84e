/**
 * tensorflowTrainingGraph(): a TrainingStepCompiler for core's trainer that runs each batch's forward pass, loss,
 * metrics and gradients as one TensorFlow graph on the tensorflow backend (emitTrainingGraph, loaded through
 * tfjs-node's SavedModel support). Eager tfjs dispatches ~140 kernels one by one per step of the seed model; the
 * graph is one TF_SessionRun, which TensorFlow's executor runs on every core at once, with Grappler's and oneDNN's
 * rewrites, as Keras's compiled train_function is run. Before it is used, one step on probe inputs must give the
 * loss and every gradient that tfjs's own step gives, within TRAINING_GRAPH_TOLERANCE.
 */
import * as tf from '@tensorflow/tfjs';
import { isCompilerSkip, PolymodalError, type BackendInfo, type CompiledTrainingStep, type CompilerSkip, type TrainingStepCompiler, type TrainingStepOptions, type TrainingStepResult } from '@polymodal/core';
import { computingOps } from '../ir/graph-writer.js';
import type { IrValue } from '../ir/graph.js';
import { tensorName } from '../saved-model/emit-saved-model.js';
import { loadGraph, probeInputs, savedModelBackend, type SavedModelBackend } from '../saved-model/tensorflow-session.js';
import { TF_TYPES } from '../tfjs-graph/graph-def-writer.js';
import { emitTrainingGraph, type TrainingGraph } from './emit-training-graph.js';
import { isTrainingGraphLoss } from './loss-graph.js';
import { TrainingGraphRefusal } from './refusal.js';

export const TENSORFLOW_TRAINING_COMPILER = 'tensorflow-training-graph';

/** Largest difference allowed on the probe step, relative to the largest magnitude of each tfjs value. */
export const TRAINING_GRAPH_TOLERANCE = 1e-4;

const PROBE_ROWS = 4;

const inputInfo = (value: IrValue) => ({ name: tensorName(value), shape: [...value.shape], dtype: value.dtype, tfDtype: TF_TYPES[value.dtype] });

/** classWeight as a vector by class index (a class it leaves out weighs 1, as core always names every class). */
function classWeightVector(classWeight: Record<number, number>): tf.Tensor1D {
  const classes = Math.max(...Object.keys(classWeight).map(Number)) + 1;
  return tf.tensor1d(Array.from({ length: classes }, (_, c) => classWeight[c] ?? 1));
}

/** Each row's weight from its target, as tfjs's standardizeWeights finds the class: argmax of one-hot rows, else the value. */
function sampleWeights(classWeights: tf.Tensor1D, target: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const classes = target.shape[1]! > 1 ? tf.argMax(target, 1) : tf.cast(tf.reshape(target, [-1]), 'int32');
    return tf.gather(classWeights, classes) as tf.Tensor1D;
  });
}

class TensorflowTrainingStep implements CompiledTrainingStep {
  private readonly feeds;
  private readonly fetches: string[];
  private readonly modelInputs: readonly IrValue[];
  private readonly logCount: number;
  private readonly classWeights?: tf.Tensor1D;
  private disposed = false;

  constructor(private readonly backend: SavedModelBackend, private readonly id: number, private readonly graph: TrainingGraph, readonly description: string, classWeight?: Record<number, number>) {
    this.feeds = graph.feeds.map(inputInfo);
    this.fetches = graph.fetches.map(tensorName);
    this.modelInputs = graph.modelInputs;
    this.logCount = graph.fetches.length - graph.weightInputs.length;
    if (classWeight) this.classWeights = tf.keep(classWeightVector(classWeight));
  }

  run(inputs: readonly tf.Tensor[], target: tf.Tensor): TrainingStepResult {
    const masks = this.graph.dropoutInputs.map((dropout) => tf.tidy(() => {
      // tf.dropout's own draw: floor(uniform + keep) / keep, from tfjs's (seeded) random stream, in layer order.
      const keep = 1 - dropout.rate;
      const shape = [target.shape[0], ...dropout.shape.slice(1)];
      const seed = (dropout.layer as unknown as { seed?: number }).seed;
      return tf.div(tf.floor(tf.add(tf.randomUniform(shape, 0, 1, 'float32', seed), keep)), keep);
    }));
    try {
      return this.runWith(inputs, target, masks);
    } finally {
      tf.dispose(masks);
    }
  }

  /** One step with the dropout masks given (all ones: the model without dropout, for the probe). */
  runWith(inputs: readonly tf.Tensor[], target: tf.Tensor, masks: readonly tf.Tensor[]): TrainingStepResult {
    if (this.disposed) throw new PolymodalError(`[${TENSORFLOW_TRAINING_COMPILER}] this compiled training step was disposed`, { exitCode: 70 });
    // A token column may arrive as float32 for an int32 model input: the graph takes the input's own type.
    const cast = inputs.map((x, i) => (x.dtype === this.modelInputs[i].dtype ? x : tf.cast(x, this.modelInputs[i].dtype)));
    const targetFloat = target.dtype === 'float32' ? target : tf.cast(target, 'float32');
    const rowWeights = this.classWeights ? [sampleWeights(this.classWeights, targetFloat)] : [];
    try {
      const weights = this.graph.weightInputs.map((w) => w.variable.read());
      const outputs = this.backend.runSavedModel(this.id, [...cast, targetFloat, ...rowWeights, ...masks, ...weights], this.feeds, this.fetches);
      const gradients: tf.NamedTensorMap = {};
      this.graph.weightInputs.forEach((w, i) => (gradients[(w.variable.read() as tf.Variable).name] = outputs[this.logCount + i]));
      return { logs: outputs.slice(0, this.logCount) as tf.Scalar[], gradients };
    } finally {
      tf.dispose([...cast.filter((x, i) => x !== inputs[i]), ...rowWeights]);
      if (targetFloat !== target) targetFloat.dispose();
    }
  }

  /** The probe's row weights, as the step computes them. */
  rowWeights(target: tf.Tensor): tf.Tensor1D | undefined {
    return this.classWeights ? sampleWeights(this.classWeights, target) : undefined;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.classWeights?.dispose();
    this.backend.deleteSavedModel(this.id);
  }
}

/** Probe rows as the prediction graph's probe makes them, and targets of the task's kind. */
function probeBatch(model: tf.LayersModel, loss: string): { inputs: tf.Tensor[]; target: tf.Tensor } {
  const inputs = probeInputs(model, PROBE_ROWS, 29);
  const columns = model.outputs[0].shape.at(-1) as number;
  const classes = Array.from({ length: PROBE_ROWS }, (_, row) => row % Math.max(2, columns));
  let target: tf.Tensor;
  if (loss === 'categoricalCrossentropy') target = tf.oneHot(classes.map((c) => c % columns), columns).toFloat();
  else if (loss === 'binaryCrossentropy') target = tf.tensor2d(classes.flatMap((c) => Array.from({ length: columns }, (_, k) => (c + k) % 2)), [PROBE_ROWS, columns]);
  else target = tf.randomUniform([PROBE_ROWS, columns], 0, 1, 'float32', 41);
  return { inputs, target };
}

/**
 * tfjs's own loss and gradients for the probe batch, as model.fit's step computes them: the loss function's rows,
 * times the sample weights when given, their mean, plus the layers' regularisation losses.
 */
function tfjsStep(model: tf.LayersModel, inputs: tf.Tensor[], target: tf.Tensor, training: boolean, rowWeights?: tf.Tensor): { loss: tf.Scalar; grads: tf.NamedTensorMap } {
  const lossFunction = (model as unknown as { lossFunctions: ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor)[] }).lossFunctions[0];
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => {
    const prediction = model.apply(inputs.length === 1 ? inputs[0] : inputs, { training }) as tf.Tensor;
    const rows = lossFunction(target, prediction);
    const loss = tf.mean(rowWeights ? tf.mul(rows, rowWeights) : rows) as tf.Scalar;
    return model.calculateLosses().reduce((total: tf.Scalar, penalty) => tf.add(total, penalty), loss);
  }, variables);
  return { loss: value, grads };
}

function relativeDifference(expected: tf.Tensor, actual: tf.Tensor): number {
  const e = expected.dataSync();
  const a = actual.dataSync();
  if (e.length !== a.length) return Infinity;
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < e.length; i++) {
    scale = Math.max(scale, Math.abs(e[i]));
    const d = Math.abs(e[i] - a[i]);
    worst = Number.isNaN(d) ? Infinity : Math.max(worst, d);
  }
  return worst / Math.max(scale, 1e-6);
}

/** The worst relative difference over the loss and every gradient, and what it was found in. */
function largestDifference(model: tf.LayersModel, step: TensorflowTrainingStep, graph: TrainingGraph): { difference: number; where: string } {
  return tf.tidy(() => {
    const { inputs, target } = probeBatch(model, model.loss as string);
    // Dropout off on both sides (tfjs's step in the inference phase, the graph's masks all ones): the rest must agree.
    const training = graph.dropoutInputs.length === 0;
    const expected = tfjsStep(model, inputs, target, training, step.rowWeights(target));
    const masks = graph.dropoutInputs.map((dropout) => tf.ones([PROBE_ROWS, ...dropout.shape.slice(1)]));
    const actual = step.runWith(inputs, target, masks);
    let worst = { difference: relativeDifference(expected.loss, actual.logs[0]), where: 'the loss' };
    for (const [name, grad] of Object.entries(expected.grads)) {
      const difference = actual.gradients[name] === undefined ? Infinity : relativeDifference(grad, actual.gradients[name]);
      if (!(difference <= worst.difference)) worst = { difference, where: `the gradient of ${name}` };
    }
    return worst;
  });
}

function emit(model: tf.LayersModel, options: TrainingStepOptions): TrainingGraph | CompilerSkip {
  const loss = model.loss;
  if (typeof loss !== 'string' || !isTrainingGraphLoss(loss)) return { skipped: `the loss ${JSON.stringify(loss)} has no training graph form` };
  try {
    return emitTrainingGraph(model, loss, model.metricsNames.slice(1), { sampleWeights: options.classWeight !== undefined });
  } catch (error) {
    if (error instanceof TrainingGraphRefusal) return { skipped: `the training step cannot be one graph: ${error.message}` };
    // The optional fast path must never end a run: a lowering's own error leaves training to tfjs, saying so.
    if (error instanceof PolymodalError) return { skipped: `the training graph could not be written (${error.message})` };
    throw error;
  }
}

async function compile(model: tf.LayersModel, info: BackendInfo, options: TrainingStepOptions = {}): Promise<CompiledTrainingStep | CompilerSkip> {
  const backend = savedModelBackend();
  if (backend === undefined) return { skipped: `the ${info.name} backend cannot run TensorFlow graphs (it has no tfjs-node SavedModel support)` };
  const graph = emit(model, options);
  if (isCompilerSkip(graph)) return graph;
  const ops = computingOps(graph.opCounts);
  let id: number;
  try {
    id = await loadGraph(backend, graph.bytes);
  } catch (error) {
    return { skipped: `TensorFlow did not load the training graph (${(error as Error).message.split('\n')[0]})` };
  }
  const step = new TensorflowTrainingStep(backend, id, graph, `TensorFlow graph (${ops} ops: forward, loss, gradients)`, options.classWeight);
  let check: { difference: number; where: string };
  try {
    check = largestDifference(model, step, graph);
  } catch (error) {
    step.dispose();
    return { skipped: `the training graph failed on a probe batch (${(error as Error).message.split('\n')[0]})` };
  }
  if (!(check.difference <= TRAINING_GRAPH_TOLERANCE)) {
    step.dispose();
    return { skipped: `the training graph differs from tfjs's step in ${check.where} by ${check.difference.toExponential(2)} of its scale (allowed ${TRAINING_GRAPH_TOLERANCE})` };
  }
  return step;
}

/** The compiler to pass to core's trainer (`train({ ..., compileTrainingStep })`) on the tensorflow backend. */
export function tensorflowTrainingGraph(): TrainingStepCompiler {
  return { name: TENSORFLOW_TRAINING_COMPILER, backends: ['tensorflow'], compile };
}
