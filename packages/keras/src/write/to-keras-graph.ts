/** Translates a tfjs LayersModel into the Keras 3 functional graph it is equivalent to. */
import type * as tf from '@tensorflow/tfjs';
import { PolymodalError } from '@polymodal/core';
import { BUILTIN_MAPPERS } from './builtin-mappers.js';
import { emptyGroup, type KerasGraph, type KerasLayer, type TensorRef } from './keras-graph.js';
import { MISSING_INPUT_MAPPERS } from './missing-input-mappers.js';
import { POLYMODAL_MAPPERS, REFUSED_LAYERS } from './polymodal-mappers.js';
import { noKerasTwin, weightsOf, type LayerMapper, type MappedLayer, type SourceCall, type SourceLayer, type TensorSpec } from './tfjs-source.js';

/** The tfjs layer classes an export can translate, by tfjs class name. */
export const KERAS_MAPPERS: ReadonlyMap<string, LayerMapper> = new Map([...BUILTIN_MAPPERS, ...POLYMODAL_MAPPERS, ...MISSING_INPUT_MAPPERS]);

/** tfjs internals the translation reads: each call of a layer (a graph node) and the tensors it links. */
interface SymbolicLike {
  readonly sourceLayer: tf.layers.Layer;
  readonly nodeIndex: number;
  readonly tensorIndex: number;
  readonly shape: readonly (number | null)[];
  readonly dtype: string;
}
interface NodeLike {
  readonly inputTensors: readonly SymbolicLike[];
  readonly outputTensors: readonly SymbolicLike[];
  readonly callArgs?: Record<string, unknown>;
}
type LayerWithNodes = tf.layers.Layer & { readonly inboundNodes: readonly NodeLike[] };

const key = (layer: string, node: number, tensor: number) => `${layer}\u0000${node}\u0000${tensor}`;

function mapperFor(layer: tf.layers.Layer): LayerMapper {
  const className = layer.getClassName();
  const mapper = KERAS_MAPPERS.get(className);
  if (mapper) return mapper;
  const refused = REFUSED_LAYERS.get(className);
  if (refused) throw noKerasTwin({ name: layer.name, className }, refused.what, refused.hint);
  throw new PolymodalError(`layer "${layer.name}" (${className}) has no Keras 3 equivalent in Polymodal's export, so the model cannot be exported to Keras`, {
    hint: `Layers that export: InputLayer, ${[...KERAS_MAPPERS.keys()].join(', ')}. Export this model with --format onnx or --format tfjs-graph instead.`,
    exitCode: 2,
  });
}

/** A layer and the calls of it that belong to the graph being translated, with their tfjs node indices. */
interface LayerCalls {
  readonly layer: LayerWithNodes;
  readonly nodes: readonly { readonly index: number; readonly node: NodeLike }[];
}

function sourceLayer({ layer, nodes }: LayerCalls, scope: Scope): SourceLayer {
  const weights = weightsOf(layer);
  const calls: SourceCall[] = nodes.map(({ node }) => ({
    inputs: node.inputTensors.map((t) => scope.translate(t)),
    outputs: node.outputTensors.map((t): TensorSpec => ({ shape: [...t.shape], dtype: t.dtype })),
    kwargs: node.callArgs ?? {},
  }));
  const className = layer.getClassName();
  return {
    layer,
    name: layer.name,
    className,
    config: layer.getConfig() as Record<string, unknown>,
    calls,
    hasWeight: (name) => weights.has(name),
    weight(name) {
      const weight = weights.get(name);
      if (!weight) throw new Error(`layer "${layer.name}" (${className}) has no weight "${name}"; it has ${[...weights.keys()].join(', ') || 'none'}`);
      return weight;
    },
  };
}

function inputLayer(layer: LayerWithNodes): MappedLayer {
  const output = layer.inboundNodes[0].outputTensors[0];
  const kerasLayer: KerasLayer = {
    name: layer.name,
    className: 'InputLayer',
    config: { batch_shape: [...output.shape], dtype: output.dtype, sparse: false, ragged: false, optional: false },
    trainable: true,
    calls: [],
    weights: emptyGroup(layer.name),
  };
  return { layers: [kerasLayer], outputs: [[{ layer: layer.name, node: 0, tensor: 0, shape: [...output.shape], dtype: output.dtype }]] };
}

