// A Keras model config (Keras 3's config.json, or the `model_config` of a legacy .h5) as the tfjs-layers model JSON
// that tf.models.modelFromJSON reads: Keras 3 inbound nodes (`{ args, kwargs }` with `keras_history`) become tfjs's
// `[layer, node, tensor, {}]` lists, each layer config goes through its translator, Sequential models become a chain,
// nested models are inlined.
import { KERAS_TENSOR, unwrapKerasObject } from '../format/keras-objects.js';
import type { Config } from './layer-options.js';
import { checkUniqueNames, inlineModel, resolveInlined } from './inline-nested.js';
import { translateLayer } from './layer-translators.js';
import type { NodeRef, TfjsLayerJson, TfjsModelJson } from './tfjs-json.js';
import { unreadable, unsupported, type LayerOrigin } from './unsupported.js';

export type { TfjsLayerJson, TfjsModelJson } from './tfjs-json.js';


interface KerasLayerEntry {
  class_name: string;
  name?: string;
  config: Config;
  inbound_nodes?: unknown[];
}

export interface TopologyOptions {
  /** Fills unknown (null) dimensions of the input, batch excluded: e.g. [224, 224, 3] for a `(None, None, 3)` input. */
  inputShape?: readonly number[];
}

const MODEL_CLASSES = new Set(['Functional', 'Model', 'Sequential']);

/** The tfjs model JSON for a Keras model config, or a user error naming what cannot be imported. */
export function kerasToTfjsTopology(modelConfig: unknown, file: string, options: TopologyOptions = {}): TfjsModelJson {
  const model = unwrapKerasObject(modelConfig);
  if (!model || !MODEL_CLASSES.has(model.className)) {
    throw unreadable(file, `the model is a ${model?.className ?? 'nothing'}, not a Functional or Sequential model (subclassed models keep their code in Python)`);
  }
  const config = model.config;
  const name = typeof config.name === 'string' ? config.name : 'model';
  const entries = (config.layers ?? []) as KerasLayerEntry[];
  return model.className === 'Sequential' ? sequentialChain(entries, config, name, file, options) : functional(entries, config, name, file, options);
}

function layerName(entry: KerasLayerEntry): string {
  return String(entry.name ?? entry.config?.name);
}

function translateEntry(entry: KerasLayerEntry, file: string, options: TopologyOptions): { className: string; config: Config } {
  const origin: LayerOrigin = { file, layer: layerName(entry), className: entry.class_name };
  if (entry.class_name === 'InputLayer') return { className: 'InputLayer', config: inputConfig(entry.config, origin, options) };
  return translateLayer(entry.class_name, entry.config, origin);
}

/** Translated layers of one Keras layer entry: itself, or a nested model's layers (inlined, see inline-nested.ts). */
function layersOf(entry: KerasLayerEntry, inputs: NodeRef[][], file: string, options: TopologyOptions, inlined: Map<string, NodeRef[]>): TfjsLayerJson[] {
  const origin: LayerOrigin = { file, layer: layerName(entry), className: entry.class_name };
  if (MODEL_CLASSES.has(entry.class_name)) {
    if (inputs.length !== 1) throw unsupported(origin, `a nested model called ${inputs.length} times is not supported (once only)`);
    const inner = inlineModel(kerasToTfjsTopology(entry, file), inputs[0].map((ref) => resolveInlined(ref, inlined, file)), origin);
    inlined.set(origin.layer, inner.outputs);
    return inner.layers;
  }
  const translated = translateEntry(entry, file, options);
  const nodes = inputs.map((node) => node.map((ref) => resolveInlined(ref, inlined, file)));
  return [{ class_name: translated.className, name: origin.layer, config: translated.config, inbound_nodes: nodes }];
}

function inputConfig(config: Config, origin: LayerOrigin, options: TopologyOptions): Config {
  const shape = (config.batch_shape ?? config.batch_input_shape) as (number | null)[] | undefined;
  if (!Array.isArray(shape)) throw unsupported(origin, 'the input layer has no batch_shape');
  if (config.sparse === true || config.ragged === true) throw unsupported(origin, 'sparse and ragged inputs are not supported');
  return { name: origin.layer, batch_input_shape: withInputShape(shape, origin, options), dtype: 'float32', sparse: false };
}

function withInputShape(shape: (number | null)[], origin: LayerOrigin, options: TopologyOptions): (number | null)[] {
  const wanted = options.inputShape;
  if (!wanted) return shape;
  const inner = shape.slice(1);
  if (inner.length !== wanted.length || inner.some((d, i) => d !== null && d !== wanted[i])) {
    throw unsupported(origin, `the model takes inputs of shape [${shape.map(String).join(', ')}], not [null, ${wanted.join(', ')}]`,
      'Resize the inputs to the model\'s input size (for images: options.size and options.channels).');
  }
  return [shape[0] ?? null, ...wanted];
}

