/**
 * Reverse-mode rules, one per IR op: given the gradient reaching a node's output, the TensorFlow nodes that give
 * the gradient reaching each input. A rule is asked only for the inputs a trainable weight feeds (`wants`), so a
 * first convolution computes its filter gradient and never the gradient of the image. The arithmetic is
 * TensorFlow's own gradient registrations (math_grad.py, nn_grad.py, rnn_grad.py), written with its fused
 * gradient kernels (ReluGrad, BiasAddGrad, Conv2DBackpropFilter, MaxPoolGrad, BlockLSTMGradV2).
 */
import type { IrGraph, IrNode, IrOpType } from '../ir/graph.js';
import type { BlockLstmParts } from '../tfjs-graph/block-lstm.js';
import { convolutionAttrs, poolAttrs } from '../tfjs-graph/emit-graph-def.js';
import { boolAttr, dtypeAttr, intList, stringAttr } from '../tfjs-graph/graph-def-writer.js';
import { TrainingGraphRefusal } from './refusal.js';
import type { TfOps } from './tf-ops.js';

const FLOAT = dtypeAttr('float32');
const INT32 = dtypeAttr('int32');

export interface GradientContext {
  readonly ops: TfOps;
  readonly graph: IrGraph;
  /** The BlockLSTMV2 parts of an LSTM node, by the node's output name. */
  readonly lstmParts: ReadonlyMap<string, BlockLstmParts>;
}

/** One gradient (a tensor name) per input, undefined where none is wanted. */
export type GradientRule = (ctx: GradientContext, node: IrNode, dy: string, wants: readonly boolean[]) => (string | undefined)[];

const shapeOf = (ctx: GradientContext, name: string) => ctx.graph.values.get(name)!.shape;

/** `dy` summed over the axes numpy broadcasting stretched `input` along, in `input`'s shape. */
function unbroadcast(ctx: GradientContext, dy: string, output: readonly number[], input: readonly number[], base: string): string {
  const offset = output.length - input.length;
  const axes: number[] = [];
  for (let i = 0; i < output.length; i++) {
    const own = i < offset ? 1 : input[i - offset];
    if (own === 1 && output[i] !== 1) axes.push(i);
  }
  if (axes.length === 0 && offset === 0) return dy;
  // A bias over the last axis: BiasAddGrad, one pass (Sum over all other axes is a general reduction).
  if (input.length === 1 && output.length >= 2 && axes.length === output.length - 1 && input[0] === output[output.length - 1]) {
    return ctx.ops.raw(`${base}/bias_grad`, 'BiasAddGrad', [dy], { T: FLOAT, data_format: stringAttr('NHWC') });
  }
  const summed = axes.length > 0 ? ctx.ops.reduce('Sum', dy, axes, false, `${base}/sum`) : dy;
  return ctx.ops.reshape(summed, input, `${base}/shape`);
}

function binaryRule(grads: (ctx: GradientContext, node: IrNode, dy: string, [a, b]: readonly string[]) => [() => string, () => string]): GradientRule {
  return (ctx, node, dy, wants) => {
    const [da, db] = grads(ctx, node, dy, node.inputs);
    const out = shapeOf(ctx, node.output);
    return node.inputs.map((input, i) => {
      if (!wants[i]) return undefined;
      return unbroadcast(ctx, (i === 0 ? da : db)(), out, shapeOf(ctx, input), `${node.output}/grad_${i}`);
    });
  };
}

const add = binaryRule((_ctx, _node, dy) => [() => dy, () => dy]);
const sub = binaryRule((ctx, node, dy) => [() => dy, () => ctx.ops.unary('Neg', dy, `${node.output}/grad_neg`)]);
const mul = binaryRule((ctx, node, dy, [a, b]) => [
  () => ctx.ops.mul(dy, b, `${node.output}/grad_a`),
  () => ctx.ops.mul(dy, a, `${node.output}/grad_b`),
]);
const div = binaryRule((ctx, node, dy, [a, b]) => [
  () => ctx.ops.div(dy, b, `${node.output}/grad_a`),
  () => {
    const n = node.output;
    const quotient = ctx.ops.div(ctx.ops.div(a, b, `${n}/grad_a_over_b`), b, `${n}/grad_a_over_b2`);
    return ctx.ops.unary('Neg', ctx.ops.mul(dy, quotient, `${n}/grad_b_pos`), `${n}/grad_b`);
  },
]);

