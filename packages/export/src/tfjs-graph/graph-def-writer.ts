/**
 * Collects TensorFlow NodeDefs in their JSON form (as model.json holds them) and the Const nodes' weights: apart, in
 * the weights file, as tfjs-converter writes them, or inline in each Const's tensor (a frozen graph, for TensorFlow).
 */
import type * as tf from '@tensorflow/tfjs';
import type { IrConstant, IrDType, IrGraph, IrValue } from '../ir/graph.js';
import { countOps, IrGraphWriter } from '../ir/graph-writer.js';

export interface NodeDef {
  name: string;
  op: string;
  input: string[];
  attr: Record<string, unknown>;
}

/** TensorFlow's DataType enum names of the IR's dtypes. */
export const TF_TYPES: Readonly<Record<IrDType, string>> = { float32: 'DT_FLOAT', int32: 'DT_INT32', bool: 'DT_BOOL' };

export const dtypeAttr = (dtype: IrDType) => ({ type: TF_TYPES[dtype] });
export const intList = (values: readonly number[]) => ({ list: { i: values.map(String) } });
/** Strings (padding, data_format) are base64 in the JSON form of a GraphDef. */
export const stringAttr = (value: string) => ({ s: Buffer.from(value, 'utf8').toString('base64') });
export const boolAttr = (value: boolean) => ({ b: value });
export const intAttr = (value: number) => ({ i: String(value) });
export const shapeProto = (shape: readonly number[]) => ({ dim: shape.map((d) => ({ size: String(d) })) });

export class GraphDefWriter extends IrGraphWriter {
  readonly nodes: NodeDef[] = [];
  readonly weightSpecs: tf.io.WeightsManifestEntry[] = [];
  private readonly weights: Uint8Array[] = [];

  constructor(graph: IrGraph, private readonly inlineWeights = false) {
    super(graph);
  }

  protected writeConstant(name: string, constant: IrConstant): void {
    this.constant(name, constant.data, constant.shape);
  }

  node(name: string, op: string, input: readonly string[], attr: Record<string, unknown> = {}): string {
    this.nodes.push({ name, op, input: [...input], attr });
    return name;
  }

  placeholder(value: IrValue): string {
    return this.node(value.name, 'Placeholder', [], { dtype: dtypeAttr(value.dtype), shape: { shape: shapeProto(value.shape) } });
  }

  /** A Const node; its values travel in the weights file, or in the node itself with `inlineWeights`. */
  constant(name: string, data: Float32Array | Int32Array, shape: readonly number[]): string {
    const dtype: IrDType = data instanceof Float32Array ? 'float32' : 'int32';
    const bytes = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    const tensor: Record<string, unknown> = { dtype: TF_TYPES[dtype], tensorShape: shapeProto(shape) };
    if (this.inlineWeights) {
      tensor['tensorContent'] = bytes;
    } else {
      this.weightSpecs.push({ name, shape: [...shape], dtype });
      this.weights.push(bytes);
    }
    return this.node(name, 'Const', [], { dtype: dtypeAttr(dtype), value: { tensor } });
  }

  /** A new int32 Const (shapes, axes, permutations). */
  ints(base: string, values: readonly number[], shape: readonly number[] = [values.length]): string {
    return this.constant(this.fresh(base), Int32Array.from(values), shape);
  }

  /** The GraphDef (JSON form) of the nodes so far, with TensorFlow 2.x's producer version so loaders see a current one. */
  graphDef(): { node: NodeDef[]; versions: { producer: number } } {
    return { node: this.nodes, versions: { producer: 1994 } };
  }

  /** Op type -> number of nodes so far. */
  opCounts(): Record<string, number> {
    return countOps(this.nodes.map((node) => node.op));
  }

  weightData(): ArrayBuffer {
    const total = this.weights.reduce((sum, w) => sum + w.byteLength, 0);
    const out = new Uint8Array(total);
    let offset = 0;
    for (const w of this.weights) {
      out.set(w, offset);
      offset += w.byteLength;
    }
    return out.buffer;
  }
}
