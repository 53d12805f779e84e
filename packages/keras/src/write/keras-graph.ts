/**
 * The Keras 3 functional graph an export writes, before it becomes config.json and model.weights.h5: layers
 * with their calls (Keras's `inbound_nodes` in args/kwargs form) and their variables in Keras's own nesting.
 */

/** A tensor in the Keras graph: output `tensor` of call `node` of layer `layer` (Keras's `keras_history`). */
export interface TensorRef {
  readonly layer: string;
  readonly node: number;
  readonly tensor: number;
  readonly shape: readonly (number | null)[];
  readonly dtype: string;
}

/** One positional argument of a call: a tensor, or a list of tensors (Concatenate, Add, ...). */
export type CallArgument = TensorRef | readonly TensorRef[];

/** One call of a layer on tensors: a node of the graph. */
export interface KerasCall {
  readonly args: readonly CallArgument[];
  /** Keyword arguments that are not tensors (`use_causal_mask` ...). */
  readonly kwargs?: Readonly<Record<string, unknown>>;
}

/** A variable's value, row-major, with its Keras shape. */
export interface WeightValue {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/**
 * A layer's variables as Keras saves them: `vars` in the layer's own order, then tracked sublayers (an LSTM's
 * `cell`, a MultiHeadAttention's `query_dense` ...) in the order Keras visits them.
 */
export interface WeightGroup {
  readonly vars: readonly WeightValue[];
  /** The `name` attribute Keras writes on the `vars` group (the object's own name). */
  readonly name: string;
  readonly children: readonly (readonly [string, WeightGroup])[];
}

export interface KerasLayer {
  readonly name: string;
  readonly className: string;
  /** Keras's layer configuration, without name/trainable/dtype (added when written). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly trainable: boolean;
  readonly calls: readonly KerasCall[];
  readonly weights: WeightGroup;
}

export interface KerasGraph {
  readonly name: string;
  readonly layers: readonly KerasLayer[];
  readonly inputs: readonly TensorRef[];
  readonly outputs: readonly TensorRef[];
}

/** A group with no variables and no sublayers (Dropout, Flatten, InputLayer ...). */
export function emptyGroup(name: string): WeightGroup {
  return { vars: [], name, children: [] };
}

export function argumentTensors(call: KerasCall): TensorRef[] {
  return call.args.flatMap((arg) => (Array.isArray(arg) ? [...arg] : [arg as TensorRef]));
}

const nodeKey = (layer: string, node: number) => `${layer}\u0000${node}`;

/**
 * The layers in the order Keras 3's `map_graph` gives them (keras/src/ops/function.py): by decreasing depth,
 * ties broken by first visit in a depth-first walk from the outputs. Keras numbers the weight file's groups
 * (`dense`, `dense_1`, ...) in this order when it loads the model, so the file must be written in it too.
 */
export function kerasLayerOrder(graph: KerasGraph): KerasLayer[] {
  const byName = new Map(graph.layers.map((layer) => [layer.name, layer]));
  const finished = new Set<string>();
  const inProgress = new Set<string>();
  const ordered: { layer: KerasLayer; node: number }[] = [];
  const visitIndex = new Map<string, number>();
  const inputKeys = new Set(graph.inputs.map((ref) => nodeKey(ref.layer, ref.node)));

  const visit = (ref: TensorRef): void => {
    const layer = byName.get(ref.layer);
    if (!layer) throw new Error(`the Keras graph refers to a missing layer "${ref.layer}"`);
    const key = nodeKey(ref.layer, ref.node);
    if (finished.has(key)) return;
    if (inProgress.has(key)) throw new Error(`the Keras graph has a cycle through layer "${ref.layer}"`);
    if (!visitIndex.has(layer.name)) visitIndex.set(layer.name, visitIndex.size);
    inProgress.add(key);
    const call = layer.calls[ref.node];
    if (call && !inputKeys.has(key)) for (const input of argumentTensors(call)) visit(input);
    finished.add(key);
    inProgress.delete(key);
    ordered.push({ layer, node: ref.node });
  };
  for (const output of graph.outputs) visit(output);

  const nodeDepth = new Map<string, number>();
  const layerDepth = new Map<string, number>();
  for (const { layer, node } of [...ordered].reverse()) {
    const key = nodeKey(layer.name, node);
    const depth = Math.max(nodeDepth.get(key) ?? 0, layerDepth.get(layer.name) ?? 0);
    layerDepth.set(layer.name, depth);
    nodeDepth.set(key, depth);
    const call = layer.calls[node];
    if (!call || inputKeys.has(key)) continue;
    for (const parent of argumentTensors(call)) {
      const parentKey = nodeKey(parent.layer, parent.node);
      if (!finished.has(parentKey)) continue;
      nodeDepth.set(parentKey, Math.max(depth + 1, nodeDepth.get(parentKey) ?? 0));
    }
  }
  // Inputs the outputs do not depend on still belong to the model (Keras gives them depth 0, index -1).
  for (const input of graph.inputs) {
    if (layerDepth.has(input.layer)) continue;
    layerDepth.set(input.layer, 0);
    visitIndex.set(input.layer, -1);
  }
  return [...layerDepth.keys()]
    .map((name) => byName.get(name)!)
    .sort((a, b) => layerDepth.get(b.name)! - layerDepth.get(a.name)! || visitIndex.get(a.name)! - visitIndex.get(b.name)!);
}
