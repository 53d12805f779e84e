/**
 * model.fit's training step, computed through a LayerGraph (a wide concatenation's product by part) instead of
 * tfjs's executor: the same loss, class weights, metrics and regularisation penalties as tfjs's makeTrainFunction,
 * on the same tfjs ops, so it runs on every tfjs backend. Used where no step compiler serves the backend.
 */
import * as tf from '@tensorflow/tfjs';
import { LayerGraph } from '../model/layer-graph.js';
import type { CompiledTrainingStep, TrainingStepResult } from './compiled-step.js';

/** What tfjs's LayersModel keeps after compile (internal in tfjs's types). */
interface CompiledInternals {
  readonly lossFunctions: ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor)[];
  readonly metricsTensors: [(yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor, number][];
  /** The weights compile() collected: what fit differentiates, even if a layer's `trainable` changed since. */
  readonly collectedTrainableWeights: tf.LayerVariable[];
}

/** Each row's class weight, found from its target as tfjs's standardizeWeights finds the class, with its error. */
function rowWeights(classWeight: Record<number, number>, target: tf.Tensor): tf.Tensor1D {
  const classes = target.shape.length === 2 && target.shape[1]! > 1 ? tf.argMax(target, 1) : tf.reshape(target, [-1]);
  const found = Array.from(classes.dataSync());
  classes.dispose();
  const values = found.map((c) => {
    if (classWeight[c] == null) throw new Error(`classWeight must contain all classes in the training data. The class ${c} exists in the data but not in classWeight`);
    return classWeight[c];
  });
  return tf.tensor1d(values, 'float32');
}

export class LayerGraphStep implements CompiledTrainingStep {
  readonly description: string;

  constructor(private readonly model: tf.LayersModel, private readonly graph: LayerGraph, private readonly classWeight?: Record<number, number>) {
    this.description = graph.description;
  }

  run(inputs: readonly tf.Tensor[], target: tf.Tensor): TrainingStepResult {
    const { lossFunctions, metricsTensors, collectedTrainableWeights } = this.model as unknown as CompiledInternals;
    const weights = this.classWeight ? rowWeights(this.classWeight, target) : undefined;
    const metrics: tf.Scalar[] = [];
    try {
      const variables = collectedTrainableWeights.map((weight) => weight.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => {
        const prediction = this.graph.apply(inputs, true);
        const rows = lossFunctions[0](target, prediction);
        // As makeTrainFunction: the metrics inside the loss function, unweighted; the loss weighted, then averaged.
        for (const [metric] of metricsTensors) metrics.push(tf.keep(tf.mean(metric(target, prediction)) as tf.Scalar));
        const loss = tf.mean(weights ? tf.mul(rows, weights) : rows) as tf.Scalar;
        return this.model.calculateLosses().reduce((total: tf.Scalar, penalty) => tf.add(total, penalty), loss);
      }, variables);
      return { logs: [value, ...metrics], gradients: grads };
    } catch (error) {
      tf.dispose(metrics);
      throw error;
    } finally {
      weights?.dispose();
    }
  }

  /** Nothing to free: the step keeps no tensors between batches (the graph reads the model's own weights). */
  dispose(): void {}
}

/**
 * model.evaluate through the layer graph: per batch of `batchSize` rows the mean loss (unweighted, no penalties)
 * and each metric's mean, as tfjs's makeTestFunction, averaged over the rows as its testLoop does; in
 * model.metricsNames order.
 */
export function evaluateOnGraph(model: tf.LayersModel, graph: LayerGraph, inputs: readonly tf.Tensor[], target: tf.Tensor, batchSize: number): number[] {
  const { lossFunctions, metricsTensors } = model as unknown as CompiledInternals;
  const rows = target.shape[0];
  // Summed as tensors and read once, as testLoop does: no synchronous read per batch.
  const sums = tf.tidy(() => {
    let total: tf.Tensor | undefined;
    for (let start = 0; start < rows; start += batchSize) {
      const size = Math.min(batchSize, rows - start);
      const expected = target.slice(start, size);
      const prediction = graph.apply(inputs.map((x) => x.slice(start, size)), false);
      const values = [lossFunctions[0](expected, prediction), ...metricsTensors.map(([metric]) => metric(expected, prediction))];
      const weighted = tf.mul(tf.stack(values.map((value) => tf.mean(value))), size);
      total = total ? tf.add(total, weighted) : weighted;
    }
    return total ? tf.div(total, rows) : tf.zeros([1 + metricsTensors.length]);
  });
  const means = Array.from(sums.dataSync());
  sums.dispose();
  return means;
}

/** The step for `model` (compiled), or undefined where the graph has nothing to split (model.fit is then as fast). */
export function layerGraphStep(model: tf.LayersModel, classWeight?: Record<number, number>): LayerGraphStep | undefined {
  const graph = LayerGraph.of(model);
  return graph ? new LayerGraphStep(model, graph, classWeight) : undefined;
}
