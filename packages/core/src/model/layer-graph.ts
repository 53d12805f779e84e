/**
 * A model's layers run as tfjs's own executor runs them (model.fit, model.predict), with one rewrite: a Dense layer
 * that reads a wide concatenation alone computes its product one part at a time (concat(a, b) . W = a . W_a + b . W_b),
 * so the concatenation is never copied together and its gradient never sliced apart. On the article's model that copy
 * is the 15.7 MB of flattened convolution features per 32 rows, twice a training step. The saved model is untouched:
 * the layers, their weights and the model's topology stay tfjs's; only how a step walks them differs.
 */
import * as tf from '@tensorflow/tfjs';
import { ConvolvedPart } from './convolved-part.js';

type Layer = tf.layers.Layer;
type Symbolic = tf.SymbolicTensor;
type Kwargs = Record<string, unknown>;

/** Below this width the concatenation's copy costs less than the extra products' dispatch. */
const MIN_SPLIT_WIDTH = 4096;
/** Above this many units the product dwarfs the copy: splitting gains nothing. */
const MAX_SPLIT_UNITS = 16;

/** What tfjs's Dense keeps (its fields are private in tfjs's types). */
interface DenseInternals {
  readonly kernel: { read(): tf.Tensor };
  readonly bias: { read(): tf.Tensor } | null;
  readonly activation: { apply(x: tf.Tensor): tf.Tensor };
}

/** A Dense layer whose one input is a Concatenate layer's output that nothing else reads. */
interface SplitProduct {
  readonly concat: Layer;
  readonly widths: readonly number[];
  /** By part: the relu Conv2D and Flatten that make it from a model input, whose product then runs with them. */
  readonly convolved: readonly (ConvolvedPart | null)[];
  /** What the Dense reads, by part: the part, or the model input of its convolved part. */
  readonly sources: readonly Symbolic[];
}

function isLastAxisConcat(layer: Layer): boolean {
  if (layer.getClassName() !== 'Concatenate') return false;
  const axis = (layer.getConfig() as { axis?: number }).axis ?? -1;
  const inputs = layer.inboundNodes[0].inputTensors;
  // tfjs's concat takes the first part's dtype (an int32 first part truncates the others): float32 parts only.
  return inputs.every((input) => input.shape.length === 2 && input.dtype === 'float32') && (axis === -1 || axis === 1);
}

/** The splits of `model`: by the Dense layer, its concatenation's parts. */
function findSplits(model: tf.LayersModel): Map<Layer, SplitProduct> {
  const splits = new Map<Layer, SplitProduct>();
  const outputs = new Set(model.outputs.map((output) => output.id));
  const inputs = new Set(model.inputs.map((input) => input.name));
  for (const concat of model.layers) {
    if (!isLastAxisConcat(concat) || concat.outboundNodes.length !== 1) continue;
    const dense = concat.outboundNodes[0].outboundLayer;
    const concatOutput = concat.inboundNodes[0].outputTensors[0];
    if (!dense || dense.getClassName() !== 'Dense' || dense.inboundNodes.length !== 1 || outputs.has(concatOutput.id)) continue;
    const width = concatOutput.shape[1] as number;
    if (width < MIN_SPLIT_WIDTH || (dense.getConfig() as { units: number }).units > MAX_SPLIT_UNITS) continue;
    const parts = concat.inboundNodes[0].inputTensors;
    const convolved = parts.map((part) => ConvolvedPart.of(part, inputs, outputs));
    const sources = parts.map((part, i) => convolved[i]?.input ?? part);
    splits.set(dense, { concat, widths: parts.map((part) => part.shape[1] as number), convolved, sources });
  }
  return splits;
}

/**
 * One node and one output for every layer: a layer shared between nodes or models, or with several outputs (which
 * tfjs's executor applies once per output it needs), is left to tfjs.
 */
function hasSingleNodes(model: tf.LayersModel): boolean {
  return model.layers.every((layer) => layer.getClassName() === 'InputLayer' || (layer.inboundNodes.length === 1 && layer.inboundNodes[0].outputTensors.length === 1));
}