/** SelectV2(condition, a, b): the gradient goes to the branch each element was taken from. */
const where: GradientRule = (ctx, node, dy, wants) => {
  const [condition, a, b] = node.inputs;
  const n = node.output;
  const zeros = ctx.ops.unary('ZerosLike', dy, `${n}/grad_zeros`);
  const out = shapeOf(ctx, n);
  const branch = (input: string, taken: boolean, i: number) => {
    const selected = ctx.ops.raw(`${n}/grad_select_${i}`, 'SelectV2', taken ? [condition, dy, zeros] : [condition, zeros, dy], { T: FLOAT });
    return unbroadcast(ctx, selected, out, shapeOf(ctx, input), `${n}/grad_${i}`);
  };
  return [undefined, wants[1] ? branch(a, true, 1) : undefined, wants[2] ? branch(b, false, 2) : undefined];
};

const relu: GradientRule = (ctx, node, dy) => [ctx.ops.grad('ReluGrad', dy, node.output, `${node.output}/grad`)];
const relu6: GradientRule = (ctx, node, dy) => [ctx.ops.grad('Relu6Grad', dy, node.output, `${node.output}/grad`)];
const sigmoid: GradientRule = (ctx, node, dy) => [ctx.ops.outputGrad('SigmoidGrad', node.output, dy, `${node.output}/grad`)];
const tanh: GradientRule = (ctx, node, dy) => [ctx.ops.outputGrad('TanhGrad', node.output, dy, `${node.output}/grad`)];

const softmax: GradientRule = (ctx, node, dy) => {
  const { ops } = ctx;
  const n = node.output;
  const rank = shapeOf(ctx, n).length;
  const dot = ops.reduce('Sum', ops.mul(dy, n, `${n}/grad_dy_y`), [rank - 1], true, `${n}/grad_dot`);
  return [ops.mul(ops.sub(dy, dot, `${n}/grad_centered`), n, `${n}/grad`)];
};

const matMul: GradientRule = (ctx, node, dy, wants) => {
  const [a, b] = node.inputs;
  const n = node.output;
  const product = shapeOf(ctx, a).length === 2
    ? (x: string, y: string, ta: boolean, tb: boolean, base: string) => ctx.ops.matMul(x, y, ta, tb, base)
    : (x: string, y: string, ta: boolean, tb: boolean, base: string) => ctx.ops.batchMatMul(x, y, ta, tb, base);
  return [
    wants[0] ? product(dy, b, false, true, `${n}/grad_a`) : undefined,
    wants[1] ? product(a, dy, true, false, `${n}/grad_b`) : undefined,
  ];
};

const reshape: GradientRule = (ctx, node, dy) => [ctx.ops.reshape(dy, shapeOf(ctx, node.inputs[0]), `${node.output}/grad`)];

const transpose: GradientRule = (ctx, node, dy) => {
  const perm = node.attrs['perm'] as number[];
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return [ctx.ops.transpose(dy, inverse, `${node.output}/grad`)];
};

const concat: GradientRule = (ctx, node, dy, wants) => {
  const axis = node.attrs['axis'] as number;
  const rank = shapeOf(ctx, node.output).length;
  let offset = 0;
  return node.inputs.map((input, i) => {
    const width = shapeOf(ctx, input)[axis];
    const begin = Array.from({ length: rank }, (_, d) => (d === axis ? offset : 0));
    const size = Array.from({ length: rank }, (_, d) => (d === axis ? width : -1));
    offset += width;
    return wants[i] ? ctx.ops.slice(dy, begin, size, `${node.output}/grad_${i}`) : undefined;
  });
};

const slice: GradientRule = (ctx, node, dy) => {
  const input = shapeOf(ctx, node.inputs[0]);
  const output = shapeOf(ctx, node.output);
  const begin = node.attrs['begin'] as number[];
  const pads = input.flatMap((d, i) => (d === -1 ? [0, 0] : [begin[i], d - begin[i] - output[i]]));
  return [ctx.ops.pad(dy, pads, `${node.output}/grad`)];
};

