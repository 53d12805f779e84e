/**
 * The IR as a TensorFlow GraphDef that tfjs-converter's graph executor runs: only ops it implements (MatMul,
 * BatchMatMulV2, BiasAdd, Conv2D, ConcatV2, GatherV2, ...), the composite ops expanded (the recurrences unrolled).
 */
import type * as tf from '@tensorflow/tfjs';
import { PolymodalError } from '@polymodal/core';
import { decompose } from '../ir/decompose.js';
import { prune } from '../ir/prune.js';
import { splitConcatProducts } from '../ir/split-concat-products.js';
import { COMPOSITE_OPS, type CompositeOp, type IrGraph, type IrNode } from '../ir/graph.js';
import { emitBlockLstm, type BlockLstmParts } from './block-lstm.js';
import { boolAttr, dtypeAttr, GraphDefWriter, intAttr, intList, shapeProto, stringAttr, type NodeDef } from './graph-def-writer.js';

export interface GraphDefOptions {
  /**
   * Composite ops kept as TensorFlow's fused ops instead of expanded: `LSTM` as BlockLSTMV2, which TensorFlow runs
   * but tfjs-converter does not (the SavedModel export). Default none.
   */
  fused?: ReadonlySet<Extract<CompositeOp, 'LSTM'>>;
  /** Each Const's values in its node (a frozen graph, no weights file), as TensorFlow reads a GraphDef. Default false. */
  inlineWeights?: boolean;
}

export interface GraphDefArtifacts {
  readonly modelTopology: { node: NodeDef[]; versions: { producer: number } };
  readonly weightSpecs: tf.io.WeightsManifestEntry[];
  readonly weightData: ArrayBuffer;
  /** Op type -> number of nodes. */
  readonly opCounts: Record<string, number>;
}

/** IR op -> TensorFlow op, for ops that take their IR inputs as they are and only a T attribute (the inputs' type). */
const DIRECT: Readonly<Record<string, string>> = {
  Add: 'AddV2', Sub: 'Sub', Mul: 'Mul', Div: 'RealDiv', Maximum: 'Maximum', Minimum: 'Minimum', Relu: 'Relu', Relu6: 'Relu6', Sigmoid: 'Sigmoid', Tanh: 'Tanh',
  Elu: 'Elu', Selu: 'Selu', Softplus: 'Softplus', Erf: 'Erf', Sqrt: 'Sqrt', Softmax: 'Softmax',
  Greater: 'Greater', Where: 'SelectV2', Identity: 'Identity',
};

const REDUCTIONS: Readonly<Record<string, string>> = { ReduceMean: 'Mean', ReduceMax: 'Max', ReduceSum: 'Sum' };

const INT32 = dtypeAttr('int32');

