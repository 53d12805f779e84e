/** Collects ONNX nodes and initializers as plain objects in onnx.proto's field names, with unique value names. */
import type { IrConstant, IrDType } from '../ir/graph.js';
import { IrGraphWriter } from '../ir/graph-writer.js';
import { ATTRIBUTE_TYPES, ONNX_TYPES } from './onnx-proto.js';

export type OnnxAttributeValue = number | number[] | string | { float: number } | { floats: number[] };
export type OnnxAttributes = Record<string, OnnxAttributeValue>;

export interface OnnxNode {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  attribute: Record<string, unknown>[];
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

function attribute(name: string, value: OnnxAttributeValue): Record<string, unknown> {
  if (typeof value === 'string') return { name, type: ATTRIBUTE_TYPES.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return { name, type: ATTRIBUTE_TYPES.INT, i: value };
  if (Array.isArray(value)) return { name, type: ATTRIBUTE_TYPES.INTS, ints: value };
  if ('float' in value) return { name, type: ATTRIBUTE_TYPES.FLOAT, f: value.float };
  return { name, type: ATTRIBUTE_TYPES.FLOATS, floats: value.floats };
}

function littleEndian(data: Float32Array | Int32Array | BigInt64Array): Uint8Array {
  // Typed arrays are in the machine's byte order; ONNX raw_data is little-endian, as every machine Node runs on.
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

export class OnnxGraphWriter extends IrGraphWriter {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];

  protected writeConstant(name: string, constant: IrConstant): void {
    this.tensor(name, constant.data, constant.shape);
  }

  constantOf(name: string): IrConstant | undefined {
    return this.graph.constants.get(name);
  }

  tensor(name: string, data: Float32Array | Int32Array | BigInt64Array, dims: readonly number[]): string {
    const type = data instanceof Float32Array ? ONNX_TYPES.float32 : data instanceof Int32Array ? ONNX_TYPES.int32 : ONNX_TYPES.int64;
    this.initializers.push({ name, dims: [...dims], data_type: type, raw_data: littleEndian(data) });
    return name;
  }

  /** A new float initializer. */
  floats(base: string, data: Float32Array, dims: readonly number[]): string {
    return this.tensor(this.fresh(base), data, dims);
  }

  /** A new 1-D int64 initializer (shapes, axes, pads). */
  int64s(base: string, values: readonly number[]): string {
    return this.tensor(this.fresh(base), BigInt64Array.from(values.map((v) => BigInt(v))), [values.length]);
  }

  node(opType: string, inputs: readonly string[], outputs: readonly string[], attrs: OnnxAttributes = {}): void {
    this.nodes.push({
      input: [...inputs],
      output: [...outputs],
      name: this.fresh(`${outputs.find((o) => o !== '') ?? opType}/${opType}`),
      op_type: opType,
      attribute: Object.entries(attrs).map(([key, value]) => attribute(key, value)),
    });
  }

  /** A node with one new output named from `base`; returns that name. */
  step(opType: string, inputs: readonly string[], base: string, attrs: OnnxAttributes = {}): string {
    const output = this.fresh(base);
    this.node(opType, inputs, [output], attrs);
    return output;
  }
}

export const onnxType = (dtype: IrDType): number => ONNX_TYPES[dtype];
