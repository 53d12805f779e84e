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
import { TF_TYPES } from '../tfjs-graph/graph-def-writer.js';
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

export function emitSavedModel(ir: IrGraph): SavedModelArtifacts {
  const graph = emitGraphDef(ir, { fused: new Set(['LSTM']), inlineWeights: true });
  return { bytes: encodeSavedModel(graph.modelTopology, ir.inputs, ir.outputs), opCounts: graph.opCounts };
}

/** A frozen GraphDef (JSON form) as `saved_model.pb` bytes, its `serving_default` signature feeding and fetching the values named. */
export function encodeSavedModel(graphDef: object, inputs: readonly IrValue[], outputs: readonly IrValue[]): Uint8Array {
  const signature = {
    inputs: Object.fromEntries(inputs.map((value) => [value.name, tensorInfo(value)])),
    outputs: Object.fromEntries(outputs.map((value) => [value.name, tensorInfo(value)])),
    methodName: 'tensorflow/serving/predict',
  };
  const message = {
    savedModelSchemaVersion: 1,
    metaGraphs: [{
      metaInfoDef: { tags: [SERVING_TAG] },
      graphDef,
      signatureDef: { [SERVING_SIGNATURE]: signature },
    }],
  };
  const type = savedModelProto();
  return type.encode(type.fromObject(message)).finish();
}