/** tfjs tensors translated so far into the Keras graph, by (layer, node, tensor). */
class Scope {
  private readonly refs = new Map<string, TensorRef>();

  has(t: SymbolicLike): boolean {
    return this.refs.has(key(t.sourceLayer.name, t.nodeIndex, t.tensorIndex));
  }

  translate(t: SymbolicLike): TensorRef {
    const ref = this.refs.get(key(t.sourceLayer.name, t.nodeIndex, t.tensorIndex));
    if (!ref) throw new Error(`tensor ${t.sourceLayer.name}[${t.nodeIndex}][${t.tensorIndex}] is used before its layer was translated`);
    return ref;
  }

  set(layer: string, node: number, tensor: number, ref: TensorRef): void {
    this.refs.set(key(layer, node, tensor), ref);
  }
}

/**
 * The calls of `layer` whose inputs are all in `scope`: those of the model being translated. A layer also holds
 * nodes from elsewhere (a backbone's layers, from the model it was cut from; a block's sublayers, from its build).
 */
function callsIn(layer: LayerWithNodes, scope: Scope): LayerCalls {
  return { layer, nodes: layer.inboundNodes.map((node, index) => ({ index, node })).filter(({ node }) => node.inputTensors.every((t) => scope.has(t))) };
}

const isModel = (layer: tf.layers.Layer): layer is tf.LayersModel & LayerWithNodes => Array.isArray((layer as Partial<tf.LayersModel>).layers);

/**
 * A model used as a layer (an image/pretrained backbone) is written inline: its layers join the outer graph,
 * its inputs wired to the call's inputs, so Keras sees one flat functional model.
 */
function inlineModel(inner: tf.LayersModel & LayerWithNodes, { nodes }: LayerCalls, scope: Scope, layers: KerasLayer[]): void {
  if (nodes.length !== 1) throw noKerasTwin({ name: inner.name, className: inner.getClassName() }, 'a nested model called more than once');
  const [{ index, node }] = nodes;
  const innerScope = new Scope();
  inner.inputs.forEach((input, i) => innerScope.set(input.sourceLayer.name, input.nodeIndex, input.tensorIndex, scope.translate(node.inputTensors[i])));
  translateLayers(inner.layers as LayerWithNodes[], innerScope, layers, true);
  inner.outputs.forEach((output, tensor) => scope.set(inner.name, index, tensor, innerScope.translate(output as unknown as SymbolicLike)));
}

/** Translates `modelLayers` (tfjs order: every input before its use) into `layers`, recording outputs in `scope`. */
function translateLayers(modelLayers: readonly LayerWithNodes[], scope: Scope, layers: KerasLayer[], nested: boolean): void {
  for (const layer of modelLayers) {
    const className = layer.getClassName();
    if (className === 'InputLayer') {
      if (nested) continue; // wired to the outer call's inputs
      const mapped = inputLayer(layer);
      layers.push(...mapped.layers);
      scope.set(layer.name, 0, 0, mapped.outputs[0][0]);
      continue;
    }
    const calls = callsIn(layer, scope);
    if (isModel(layer)) {
      inlineModel(layer, calls, scope, layers);
      continue;
    }
    const mapped = mapperFor(layer)(sourceLayer(calls, scope));
    layers.push(...mapped.layers);
    mapped.outputs.forEach((outputs, call) => outputs.forEach((ref, tensor) => scope.set(layer.name, calls.nodes[call].index, tensor, ref)));
  }
}

/** Every layer of `model` becomes one or more Keras layers; tensors are re-linked through the outputs each mapping reports. */
export function toKerasGraph(model: tf.LayersModel): KerasGraph {
  const scope = new Scope();
  const layers: KerasLayer[] = [];
  translateLayers(model.layers as LayerWithNodes[], scope, layers, false);
  const names = new Set<string>();
  for (const { name } of layers) {
    if (names.has(name)) throw new PolymodalError(`the Keras model would hold two layers named "${name}" (a nested backbone's layer has the name of another layer)`, { hint: 'Rename one of them (a backbone\'s layers keep the names they were saved with).', exitCode: 2 });
    names.add(name);
  }
  const ends = (tensors: readonly tf.SymbolicTensor[]) => tensors.map((t) => scope.translate(t as unknown as SymbolicLike));
  return { name: model.name, layers, inputs: ends(model.inputs), outputs: ends(model.outputs) };
}
