/**
 * A model's whole training step (forward pass, loss, metrics and every trainable weight's gradient) as one frozen
 * TensorFlow graph in a SavedModel. The weights are fed, not stored, so the same graph serves every step while the
 * optimizer updates the variables outside it. Dropout's masks are fed too (drawn as tf.dropout draws them). Apart
 * from that only what behaves the same in training as at inference is taken (no spatial dropout, noise or batch
 * normalisation, no weight constraints); L1L2 regularisers add their penalties, class weights weigh the rows.
 * Anything else is a refusal, and the trainer keeps tfjs's step.
 */
import type * as tf from '@tensorflow/tfjs';
import { PolymodalError } from '@polymodal/core';
import { decompose } from '../ir/decompose.js';
import { COMPOSITE_OPS, type IrGraph, type IrValue } from '../ir/graph.js';
import { prune } from '../ir/prune.js';
import { splitConcatProducts } from '../ir/split-concat-products.js';
import { configOf } from '../lower/context.js';
import { lowerForTraining, type DropoutInput, type WeightInput } from '../lower/lower-model.js';
import { encodeSavedModel } from '../saved-model/emit-saved-model.js';
import type { BlockLstmParts } from '../tfjs-graph/block-lstm.js';
import { emitNode } from '../tfjs-graph/emit-graph-def.js';
import { dtypeAttr, GraphDefWriter } from '../tfjs-graph/graph-def-writer.js';
import { GRADIENT_RULES, type GradientContext } from './gradient-rules.js';
import { emitLoss, type TrainingGraphLoss } from './loss-graph.js';
import { TrainingGraphRefusal } from './refusal.js';
import { emitPenalty, penaltiesOf } from './regularisation.js';
import { TfOps } from './tf-ops.js';

export interface TrainingGraph {
  readonly bytes: Uint8Array;
  /** What each step feeds, in order: the model's inputs, the target (and sample weights), the dropout masks, the trainable weights. */
  readonly feeds: readonly IrValue[];
  /** The first of `feeds`: the model's own inputs. */
  readonly modelInputs: readonly IrValue[];
  readonly dropoutInputs: readonly DropoutInput[];
  readonly weightInputs: readonly WeightInput[];
  /** What each step fetches, in order: the loss, the metrics, then one gradient per weight input. */
  readonly fetches: readonly IrValue[];
  readonly opCounts: Record<string, number>;
}

/** Layers whose training-time call differs from their inference call, with the option that makes it so. */
const TRAINING_ONLY_BEHAVIOUR: Readonly<Record<string, readonly string[]>> = {
  SpatialDropout1D: ['rate'], SpatialDropout2D: ['rate'], AlphaDropout: ['rate'], GaussianDropout: ['rate'], GaussianNoise: ['stddev'],
  PolymodalLSTM: ['dropout', 'recurrentDropout'], PolymodalGRU: ['dropout', 'recurrentDropout'],
  PolymodalMultiHeadAttention: ['dropout'], PolymodalTransformerEncoderBlock: ['dropout'],
};
const BATCH_STATISTICS = new Set(['BatchNormalization', 'PolymodalBatchNormalization']);

function allLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.flatMap((layer) => {
    const nested = layer as unknown as tf.LayersModel;
    return Array.isArray(nested.layers) && Array.isArray(nested.inputs) ? [layer, ...allLayers(nested)] : [layer];
  });
}

function refuseTrainingBehaviour(model: tf.LayersModel): void {
  for (const layer of allLayers(model)) {
    const who = `layer "${layer.name}" (${layer.getClassName()})`;
    if (BATCH_STATISTICS.has(layer.getClassName())) throw new TrainingGraphRefusal(`${who} uses batch statistics in training`);
    const config = configOf(layer);
    const active = (TRAINING_ONLY_BEHAVIOUR[layer.getClassName()] ?? []).filter((option) => Number(config[option] ?? 0) > 0);
    if (active.length > 0) throw new TrainingGraphRefusal(`${who} has ${active.map((o) => `${o} ${String(config[o])}`).join(', ')}, which acts in training only`);
    const constrained = layer.trainableWeights.find((weight) => weight.constraint != null);
    if (constrained) throw new TrainingGraphRefusal(`${who} constrains its weight ${constrained.originalName}`);
  }
}

function refuseFoldedWeights(model: tf.LayersModel, weightInputs: readonly WeightInput[]): void {
  const fed = new Set(weightInputs.map((w) => w.variable));
  const folded = model.trainableWeights.find((weight) => !fed.has(weight));
  if (folded) throw new TrainingGraphRefusal(`the trainable weight ${folded.originalName} is folded into a constant by its layer's lowering`);
}

/** Values that depend on a trainable weight: only these need gradients. */
function dependsOnWeights(graph: IrGraph, weightInputs: readonly WeightInput[]): Set<string> {
  const reached = new Set(weightInputs.map((w) => w.input));
  for (const node of graph.nodes) if (node.inputs.some((input) => reached.has(input))) reached.add(node.output);
  return reached;
}

/** The gradients reaching each value, summed (AddN) where it is read. */
type Contributions = Map<string, string[]>;

