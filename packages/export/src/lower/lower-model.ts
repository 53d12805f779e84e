/** A tfjs LayersModel (nested models included) lowered to the IR, call by call, in dependency order. */
import * as tf from '@tensorflow/tfjs';
import { PolymodalError } from '@polymodal/core';
import { GraphBuilder, type IrDType, type IrGraph } from '../ir/graph.js';
import { prune } from '../ir/prune.js';
import type { LoweringContext } from './context.js';
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

class ModelLowering implements LoweringContext {
  constructor(readonly g: GraphBuilder) {}

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
  const g = new GraphBuilder();
  const inputs = model.inputs.map((input, i) => {
    const shape = input.shape.map((d) => d ?? -1);
    if (shape.slice(1).some((d) => d < 0)) throw new PolymodalError(`export: the model input "${model.inputNames[i]}" has a dimension of unknown size [${input.shape.join(', ')}]`, { exitCode: 2 });
    return g.input(model.inputNames[i], shape, dtypeOf(input)).name;
  });
  // Reserved first, so no layer's value takes the name the output should have.
  const outputNames = model.outputNames.map((name) => g.uniqueName(name));
  const outputs = new ModelLowering(g).lowerModel(model, inputs);
  outputs.forEach((value, i) => {
    g.markOutput(g.nodeAs(outputNames[i], 'Identity', [value], g.value(value).shape, {}, g.value(value).dtype));
  });
  return prune(g.build());
}