const pad: GradientRule = (ctx, node, dy) => {
  const pads = node.attrs['pads'] as number[];
  const input = shapeOf(ctx, node.inputs[0]);
  return [ctx.ops.slice(dy, input.map((_, i) => pads[2 * i]), input, `${node.output}/grad`)];
};

/** Embedding rows: the gradient of each row is the sum of the output rows that picked it. */
const gather: GradientRule = (ctx, node, dy, wants) => {
  const [params, indices] = node.inputs;
  const [rows, columns] = shapeOf(ctx, params);
  const n = node.output;
  if (!wants[0]) return [undefined, undefined];
  const flat = ctx.ops.reshape(dy, [-1, columns], `${n}/grad_rows`);
  const ids = ctx.ops.raw(`${n}/grad_ids`, 'Reshape', [indices, ctx.ops.w.ints(`${n}/grad_ids_shape`, [-1])], { T: INT32, Tshape: INT32 });
  const count = ctx.ops.w.ints(`${n}/grad_rows_count`, [rows], []);
  return [ctx.ops.raw(`${n}/grad`, 'UnsortedSegmentSum', [flat, ids, count], { T: FLOAT, Tindices: INT32, Tnumsegments: INT32 }), undefined];
};

const conv2D: GradientRule = (ctx, node, dy, wants) => {
  const [x, kernel] = node.inputs;
  const n = node.output;
  const depthwise = node.op === 'DepthwiseConv2D';
  const attrs = { ...convolutionAttrs(node), ...(depthwise ? {} : { use_cudnn_on_gpu: boolAttr(true) }), explicit_paddings: intList([]) };
  const [inputOp, filterOp] = depthwise ? ['DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'] : ['Conv2DBackpropInput', 'Conv2DBackpropFilter'];
  return [
    wants[0] ? ctx.ops.raw(`${n}/grad_input`, inputOp, [ctx.ops.shape(x, `${n}/grad_input_shape`), kernel, dy], attrs) : undefined,
    wants[1] ? ctx.ops.raw(`${n}/grad_kernel`, filterOp, [x, ctx.ops.w.ints(`${n}/grad_kernel_shape`, shapeOf(ctx, kernel)), dy], attrs) : undefined,
    wants[2] ? ctx.ops.raw(`${n}/grad_bias`, 'BiasAddGrad', [dy], { T: FLOAT, data_format: stringAttr('NHWC') }) : undefined,
  ];
};

const maxPool: GradientRule = (ctx, node, dy) => [ctx.ops.raw(`${node.output}/grad`, 'MaxPoolGrad', [node.inputs[0], node.output, dy], poolAttrs(node))];

const avgPool: GradientRule = (ctx, node, dy) => {
  const shape = ctx.ops.shape(node.inputs[0], `${node.output}/grad_input_shape`);
  return [ctx.ops.raw(`${node.output}/grad`, 'AvgPoolGrad', [shape, dy], poolAttrs(node))];
};

/** A reduction's input and its shape with the reduced axes kept as 1 (the batch axis is never reduced here). */
function reducedShape(ctx: GradientContext, node: IrNode): { x: string; input: readonly number[]; axes: number[]; kept: number[] } {
  const x = node.inputs[0];
  const input = shapeOf(ctx, x);
  const axes = node.attrs['axes'] as number[];
  if (axes.some((axis) => input[axis] === -1)) throw new TrainingGraphRefusal(`${node.op} over the batch axis (${node.output})`);
  return { x, input, axes, kept: input.map((d, i) => (axes.includes(i) ? 1 : d)) };
}

/** ReduceSum / ReduceMean: the gradient spread back over the reduced axes. */
function reduction(mean: boolean): GradientRule {
  return (ctx, node, dy) => {
    const n = node.output;
    const { x, input, axes, kept } = reducedShape(ctx, node);
    const spread = ctx.ops.raw(`${n}/grad_spread`, 'BroadcastTo', [ctx.ops.reshape(dy, kept, `${n}/grad_kept`), ctx.ops.shape(x, `${n}/grad_shape`)], { T: FLOAT, Tidx: INT32 });
    if (!mean) return [spread];
    const count = axes.reduce((product, axis) => product * input[axis], 1);
    return [ctx.ops.mul(spread, ctx.ops.scalar(`${n}/grad_scale`, 1 / count), `${n}/grad`)];
  };
}

