/**
 * The op-level intermediate representation both exporters share: a model lowered to a list of nodes over named
 * values, with weights as constants. Layouts are TensorFlow's (NHWC images, `[batch, steps, features]` sequences,
 * kernels `[in, out]` and `[kh, kw, in, out]`); shapes are static except the batch, written -1.
 *
 * Primitive ops (attributes in brackets; axes are non-negative):
 *   MatMul(a, b)                     both rank 2, or equal ranks with equal leading dims (batched)
 *   Add, Sub, Mul, Div, Maximum, Minimum(a, b)  numpy broadcasting
 *   Relu, Relu6, Sigmoid, Tanh, Elu, Selu, Softplus, Erf, Sqrt(x)
 *   Softmax(x) [axis: last]          Reshape(x) [shape, one -1 at most]        Transpose(x) [perm]
 *   Concat(...xs) [axis]             Gather(params, indices) [axis 0]          Cast(x) [to]
 *   Conv2D(x, kernel, bias?) / DepthwiseConv2D(x, kernel, bias?) [strides, dilations, padding SAME|VALID]
 *   MaxPool, AvgPool(x) [kernel, strides, padding]                            Pad(x) [pads: before/after per axis]
 *   ReduceMean, ReduceMax, ReduceSum(x) [axes, keepDims]                      Slice(x) [begin, size (-1: to the end)]
 *   Greater(a, b) (bool), Where(condition, a, b), Identity(x) (names a graph output)
 * Composite ops, which an emitter writes as its own op or expands with `decompose` (ir/decompose.ts):
 *   LayerNormalization(x, gamma, beta) [epsilon]    over the last axis
 *   LSTM(x, kernel, recurrentKernel, bias) / GRU(...) [units, returnSequences, goBackwards; GRU: resetAfter]   Keras weight layout
 */
import { PolymodalError } from '@polymodal/core';

export type IrDType = 'float32' | 'int32' | 'bool';

export const COMPOSITE_OPS = ['LayerNormalization', 'LSTM', 'GRU'] as const;
export const UNARY_OPS = ['Relu', 'Relu6', 'Sigmoid', 'Tanh', 'Elu', 'Selu', 'Softplus', 'Erf', 'Sqrt'] as const;
export const BINARY_OPS = ['Add', 'Sub', 'Mul', 'Div', 'Maximum', 'Minimum'] as const;

export type UnaryOp = (typeof UNARY_OPS)[number];
export type BinaryOp = (typeof BINARY_OPS)[number];
export type CompositeOp = (typeof COMPOSITE_OPS)[number];
export type IrOpType =
  | UnaryOp | BinaryOp | CompositeOp
  | 'MatMul' | 'Softmax' | 'Reshape' | 'Transpose' | 'Concat' | 'Gather' | 'Cast'
  | 'Conv2D' | 'DepthwiseConv2D' | 'MaxPool' | 'AvgPool' | 'Pad'
  | 'ReduceMean' | 'ReduceMax' | 'ReduceSum' | 'Slice' | 'Greater' | 'Where' | 'Identity';

export type IrAttribute = number | number[] | string | boolean;

export interface IrValue {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: IrDType;
}

export interface IrConstant extends IrValue {
  readonly data: Float32Array | Int32Array;
}

export interface IrNode {
  readonly op: IrOpType;
  readonly inputs: readonly string[];
  readonly output: string;
  readonly attrs: Readonly<Record<string, IrAttribute>>;
}

export interface IrGraph {
  readonly inputs: readonly IrValue[];
  readonly outputs: readonly IrValue[];
  readonly nodes: readonly IrNode[];
  /** Every value a node or output refers to: inputs, constants and node outputs. */
  readonly values: ReadonlyMap<string, IrValue>;
  readonly constants: ReadonlyMap<string, IrConstant>;
}

/** Builds an IrGraph node by node; names are made unique so layer names can be used as they are. */
export class GraphBuilder {
  readonly inputs: IrValue[] = [];
  readonly outputs: IrValue[] = [];
  readonly nodes: IrNode[] = [];
  readonly values = new Map<string, IrValue>();
  readonly constants = new Map<string, IrConstant>();
  private readonly taken = new Set<string>();
  /** The graph a rewrite pass (`rewriting`) re-adds the nodes of. */
  private source?: IrGraph;

