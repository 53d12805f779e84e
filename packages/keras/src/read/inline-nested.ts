// A model used as one layer of another (Keras's transfer-learning idiom: `Sequential([base, Flatten(), Dense()])`)
// is inlined: its layers join the outer model under their own names, its inputs are wired to what the outer model
// fed it, and the outer layers that used its outputs use its output layers instead. The weights files keep the inner
// layers' names (see read-weights.ts), so they load as for any other layer.
import type { NodeRef, TfjsLayerJson, TfjsModelJson } from './tfjs-json.js';
import { unsupported, type LayerOrigin } from './unsupported.js';

/** The inner model's layers (inputs dropped, rewired to `inputs`) and the refs that stand for its outputs. */
export function inlineModel(inner: TfjsModelJson, inputs: NodeRef[], origin: LayerOrigin): { layers: TfjsLayerJson[]; outputs: NodeRef[] } {
  const fed = new Map<string, NodeRef>();
  inner.config.input_layers.forEach(([name], i) => {
    if (!inputs[i]) throw unsupported(origin, `the nested model takes ${inner.config.input_layers.length} inputs, it is called with ${inputs.length}`);
    fed.set(name, inputs[i]);
  });
  const rewire = (ref: NodeRef): NodeRef => fed.get(ref[0]) ?? ref;
  const layers = inner.config.layers
    .filter((layer) => !fed.has(layer.name))
    .map((layer) => ({ ...layer, inbound_nodes: layer.inbound_nodes.map((node) => node.map(rewire)) }));
  const outputs = inner.config.output_layers.map(([name, node, tensor]) => rewire([name, node, tensor, {}]));
  return { layers, outputs };
}

/** Replaces refs to inlined models' outputs (`[model, 0, k]`) with the refs their outputs stand for. */
export function resolveInlined(ref: NodeRef, inlined: ReadonlyMap<string, NodeRef[]>, file: string): NodeRef {
  const outputs = inlined.get(ref[0]);
  if (!outputs) return ref;
  if (ref[1] !== 0) throw unsupported({ file, layer: ref[0], className: 'Functional' }, 'a nested model called more than once is not supported');
  return outputs[ref[2]];
}

/** Throws when two layers share a name (possible once nested models are inlined). */
export function checkUniqueNames(layers: readonly TfjsLayerJson[], file: string): void {
  const seen = new Set<string>();
  for (const layer of layers) {
    if (seen.has(layer.name)) {
      throw unsupported({ file, layer: layer.name, className: layer.class_name }, 'two layers have this name once nested models are inlined',
        'Give the nested model\'s layers names of their own, or save the inner model alone and import that.');
    }
    seen.add(layer.name);
  }
}
