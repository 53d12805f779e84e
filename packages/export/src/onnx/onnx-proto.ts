/** The ONNX protobuf messages (from the vendored schema) and the enum values the emitter writes. */
import protobuf from 'protobufjs';
import { ONNX_SCHEMA } from './onnx-schema.js';

let modelType: protobuf.Type | undefined;

/** onnx.ModelProto, built once from the JSON descriptor. */
export function modelProto(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(ONNX_SCHEMA as protobuf.INamespace).lookupType('onnx.ModelProto');
  return modelType;
}

/** TensorProto.DataType */
export const ONNX_TYPES = { float32: 1, int32: 6, int64: 7, bool: 9 } as const;

/** AttributeProto.AttributeType */
export const ATTRIBUTE_TYPES = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

/** The IR version each supported opset needs (onnx/helper.py's VERSION_TABLE). */
export const IR_VERSION_FOR_OPSET: ReadonlyMap<number, number> = new Map([
  [13, 7], [14, 7], [15, 8], [16, 8], [17, 8], [18, 8], [19, 9], [20, 9], [21, 10],
]);

export const DEFAULT_OPSET = 17;
