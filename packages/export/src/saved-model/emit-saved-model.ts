/**
 * The IR as a TensorFlow SavedModel (`saved_model.pb`): one MetaGraphDef tagged `serve` whose GraphDef holds the
 * weights as Const nodes (a frozen graph, so no `variables/` checkpoint is needed) and whose `serving_default`
 * signature names the model inputs and outputs. TensorFlow runs it as one graph (Grappler, the oneDNN rewrite):
 * Python's `tf.saved_model.load` and tfjs-node's loadSavedModel (both tested), in the layout TensorFlow Serving loads
 * (not tested: no TF Serving binary on these machines). The LSTM stays one
 * BlockLSTMV2 op; everything else is the graph model's GraphDef.
 */
import protobuf from 'protobufjs';
import type { IrGraph, IrValue } from '../ir/graph.js';
import { emitGraphDef } from '../tfjs-graph/emit-graph-def.js';
import { TF_TYPES, type NodeDef } from '../tfjs-graph/graph-def-writer.js';
import { SAVED_MODEL_SCHEMA } from './saved-model-schema.js';

/** The signature every consumer looks up by default. */
export const SERVING_SIGNATURE = 'serving_default';
export const SERVING_TAG = 'serve';

export interface SavedModelArtifacts {
  readonly bytes: Uint8Array;
  /** Op type -> number of nodes in the GraphDef. */
  readonly opCounts: Record<string, number>;
}

let savedModelType: protobuf.Type | undefined;

function savedModelProto(): protobuf.Type {
  savedModelType ??= protobuf.Root.fromJSON(SAVED_MODEL_SCHEMA as unknown as protobuf.INamespace).lookupType('tensorflow.SavedModel');
  return savedModelType;
}

/** The tensor name TensorFlow feeds or fetches for an IR value (output 0 of the node of that name). */
export const tensorName = (value: IrValue) => `${value.name}:0`;

const tensorInfo = (value: IrValue) => ({
  name: tensorName(value),
  dtype: TF_TYPES[value.dtype],
  tensorShape: { dim: value.shape.map((size) => ({ size })) },
});

/** Each Const node's values, from the weights buffer the graph model keeps apart, into the node itself. */
function frozen(nodes: readonly NodeDef[], specs: readonly { name: string; shape: number[]; dtype?: string }[], data: ArrayBuffer): NodeDef[] {
  const content = new Map<string, Uint8Array>();
  let offset = 0;
  for (const spec of specs) {
    const bytes = spec.shape.reduce((a, b) => a * b, 1) * 4;
    content.set(spec.name, new Uint8Array(data, offset, bytes));
    offset += bytes;
  }
  return nodes.map((node) => {
    const bytes = content.get(node.name);
    if (node.op !== 'Const' || bytes === undefined) return node;
    const value = node.attr['value'] as { tensor: Record<string, unknown> };
    return { ...node, attr: { ...node.attr, value: { tensor: { ...value.tensor, tensorContent: bytes } } } };
  });
}

export function emitSavedModel(ir: IrGraph, options: { tensorflowVersion?: string } = {}): SavedModelArtifacts {
  const graph = emitGraphDef(ir, { fused: new Set(['LSTM']) });
  const node = frozen(graph.modelTopology.node, graph.weightSpecs, graph.weightData);
  const signature = {
    inputs: Object.fromEntries(ir.inputs.map((value) => [value.name, tensorInfo(value)])),
    outputs: Object.fromEntries(ir.outputs.map((value) => [value.name, tensorInfo(value)])),
    methodName: 'tensorflow/serving/predict',
  };
  const message = {
    savedModelSchemaVersion: 1,
    metaGraphs: [{
      metaInfoDef: { tags: [SERVING_TAG], ...(options.tensorflowVersion ? { tensorflowVersion: options.tensorflowVersion } : {}) },
      graphDef: { node, versions: graph.modelTopology.versions },
      signatureDef: { [SERVING_SIGNATURE]: signature },
    }],
  };
  const type = savedModelProto();
  const opCounts: Record<string, number> = {};
  for (const { op } of node) opCounts[op] = (opCounts[op] ?? 0) + 1;
  return { bytes: type.encode(type.fromObject(message)).finish(), opCounts };
}