/**
 * Dense's product, one part of the kernel's rows at a time (a convolved part's with its convolution, from the model
 * input in `sources`), then its bias and activation, as Dense.call does.
 */
function splitProduct(dense: Layer, split: SplitProduct, sources: readonly tf.Tensor[]): tf.Tensor {
  return tf.tidy(() => {
    const { kernel, bias, activation } = dense as unknown as DenseInternals;
    // split, not slice: slice's gradient is a pad of each part to the kernel's size (PadV2, 4.5 ms per step on wasm
    // for the article's model); split's is one concatenation of the parts' gradients.
    const kernelParts = tf.split(kernel.read(), [...split.widths], 0);
    const products = sources.map((source, i) => split.convolved[i]?.product(source, kernelParts[i]) ?? tf.matMul(source, kernelParts[i]));
    const sum = products.length === 1 ? products[0] : tf.addN(products);
    const biased = bias ? tf.add(sum, bias.read()) : sum;
    return activation.apply(biased);
  });
}

/** A model's graph, found once: a predictor asks for it on every call. */
const graphs = new WeakMap<tf.LayersModel, LayerGraph | null>();

export class LayerGraph {
  private readonly order: Symbolic[];
  /** How many tensors of `order` read each tensor (tfjs's recipient counts), for disposing outside training. */
  private readonly readers = new Map<string, number>();
  /** The model's inputs and outputs: never disposed here. */
  private readonly kept: Set<string>;

  private constructor(private readonly model: tf.LayersModel, private readonly splits: Map<Layer, SplitProduct>) {
    this.order = this.topologicalOrder();
    this.kept = new Set([...model.inputs, ...model.outputs].map((symbolic) => symbolic.name));
    for (const symbolic of this.order) {
      for (const name of new Set(this.inputsOf(symbolic).map((input) => input.name))) this.readers.set(name, (this.readers.get(name) ?? 0) + 1);
    }
  }

  /**
   * The graph of `model` with its splits, or undefined when none applies (tfjs's own executor is then as fast) or
   * the model has several outputs (its step, evaluation and predictions take one).
   */
  static of(model: tf.LayersModel): LayerGraph | undefined {
    if (!graphs.has(model)) {
      const splits = model.outputs.length === 1 && hasSingleNodes(model) ? findSplits(model) : new Map();
      graphs.set(model, splits.size === 0 ? null : new LayerGraph(model, splits));
    }
    return graphs.get(model) ?? undefined;
  }

  /** For logs: which products run by part. */
  get description(): string {
    const names = [...this.splits].map(([dense, split]) => {
      const convolved = split.convolved.map((part) => part?.description).filter((line) => line != null);
      return `${split.concat.name} -> ${dense.name} (${split.widths.join(' + ')} columns${convolved.map((line) => `; ${line}`).join('')})`;
    });
    return `tfjs layers, each concatenation's product by part: ${names.join(', ')}`;
  }

  /** The inputs a tensor is computed from: a split Dense reads its concatenation's parts (a convolved part's model input). */
  private inputsOf(symbolic: Symbolic): readonly Symbolic[] {
    return this.splits.get(symbolic.sourceLayer)?.sources ?? symbolic.inputs;
  }

  /** tfjs's depth-first order from the outputs (executor.ts), so layers run, and draw dropout masks, in its order. */
  private topologicalOrder(): Symbolic[] {
    const visited = new Set<string>(this.model.inputs.map((input) => input.name));
    const sorted: Symbolic[] = [];
    for (const fetch of this.model.outputs) {
      const stack: Symbolic[] = [fetch];
      const marks: number[] = [];
      while (stack.length > 0) {
        const top = stack[stack.length - 1];
        if (visited.has(top.name)) {
          stack.pop();
          continue;
        }
        const marked = marks[marks.length - 1] === stack.length - 1;
        const inputs = this.inputsOf(top);
        if (inputs.length === 0 || marked) {
          stack.pop();
          sorted.push(top);
          visited.add(top.name);
          if (marked) marks.pop();
          continue;
        }
        marks.push(stack.length - 1);
        for (const input of inputs) if (!visited.has(input.name)) stack.push(input);
      }
    }
    return sorted;
  }