function functional(entries: KerasLayerEntry[], config: Config, name: string, file: string, options: TopologyOptions): TfjsModelJson {
  const inlined = new Map<string, NodeRef[]>();
  const layers = entries.flatMap((entry) => {
    const origin: LayerOrigin = { file, layer: layerName(entry), className: entry.class_name };
    return layersOf(entry, (entry.inbound_nodes ?? []).map((node) => inboundNode(node, origin)), file, options, inlined);
  });
  checkUniqueNames(layers, file);
  const outputs = endpoints(config.output_layers, file).map(([layer, node, tensor]) => resolveInlined([layer, node, tensor, {}], inlined, file));
  return { class_name: 'Model', config: { name, layers, input_layers: endpoints(config.input_layers, file), output_layers: outputs.map(([l, n, t]) => [l, n, t]) } };
}

function sequentialChain(entries: KerasLayerEntry[], config: Config, name: string, file: string, options: TopologyOptions): TfjsModelJson {
  const layers: TfjsLayerJson[] = [];
  const first = entries[0];
  const buildShape = (config.build_input_shape ?? first?.config?.batch_input_shape ?? first?.config?.batch_shape) as (number | null)[] | undefined;
  if (first?.class_name !== 'InputLayer') {
    if (!Array.isArray(buildShape)) throw unreadable(file, 'the Sequential model has no input shape (it was never built); build it (model.build(shape)) and save it again');
    const origin: LayerOrigin = { file, layer: `${name}_input`, className: 'InputLayer' };
    layers.push({ class_name: 'InputLayer', name: origin.layer, config: inputConfig({ batch_shape: buildShape }, origin, options), inbound_nodes: [] });
  }
  const inlined = new Map<string, NodeRef[]>();
  let previous: NodeRef | undefined = layers[0] && [layers[0].name, 0, 0, {}];
  for (const entry of entries) {
    layers.push(...layersOf(entry, previous ? [[previous]] : [], file, options, inlined));
    previous = inlined.get(layerName(entry))?.[0] ?? [layerName(entry), 0, 0, {}];
  }
  checkUniqueNames(layers, file);
  return { class_name: 'Model', config: { name, layers, input_layers: [[layers[0].name, 0, 0]], output_layers: [[previous![0], previous![1], previous![2]]] } };
}

/** Keras 3 writes `[name, node, tensor]` for one endpoint and a list of those for several. */
function endpoints(value: unknown, file: string): [string, number, number][] {
  if (!Array.isArray(value) || value.length === 0) throw unreadable(file, 'the model config has no input_layers or output_layers');
  const list = typeof value[0] === 'string' ? [value] : value;
  return list.map((v) => [String(v[0]), Number(v[1]), Number(v[2])]);
}

function inboundNode(node: unknown, origin: LayerOrigin): NodeRef[] {
  // Legacy (Keras 2): a list of [layer, node, tensor, kwargs].
  if (Array.isArray(node)) {
    return node.map((ref) => {
      checkCallKwargs((ref[3] ?? {}) as Config, origin);
      return [String(ref[0]), Number(ref[1]), Number(ref[2]), {}];
    });
  }
  const { args = [], kwargs = {} } = node as { args?: unknown[]; kwargs?: Config };
  checkCallKwargs(kwargs, origin);
  return args.flatMap((arg) => (Array.isArray(arg) ? arg : [arg]).map((tensor) => tensorRef(tensor, origin)));
}

function tensorRef(value: unknown, origin: LayerOrigin): NodeRef {
  const tensor = value as { class_name?: string; config?: { keras_history?: unknown[] } };
  const history = tensor?.class_name === KERAS_TENSOR ? tensor.config?.keras_history : undefined;
  if (!Array.isArray(history)) throw unsupported(origin, `the layer is called with a non-tensor argument (${JSON.stringify(value).slice(0, 60)})`);
  return [String(history[0]), Number(history[1]), Number(history[2]), {}];
}

/**
 * Call arguments other than tensors. `training` is dropped: tfjs decides training mode per call, and frozen batch
 * normalisation already runs in inference mode (see batch-normalization.ts); `mask: null` means nothing.
 */
function checkCallKwargs(kwargs: Config, origin: LayerOrigin): void {
  for (const [key, value] of Object.entries(kwargs)) {
    if (value === null || key === 'training') continue;
    throw unsupported(origin, `the layer is called with ${key}=${JSON.stringify(value).slice(0, 60)}, which is not supported`);
  }
}
