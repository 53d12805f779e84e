/** The IR as an ONNX ModelProto (bytes), for one opset. */
import { PolymodalError } from '@polymodal/core';
import { decompose } from '../ir/decompose.js';
import { countOps } from '../ir/graph-writer.js';
import { prune } from '../ir/prune.js';
import type { CompositeOp, IrGraph, IrNode, IrValue } from '../ir/graph.js';
import { ChannelsFirst } from './layout.js';
import { DEFAULT_OPSET, IR_VERSION_FOR_OPSET, modelProto } from './onnx-proto.js';
import { emitRecurrent } from './recurrent.js';
import { OnnxGraphWriter, onnxType } from './writer.js';

export interface OnnxEmitOptions {
  opset?: number;
  /** Written into the model's producer_version. */
  producerVersion?: string;
  /** Metadata entries (key, value) stored with the model. */
  metadata?: Readonly<Record<string, string>>;
}

/** IR ops whose ONNX op has the same name, inputs and (no) attributes. */
const SAME_NAME = new Set(['Add', 'Sub', 'Mul', 'Div', 'Relu', 'Sigmoid', 'Tanh', 'Elu', 'Selu', 'Softplus', 'Erf', 'Sqrt', 'MatMul', 'Greater', 'Where', 'Identity']);
const INT32_MAX = 2147483647;

class OnnxEmitter {
  private readonly layout: ChannelsFirst;

  constructor(private readonly w: OnnxGraphWriter, private readonly opset: number) {
    this.layout = new ChannelsFirst(w);
  }

  private reduce(node: IrNode): void {
    const axes = node.attrs['axes'] as number[];
    const keepdims = node.attrs['keepDims'] === true ? 1 : 0;
    const opType = node.op;
    // ReduceSum takes its axes as an input from opset 13, the others from opset 18.
    const axesAsInput = opType === 'ReduceSum' || this.opset >= 18;
    const x = this.w.use(node.inputs[0]);
    if (axesAsInput) this.w.node(opType, [x, this.w.int64s(`${node.output}/axes`, axes)], [node.output], { keepdims });
    else this.w.node(opType, [x], [node.output], { axes, keepdims });
  }

  private slice(node: IrNode): void {
    const begin = node.attrs['begin'] as number[];
    const size = node.attrs['size'] as number[];
    const axes = begin.map((_, i) => i).filter((i) => !(begin[i] === 0 && size[i] === -1));
    const w = this.w;
    w.node('Slice', [
      w.use(node.inputs[0]),
      w.int64s(`${node.output}/starts`, axes.map((i) => begin[i])),
      w.int64s(`${node.output}/ends`, axes.map((i) => (size[i] === -1 ? INT32_MAX : begin[i] + size[i]))),
      w.int64s(`${node.output}/axes`, axes),
    ], [node.output]);
  }

  private pad(node: IrNode): void {
    const pairs = node.attrs['pads'] as number[];
    const before = pairs.filter((_, i) => i % 2 === 0);
    const after = pairs.filter((_, i) => i % 2 === 1);
    this.w.node('Pad', [this.w.use(node.inputs[0]), this.w.int64s(`${node.output}/pads`, [...before, ...after])], [node.output]);
  }

  emit(node: IrNode): void {
    const w = this.w;
    const inputs = () => node.inputs.map((name) => w.use(name));
    if (SAME_NAME.has(node.op)) return w.node(node.op, inputs(), [node.output]);
    switch (node.op) {
      case 'Maximum':
        return w.node('Max', inputs(), [node.output]);
      case 'Minimum':
        return w.node('Min', inputs(), [node.output]);
      case 'Relu6':
        return w.node('Clip', [...inputs(), w.floats(`${node.output}/min`, Float32Array.of(0), []), w.floats(`${node.output}/max`, Float32Array.of(6), [])], [node.output]);
      case 'Softmax':
        return w.node('Softmax', inputs(), [node.output], { axis: node.attrs['axis'] as number });
      case 'Reshape':
        return w.node('Reshape', [...inputs(), w.int64s(`${node.output}/shape`, node.attrs['shape'] as number[])], [node.output]);
      case 'Transpose':
        return w.node('Transpose', inputs(), [node.output], { perm: node.attrs['perm'] as number[] });
      case 'Concat':
        return w.node('Concat', inputs(), [node.output], { axis: node.attrs['axis'] as number });
      case 'Gather':
        return w.node('Gather', inputs(), [node.output], { axis: 0 });
      case 'Cast':
        return w.node('Cast', inputs(), [node.output], { to: onnxType(node.attrs['to'] as 'float32') });
      case 'Conv2D':
      case 'DepthwiseConv2D':
        return this.layout.convolution(node);
      case 'MaxPool':
      case 'AvgPool':
        return this.layout.pool(node);
      case 'Pad':
        return this.pad(node);
      case 'ReduceMean':
      case 'ReduceMax':
      case 'ReduceSum':
        return this.reduce(node);
      case 'Slice':
        return this.slice(node);
      case 'LayerNormalization':
        return w.node('LayerNormalization', inputs(), [node.output], { axis: -1, epsilon: { float: node.attrs['epsilon'] as number } });
      case 'LSTM':
      case 'GRU':
        return emitRecurrent(w, node);
      default:
        throw new PolymodalError(`export: internal error, no ONNX form for the IR op ${node.op}`, { exitCode: 70 });
    }
  }
}

function valueInfo(value: IrValue): Record<string, unknown> {
  const dim = value.shape.map((d) => (d < 0 ? { dim_param: 'batch' } : { dim_value: d }));
  return { name: value.name, type: { tensor_type: { elem_type: onnxType(value.dtype), shape: { dim } } } };
}

export function checkOpset(opset: number): void {
  if (!IR_VERSION_FOR_OPSET.has(opset)) {
    const known = [...IR_VERSION_FOR_OPSET.keys()];
    throw new PolymodalError(`export: ONNX opset ${opset} is not supported (use ${known[0]} to ${known[known.length - 1]}; default ${DEFAULT_OPSET})`, {
      hint: `Pass --opset ${DEFAULT_OPSET}, or another opset in that range.`,
      exitCode: 2,
    });
  }
}

export interface OnnxModel {
  /** The serialised ModelProto. */
  readonly bytes: Uint8Array;
  readonly opset: number;
  /** ONNX op type -> number of nodes. */
  readonly opCounts: Record<string, number>;
}

/** Encodes the graph as an ONNX model; LayerNormalization is expanded below opset 17, which introduced it. */
export function emitOnnx(ir: IrGraph, options: OnnxEmitOptions = {}): OnnxModel {
  const opset = options.opset ?? DEFAULT_OPSET;
  checkOpset(opset);
  const graph = prune(decompose(ir, new Set<CompositeOp>(opset < 17 ? ['LayerNormalization'] : [])));
  const writer = new OnnxGraphWriter(graph);
  const emitter = new OnnxEmitter(writer, opset);
  for (const node of graph.nodes) emitter.emit(node);
  const model = {
    ir_version: IR_VERSION_FOR_OPSET.get(opset)!,
    opset_import: [{ domain: '', version: opset }],
    producer_name: 'polymodal',
    producer_version: options.producerVersion ?? '',
    graph: {
      name: 'polymodal',
      node: writer.nodes,
      initializer: writer.initializers,
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
    },
    metadata_props: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
  const type = modelProto();
  return { bytes: type.encode(type.fromObject(model)).finish(), opset, opCounts: countOps(writer.nodes.map((node) => node.op_type)) };
}
