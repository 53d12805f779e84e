/** A tfjs LayersModel (nested models included) lowered to the IR, call by call, in dependency order. */
import * as tf from '@tensorflow/tfjs';
import { PolymodalError } from '@polymodal/core';
import { GraphBuilder, type IrDType, type IrGraph } from '../ir/graph.js';
import { mul, reshape } from '../ir/ops.js';
import { prune } from '../ir/prune.js';
import { weightData, type LoweringContext } from './context.js';
import { LAYER_LOWERINGS, SUPPORTED_LAYERS } from './registry.js';

interface LayerCall {
  readonly layer: tf.layers.Layer;
  readonly inputs: readonly tf.SymbolicTensor[];
  readonly outputs: readonly tf.SymbolicTensor[];
}

const NESTED_MODEL_CLASSES = new Set(['Functional', 'Model', 'Sequential']);

function isNestedModel(layer: tf.layers.Layer): layer is tf.LayersModel {
  return NESTED_MODEL_CLASSES.has(layer.getClassName()) && Array.isArray((layer as unknown as tf.LayersModel).inputs);
}

function callsOf(model: tf.LayersModel): LayerCall[] {
  const calls: LayerCall[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    for (const node of layer.inboundNodes) calls.push({ layer, inputs: node.inputTensors, outputs: node.outputTensors });
  }
  return calls;
}

function refuseUnknown(layer: tf.layers.Layer): PolymodalError {
  return new PolymodalError(`export: layer "${layer.name}" of class ${layer.getClassName()} has no ONNX / TensorFlow graph lowering`, {
    hint: `Supported layers: ${SUPPORTED_LAYERS.join(', ')}. Use --format keras, or ask for that layer's lowering in @polymodal/export.`,
    exitCode: 2,
  });
}

/** A trainable weight that a training lowering made a graph input. */
export interface WeightInput {
  readonly variable: tf.LayerVariable;
  /** The graph input's name. */
  readonly input: string;
}

/** A Dropout layer's training-time multiplier, fed each step: floor(uniform + keep) / keep, as tf.dropout draws it. */
export interface DropoutInput {
  readonly layer: tf.layers.Layer;
  readonly rate: number;
  /** The graph input's name. */
  readonly input: string;
  /** The mask's shape, the layer input's (-1 the batch). */
  readonly shape: readonly number[];
}

class ModelLowering implements LoweringContext {
  /** Trainable weights in the order their inputs were made, when lowering for training; else undefined. */
  readonly weightInputs?: WeightInput[];
  readonly dropoutInputs: DropoutInput[] = [];

  constructor(readonly g: GraphBuilder, trainable = false) {
    if (trainable) this.weightInputs = [];
  }

  /** At inference x; for training, x times a mask input (Dropout's call in the training phase, 0 < rate < 1). */
  dropout(layer: tf.layers.Layer, x: string): string {
    const config = layer.getConfig();
    const rate = Number(config['rate'] ?? 0);
    if (this.weightInputs === undefined || !(rate > 0 && rate < 1)) return x;
    if (config['noiseShape'] != null) throw new PolymodalError(`export: layer "${layer.name}" (Dropout): a noiseShape cannot be trained as a graph`, { exitCode: 2 });
    const shape = this.g.value(x).shape;
    const input = this.g.input(`${layer.name}/dropout_mask`, shape, 'float32').name;
    this.dropoutInputs.push({ layer, rate, input, shape });
    return mul(this.g, x, input, layer.name);
  }

  weight(variable: tf.LayerVariable, name: string, shape: readonly number[]): string {
    if (this.weightInputs === undefined || !variable.trainable) return this.g.constant(name, weightData(variable), shape);
    let input = this.weightInputs.find((w) => w.variable === variable)?.input;
    if (input === undefined) {
      input = this.g.input(name, variable.shape as number[], 'float32').name;
      this.weightInputs.push({ variable, input });
    }
    const own = variable.shape as number[];
    return own.length === shape.length && own.every((d, i) => d === shape[i]) ? input : reshape(this.g, input, shape, `${name}/reshaped`);
  }