  /**
   * The model's output for `inputs` (in model.inputs order), as tfjs's executor computes it: each layer applied
   * with `{ training: true }` when training, the first input's mask passed on in one kwargs object that keeps the
   * last mask set (tfjs's rule); outside training each intermediate tensor is disposed after its last reader, as
   * tfjs does. Masks are left to the caller's tidy.
   */
  apply(inputs: readonly tf.Tensor[], training: boolean): tf.Tensor {
    const values = new Map<string, tf.Tensor>();
    const masks = new Map<string, tf.Tensor | null>();
    this.model.inputs.forEach((input, i) => values.set(input.name, inputs[i]));
    const readers = new Map(this.readers);
    const kwargs: Kwargs = training ? { training: true } : {};
    for (const symbolic of this.order) {
      const sources = this.inputsOf(symbolic);
      const inputValues = sources.map((source) => values.get(source.name)!);
      const inputMasks = sources.map((source) => masks.get(source.name) ?? null);
      if (inputMasks.some((mask) => mask !== null)) kwargs.mask = inputMasks[0];
      const { output, mask } = this.applyLayer(symbolic.sourceLayer, inputValues, inputMasks, kwargs);
      values.set(symbolic.name, output);
      masks.set(symbolic.name, mask);
      if (!training) this.release(sources, readers, values);
    }
    return values.get(this.model.outputs[0].name)!;
  }

  /** Disposes each source that no later layer reads (neither a model input or output, nor a stateful layer's). */
  private release(sources: readonly Symbolic[], readers: Map<string, number>, values: Map<string, tf.Tensor>): void {
    for (const source of sources) {
      const left = readers.get(source.name)! - 1;
      readers.set(source.name, left);
      if (left === 0 && !this.kept.has(source.name) && source.sourceLayer.stateful !== true) values.get(source.name)!.dispose();
    }
  }

  private applyLayer(layer: Layer, inputs: tf.Tensor[], masks: (tf.Tensor | null)[], kwargs: Kwargs): { output: tf.Tensor; mask: tf.Tensor | null } {
    const split = this.splits.get(layer);
    if (split && masks.every((mask) => mask === null)) return { output: splitProduct(layer, split, inputs), mask: null };
    let layerInputs = split ? this.partsOf(split, inputs, kwargs) : inputs;
    // tfjs's executor hands computeMask the masks with their nulls, which its types do not say.
    let layerMasks = masks as tf.Tensor[];
    if (split) {
      // A masked part (Polymodal's encoders pool sequences before fusion, so only a third party's) takes tfjs's path:
      // the concatenation, then the Dense with the concatenation's mask, as tfjs's executor hands it on.
      layerMasks = [split.concat.computeMask(layerInputs, layerMasks) as tf.Tensor];
      layerInputs = [split.concat.apply(layerInputs, kwargs) as tf.Tensor];
      if (layerMasks[0] != null) kwargs.mask = layerMasks[0];
    }
    const output = layer.apply(layerInputs, kwargs) as tf.Tensor;
    const mask = layer.supportsMasking ? layer.computeMask(layerInputs, layerMasks) : null;
    return { output, mask: Array.isArray(mask) ? mask[0] : mask };
  }

  /** The concatenation's parts from the Dense's sources: a convolved part's two layers applied to its model input. */
  private partsOf(split: SplitProduct, sources: readonly tf.Tensor[], kwargs: Kwargs): tf.Tensor[] {
    // A model input has no mask, so neither layer gets one (as from tfjs's executor).
    const unmasked = kwargs.training ? { training: true } : {};
    return sources.map((source, i) => {
      const part = split.convolved[i];
      return part ? part.flatten.apply(part.conv.apply(source, unmasked), unmasked) as tf.Tensor : source;
    });
  }
}