/** Writes one IR node as TensorFlow nodes; an LSTM (kept fused) returns the parts its gradient needs. */
export function emitNode(w: GraphDefWriter, node: IrNode): BlockLstmParts | undefined {
  const out = node.output;
  const inputs = node.inputs.map((name) => w.use(name));
  const dtypeOf = (i: number) => w.graph.values.get(node.inputs[i])!.dtype;
  // Every op's type attributes, as TensorFlow's op definitions name them (tfjs reads few; TensorFlow needs all).
  const T = dtypeAttr(dtypeOf(0));
  const direct = DIRECT[node.op];
  if (direct !== undefined) {
    w.node(out, direct, inputs, { T: direct === 'SelectV2' ? dtypeAttr(dtypeOf(1)) : T });
    return undefined;
  }
  const reduction = REDUCTIONS[node.op];
  if (reduction !== undefined) {
    w.node(out, reduction, [...inputs, w.ints(`${out}/axes`, node.attrs['axes'] as number[])], { keep_dims: boolAttr(node.attrs['keepDims'] === true), T, Tidx: INT32 });
    return undefined;
  }
  const rank = w.graph.values.get(node.inputs[0])!.shape.length;
  switch (node.op) {
    case 'MatMul':
      if (rank === 2) w.node(out, 'MatMul', inputs, { transpose_a: boolAttr(false), transpose_b: boolAttr(false), T });
      else w.node(out, 'BatchMatMulV2', inputs, { adj_x: boolAttr(false), adj_y: boolAttr(false), T });
      return undefined;
    case 'Reshape':
      w.node(out, 'Reshape', [...inputs, w.ints(`${out}/shape`, node.attrs['shape'] as number[])], { T, Tshape: INT32 });
      return undefined;
    case 'Transpose':
      w.node(out, 'Transpose', [...inputs, w.ints(`${out}/perm`, node.attrs['perm'] as number[])], { T, Tperm: INT32 });
      return undefined;
    case 'Concat':
      w.node(out, 'ConcatV2', [...inputs, w.ints(`${out}/axis`, [node.attrs['axis'] as number], [])], { N: intAttr(inputs.length), T, Tidx: INT32 });
      return undefined;
    case 'Gather':
      w.node(out, 'GatherV2', [...inputs, w.ints(`${out}/axis`, [0], [])], { batch_dims: intAttr(0), Tparams: T, Tindices: dtypeAttr(dtypeOf(1)), Taxis: INT32 });
      return undefined;
    case 'Cast':
      w.node(out, 'Cast', inputs, { SrcT: T, DstT: dtypeAttr(node.attrs['to'] as 'int32'), Truncate: boolAttr(false) });
      return undefined;
    case 'Slice':
      w.node(out, 'Slice', [...inputs, w.ints(`${out}/begin`, node.attrs['begin'] as number[]), w.ints(`${out}/size`, node.attrs['size'] as number[])], { T, Index: INT32 });
      return undefined;
    case 'Pad':
      w.node(out, 'Pad', [inputs[0], w.ints(`${out}/paddings`, node.attrs['pads'] as number[], [rank, 2])], { T, Tpaddings: INT32 });
      return undefined;
    case 'LSTM':
      return emitBlockLstm(w, node, inputs);
    case 'Conv2D':
    case 'DepthwiseConv2D':
      convolution(w, node, inputs);
      return undefined;
    case 'MaxPool':
    case 'AvgPool':
      w.node(out, node.op, inputs, poolAttrs(node));
      return undefined;
    default:
      throw new PolymodalError(`export: internal error, no TensorFlow form for the IR op ${node.op}`, { exitCode: 70 });
  }
}

/** A window op's NHWC strides, padding, data format and type: what a pooling, a convolution and their gradients share. */
function windowAttrs(node: IrNode): Record<string, unknown> {
  const [sh, sw] = node.attrs['strides'] as number[];
  return { strides: intList([1, sh, sw, 1]), padding: stringAttr(node.attrs['padding'] as string), data_format: stringAttr('NHWC'), T: dtypeAttr('float32') };
}

/** MaxPool / AvgPool (and their gradients): the window attributes and the kernel size. */
export function poolAttrs(node: IrNode): Record<string, unknown> {
  const [kh, kw] = node.attrs['kernel'] as number[];
  return { ...windowAttrs(node), ksize: intList([1, kh, kw, 1]) };
}

/** Conv2D / DepthwiseConv2D (and their gradients): the window attributes and the dilations. */
export function convolutionAttrs(node: IrNode): Record<string, unknown> {
  const [dh, dw] = node.attrs['dilations'] as number[];
  return { ...windowAttrs(node), dilations: intList([1, dh, dw, 1]) };
}

function convolution(w: GraphDefWriter, node: IrNode, [x, kernel, bias]: string[]): void {
  const attrs = convolutionAttrs(node);
  const op = node.op === 'Conv2D' ? 'Conv2D' : 'DepthwiseConv2dNative';
  if (bias === undefined) {
    w.node(node.output, op, [x, kernel], attrs);
    return;
  }
  const conv = w.node(w.fresh(`${node.output}/conv`), op, [x, kernel], attrs);
  w.node(node.output, 'BiasAdd', [conv, bias], { data_format: stringAttr('NHWC'), T: dtypeAttr('float32') });
}

/** Placeholders for the inputs, then every node; unused constants are left out. */
export function emitGraphDef(ir: IrGraph, options: GraphDefOptions = {}): GraphDefArtifacts {
  const fused: ReadonlySet<CompositeOp> = options.fused ?? new Set();
  // An expansion may compute a value its last step does not need: pruned again.
  const graph = splitConcatProducts(prune(decompose(ir, new Set(COMPOSITE_OPS.filter((op) => !fused.has(op))))));
  const w = new GraphDefWriter(graph, options.inlineWeights === true);
  for (const input of graph.inputs) w.placeholder(input);
  for (const node of graph.nodes) emitNode(w, node);
  return { modelTopology: w.graphDef(), weightSpecs: w.weightSpecs, weightData: w.weightData(), opCounts: w.opCounts() };
}