  lowerLayer(layer: tf.layers.Layer, inputs: readonly string[]): string[] {
    const lowering = LAYER_LOWERINGS.get(layer.getClassName());
    if (lowering === undefined) throw refuseUnknown(layer);
    return lowering(layer, inputs, this);
  }

  /**
   * Lowers the calls of `model`'s layers that its inputs reach (a layer taken from another model, such as a
   * pretrained backbone, also has calls that belong to that model). Returns the outputs' value names.
   */
  lowerModel(model: tf.LayersModel, inputs: readonly string[]): string[] {
    const valueOf = new Map<number, string>();
    model.inputs.forEach((input, i) => valueOf.set(input.id, inputs[i]));
    let pending = callsOf(model);
    while (pending.length > 0) {
      const ready = pending.filter((call) => call.inputs.every((t) => valueOf.has(t.id)));
      if (ready.length === 0) break;
      for (const call of ready) {
        const names = call.inputs.map((t) => valueOf.get(t.id)!);
        const outputs = isNestedModel(call.layer) ? this.lowerModel(call.layer, names) : this.lowerLayer(call.layer, names);
        call.outputs.forEach((t, i) => valueOf.set(t.id, outputs[i]));
      }
      pending = pending.filter((call) => !ready.includes(call));
    }
    return model.outputs.map((output) => {
      const name = valueOf.get(output.id);
      if (name === undefined) throw new PolymodalError(`export: the model's output "${output.name}" is not reached from its inputs`, { exitCode: 70 });
      return name;
    });
  }
}

function dtypeOf(tensor: tf.SymbolicTensor): IrDType {
  if (tensor.dtype === 'float32' || tensor.dtype === 'int32') return tensor.dtype;
  throw new PolymodalError(`export: the model input "${tensor.name}" has dtype ${tensor.dtype}; only float32 and int32 inputs can be exported`, { exitCode: 2 });
}

/** Lowers the whole model: graph inputs and outputs take the model's input and output layer names. */
export function lowerLayersModel(model: tf.LayersModel): IrGraph {
  return lowerWith(model, new ModelLowering(new GraphBuilder()));
}

/**
 * The model for a training graph: its trainable weights are graph inputs (after the model's own inputs, in
 * `weightInputs`' order), so the caller feeds the variables' current values; frozen weights stay constants. Each
 * Dropout is its input times a mask input (`dropoutInputs`), drawn by the caller each step.
 */
export function lowerForTraining(model: tf.LayersModel): { graph: IrGraph; weightInputs: readonly WeightInput[]; dropoutInputs: readonly DropoutInput[] } {
  const lowering = new ModelLowering(new GraphBuilder(), true);
  return { graph: lowerWith(model, lowering), weightInputs: lowering.weightInputs!, dropoutInputs: lowering.dropoutInputs };
}

function lowerWith(model: tf.LayersModel, lowering: ModelLowering): IrGraph {
  const { g } = lowering;
  const inputs = model.inputs.map((input, i) => {
    const shape = input.shape.map((d) => d ?? -1);
    if (shape.slice(1).some((d) => d < 0)) throw new PolymodalError(`export: the model input "${model.inputNames[i]}" has a dimension of unknown size [${input.shape.join(', ')}]`, { exitCode: 2 });
    return g.input(model.inputNames[i], shape, dtypeOf(input)).name;
  });
  // Reserved first, so no layer's value takes the name the output should have.
  const outputNames = model.outputNames.map((name) => g.uniqueName(name));
  const outputs = lowering.lowerModel(model, inputs);
  outputs.forEach((value, i) => {
    g.markOutput(g.nodeAs(outputNames[i], 'Identity', [value], g.value(value).shape, {}, g.value(value).dtype));
  });
  return prune(g.build());
}