/** ReduceMax as tfjs differentiates it: the gradient goes to every element equal to the maximum (ties included). */
const reduceMax: GradientRule = (ctx, node, dy) => {
  const n = node.output;
  const { x, kept } = reducedShape(ctx, node);
  const atMaximum = ctx.ops.compare('Equal', x, ctx.ops.reshape(n, kept, `${n}/grad_max_kept`), `${n}/grad_at_max`);
  return [ctx.ops.mul(atMaximum, ctx.ops.reshape(dy, kept, `${n}/grad_kept`), `${n}/grad`)];
};

/** The fused LSTM's gradient: one BlockLSTMGradV2 for the whole sequence (backpropagation through time in C++). */
const lstm: GradientRule = (ctx, node, dy, wants) => {
  const { ops } = ctx;
  const n = node.output;
  const parts = ctx.lstmParts.get(n)!;
  const units = node.attrs['units'] as number;
  const [x, kernel] = node.inputs;
  const [, steps, features] = shapeOf(ctx, x);
  const backwards = node.attrs['goBackwards'] === true;
  let hGrad: string;
  if (node.attrs['returnSequences'] === true) {
    const timeMajor = ops.transpose(dy, [1, 0, 2], `${n}/grad_time_major`);
    hGrad = backwards ? ops.reverse(timeMajor, 0, `${n}/grad_run_order`) : timeMajor;
  } else {
    // Only the last step's h is the output: zeros for the others.
    hGrad = ops.pad(ops.reshape(dy, [1, -1, units], `${n}/grad_last`), [steps - 1, 0, 0, 0, 0, 0], `${n}/grad_steps`);
  }
  const block = parts.block;
  const csGrad = ops.unary('ZerosLike', `${block}:1`, `${n}/grad_cs`);
  const forward = [0, 1, 2, 3, 4, 5, 6].map((i) => `${block}:${i}`);
  const grad = ops.raw(`${n}/grad_block`, 'BlockLSTMGradV2', [
    parts.seqLen, parts.timeMajor, parts.state, parts.state, parts.weights, parts.peephole, parts.peephole, parts.peephole, parts.bias,
    ...forward, csGrad, hGrad,
  ], { use_peephole: boolAttr(false), T: FLOAT });
  const kernelRows = shapeOf(ctx, kernel)[0];
  let inputGrad: string | undefined;
  if (wants[0]) {
    const runOrder = backwards ? ops.reverse(`${grad}:0`, 0, `${n}/grad_x_time_order`) : `${grad}:0`;
    inputGrad = ops.reshape(ops.transpose(runOrder, [1, 0, 2], `${n}/grad_x_batch_major`), [-1, steps, features], `${n}/grad_x`);
  }
  return [
    inputGrad,
    wants[1] ? ops.slice(`${grad}:3`, [0, 0], [kernelRows, -1], `${n}/grad_kernel`) : undefined,
    wants[2] ? ops.slice(`${grad}:3`, [kernelRows, 0], [units, -1], `${n}/grad_recurrent_kernel`) : undefined,
    wants[3] ? `${grad}:7` : undefined,
  ];
};

export const GRADIENT_RULES: ReadonlyMap<IrOpType, GradientRule> = new Map<IrOpType, GradientRule>([
  ['Identity', (_ctx, _node, dy) => [dy]],
  ['Add', add],
  ['Sub', sub],
  ['Mul', mul],
  ['Div', div],
  ['Where', where],
  ['Relu', relu],
  ['Relu6', relu6],
  ['Sigmoid', sigmoid],
  ['Tanh', tanh],
  ['Softmax', softmax],
  ['MatMul', matMul],
  ['Reshape', reshape],
  ['Transpose', transpose],
  ['Concat', concat],
  ['Slice', slice],
  ['Pad', pad],
  ['Gather', gather],
  ['Conv2D', conv2D],
  ['DepthwiseConv2D', conv2D],
  ['MaxPool', maxPool],
  ['AvgPool', avgPool],
  ['ReduceSum', reduction(false)],
  ['ReduceMean', reduction(true)],
  ['ReduceMax', reduceMax],
  ['LSTM', lstm],
]);
