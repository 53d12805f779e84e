/** config.json of a `.keras` file: the functional model in Keras 3's serialization form. */
import { dtypePolicy, KERAS_LAYERS_MODULE, KERAS_MODEL_MODULES, kerasTensor as tensorObject } from '../format/index.js';
import type { CallArgument, KerasGraph, KerasLayer, TensorRef } from './keras-graph.js';

/** The Keras version whose format is written (and that the tests load it with). */
export const KERAS_VERSION = '3.15.1';

function kerasTensor(ref: TensorRef): Record<string, unknown> {
  return tensorObject(ref.layer, ref.node, ref.tensor, [...ref.shape], ref.dtype);
}

function argument(arg: CallArgument): unknown {
  return Array.isArray(arg) ? arg.map((ref: TensorRef) => kerasTensor(ref)) : kerasTensor(arg as TensorRef);
}

function layerEntry(layer: KerasLayer): Record<string, unknown> {
  if (layer.className === 'InputLayer') {
    return { module: KERAS_LAYERS_MODULE, class_name: 'InputLayer', config: { ...layer.config, name: layer.name }, registered_name: null, name: layer.name, inbound_nodes: [] };
  }
  return {
    module: KERAS_LAYERS_MODULE,
    class_name: layer.className,
    config: { name: layer.name, trainable: layer.trainable, dtype: dtypePolicy(), ...layer.config },
    registered_name: null,
    name: layer.name,
    inbound_nodes: layer.calls.map((call) => ({ args: call.args.map(argument), kwargs: { ...call.kwargs } })),
  };
}

const history = (ref: TensorRef) => [ref.layer, ref.node, ref.tensor];

/** Keras writes a single output as one triple (predict then returns an array, not a list of one). */
const outputEnds = (refs: readonly TensorRef[]) => (refs.length === 1 ? history(refs[0]) : refs.map(history));

/** `orderedLayers`: the graph's layers in Keras's own order (see kerasLayerOrder). */
export function kerasModelConfig(graph: KerasGraph, orderedLayers: readonly KerasLayer[]): Record<string, unknown> {
  return {
    module: KERAS_MODEL_MODULES.get('Functional'),
    class_name: 'Functional',
    config: {
      name: graph.name,
      trainable: true,
      layers: orderedLayers.map(layerEntry),
      // Always a list: predict then takes a dict by input name (or the array of a single input) without a warning.
      input_layers: graph.inputs.map(history),
      output_layers: outputEnds(graph.outputs),
    },
    registered_name: 'Functional',
    build_config: { input_shape: null },
  };
}

export function kerasMetadata(date: Date): Record<string, string> {
  const pad = (n: number) => String(n).padStart(2, '0');
  const saved = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}@${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  return { keras_version: KERAS_VERSION, date_saved: saved };
}