function addGradient(contributions: Contributions, name: string, grad: string): void {
  contributions.set(name, [...(contributions.get(name) ?? []), grad]);
}

function backpropagate(ctx: GradientContext, graph: IrGraph, reached: ReadonlySet<string>, output: string, outputGrad: string): Contributions {
  const contributions: Contributions = new Map([[output, [outputGrad]]]);
  for (const node of [...graph.nodes].reverse()) {
    const reaching = contributions.get(node.output);
    if (reaching === undefined || !reached.has(node.output)) continue;
    const rule = GRADIENT_RULES.get(node.op);
    if (rule === undefined) throw new TrainingGraphRefusal(`the op ${node.op} (${node.output}) has no gradient in the training graph`);
    const dy = ctx.ops.addN(reaching, `${node.output}/grad_sum`);
    const wants = node.inputs.map((input) => reached.has(input));
    rule(ctx, node, dy, wants).forEach((grad, i) => {
      if (grad !== undefined && wants[i]) addGradient(contributions, node.inputs[i], grad);
    });
  }
  return contributions;
}

export interface TrainingGraphOptions {
  /** Weigh each row's loss by its class (tfjs's classWeight): the graph then takes a [batch] sample weight. */
  readonly sampleWeights?: boolean;
}

export function emitTrainingGraph(model: tf.LayersModel, loss: TrainingGraphLoss, metrics: readonly string[], options: TrainingGraphOptions = {}): TrainingGraph {
  refuseTrainingBehaviour(model);
  let lowered: ReturnType<typeof lowerForTraining>;
  try {
    lowered = lowerForTraining(model);
  } catch (error) {
    if (error instanceof PolymodalError) throw new TrainingGraphRefusal(error.message);
    throw error;
  }
  const { weightInputs, dropoutInputs } = lowered;
  refuseFoldedWeights(model, weightInputs);
  const penalties = penaltiesOf(allLayers(model), weightInputs);
  const graph = splitConcatProducts(prune(decompose(lowered.graph, new Set(COMPOSITE_OPS.filter((op) => op !== 'LSTM')))));
  if (graph.outputs.length !== 1) throw new TrainingGraphRefusal(`the model has ${graph.outputs.length} outputs; the training graph takes one`);
  const prediction = graph.outputs[0];
  const w = new GraphDefWriter(graph, true);
  const ops = new TfOps(w);
  const target: IrValue = { name: w.fresh('polymodal_target'), shape: prediction.shape, dtype: 'float32' };
  const sampleWeight: IrValue | undefined = options.sampleWeights ? { name: w.fresh('polymodal_sample_weight'), shape: [-1], dtype: 'float32' } : undefined;
  const targets = sampleWeight ? [target, sampleWeight] : [target];
  for (const input of [...graph.inputs, ...targets]) w.placeholder(input);
  const lstmParts = new Map<string, BlockLstmParts>();
  for (const node of graph.nodes) {
    const parts = emitNode(w, node);
    if (parts !== undefined) lstmParts.set(node.output, parts);
  }
  const lossParts = emitLoss({
    ops, prediction: prediction.name, target: target.name, rank: prediction.shape.length, columns: prediction.shape.at(-1)!, sampleWeight: sampleWeight?.name,
  }, loss, metrics);
  const contributions = backpropagate({ ops, graph, lstmParts }, graph, dependsOnWeights(graph, weightInputs), prediction.name, lossParts.outputGrad);
  const penaltyValues = penalties.map((penalty, i) => {
    const { value, grad } = emitPenalty(ops, penalty, i);
    addGradient(contributions, penalty.input, grad);
    return value;
  });
  const totalLoss = ops.addN([lossParts.loss, ...penaltyValues], 'polymodal_total_loss');
  const fetch = (name: string, value: string, shape: readonly number[]): IrValue => {
    const fetched: IrValue = { name: w.fresh(name), shape, dtype: 'float32' };
    w.node(fetched.name, 'Identity', [value], { T: dtypeAttr('float32') });
    return fetched;
  };
  const fetches = [
    fetch('polymodal_loss', totalLoss, []),
    ...lossParts.metrics.map((metric, i) => fetch(`polymodal_metric_${i}`, metric, [])),
    ...weightInputs.map(({ input }, i) => {
      const grads = contributions.get(input);
      const grad = grads === undefined ? ops.unary('ZerosLike', input, `${input}/no_grad`) : ops.addN(grads, `${input}/grad_sum`);
      return fetch(`polymodal_gradient_${i}`, grad, graph.values.get(input)!.shape);
    }),
  ];
  const fed = new Set([...weightInputs, ...dropoutInputs].map((x) => x.input));
  const valueOf = (x: { input: string }) => graph.values.get(x.input)!;
  const modelInputs = graph.inputs.filter((input) => !fed.has(input.name));
  const feeds = [...modelInputs, ...targets, ...dropoutInputs.map(valueOf), ...weightInputs.map(valueOf)];
  return { bytes: encodeSavedModel(w.graphDef(), feeds, fetches), feeds, modelInputs, dropoutInputs, weightInputs, fetches, opCounts: w.opCounts() };
}