  /**
   * A builder holding `graph`'s inputs, constants and outputs but none of its nodes, with every name taken: a
   * rewrite pass re-adds the nodes (keeping their output names) or replaces them.
   */
  static rewriting(graph: IrGraph): GraphBuilder {
    const g = new GraphBuilder();
    for (const name of graph.values.keys()) g.taken.add(name);
    for (const input of graph.inputs) {
      g.inputs.push(input);
      g.values.set(input.name, input);
    }
    for (const constant of graph.constants.values()) {
      g.constants.set(constant.name, constant);
      g.values.set(constant.name, constant);
    }
    g.outputs.push(...graph.outputs);
    g.source = graph;
    return g;
  }

  /** In a rewrite pass: `node` of the graph being rewritten, added as it is. */
  keep(node: IrNode): string {
    const value = this.sourceValue(node.output);
    return this.nodeAs(node.output, node.op, node.inputs, value.shape, { ...node.attrs }, value.dtype);
  }

  /** In a rewrite pass: `result` in place of `node`, under its output name. */
  replace(node: IrNode, result: string): string {
    return this.nodeAs(node.output, 'Identity', [result], this.sourceValue(node.output).shape);
  }

  private sourceValue(name: string): IrValue {
    const value = this.source?.values.get(name);
    if (value === undefined) throw new PolymodalError(`export: internal error, "${name}" is not a value of the graph being rewritten`, { exitCode: 70 });
    return value;
  }

  constantData(name: string): IrConstant | undefined {
    return this.constants.get(name);
  }

  /** `base` if free, else `base_1`, `base_2`, ... */
  uniqueName(base: string): string {
    // TensorFlow node names start with a letter, digit or dot; both formats take these characters.
    const clean = base.replace(/[^A-Za-z0-9_./-]/g, '_').replace(/^[^A-Za-z0-9.]+/, '') || 'value';
    let name = clean;
    for (let i = 1; this.taken.has(name); i++) name = `${clean}_${i}`;
    this.taken.add(name);
    return name;
  }

  value(name: string): IrValue {
    const value = this.values.get(name);
    if (value === undefined) throw new PolymodalError(`export: internal error, no value named "${name}"`, { exitCode: 70 });
    return value;
  }

  input(name: string, shape: readonly number[], dtype: IrDType): IrValue {
    const value: IrValue = { name: this.uniqueName(name), shape: [...shape], dtype };
    this.values.set(value.name, value);
    this.inputs.push(value);
    return value;
  }

  constant(name: string, data: Float32Array | Int32Array, shape: readonly number[]): string {
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new PolymodalError(`export: internal error, constant ${name} has ${data.length} values for shape [${shape.join(', ')}]`, { exitCode: 70 });
    const constant: IrConstant = { name: this.uniqueName(name), shape: [...shape], dtype: data instanceof Int32Array ? 'int32' : 'float32', data };
    this.values.set(constant.name, constant);
    this.constants.set(constant.name, constant);
    return constant.name;
  }

  scalar(name: string, value: number): string {
    return this.constant(name, Float32Array.of(value), []);
  }

  /** Adds a node and returns its output's name. */
  node(op: IrOpType, inputs: readonly string[], shape: readonly number[], name: string, attrs: Record<string, IrAttribute> = {}, dtype: IrDType = 'float32'): string {
    return this.nodeAs(this.uniqueName(name), op, inputs, shape, attrs, dtype);
  }

  /** Adds a node whose output takes a name `uniqueName` gave out earlier (a reserved graph output name). */
  nodeAs(output: string, op: IrOpType, inputs: readonly string[], shape: readonly number[], attrs: Record<string, IrAttribute> = {}, dtype: IrDType = 'float32'): string {
    for (const input of inputs) this.value(input);
    if (this.values.has(output)) throw new PolymodalError(`export: internal error, two values named "${output}"`, { exitCode: 70 });
    this.values.set(output, { name: output, shape: [...shape], dtype });
    this.nodes.push({ op, inputs: [...inputs], output, attrs });
    return output;
  }

  markOutput(name: string): void {
    this.outputs.push(this.value(name));
  }

  build(): IrGraph {
    return { inputs: this.inputs, outputs: this.outputs, nodes: this.nodes, values: this.values, constants: this.constants };
  }
}

/** The shape numpy broadcasting gives two shapes (-1, the batch, wins over 1). */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    out.push(x === 1 ? y : y === 1 ? x : x === -1 || y === -1 ? -1 : Math.max(x, y));
  }
  return out;
}
