/** Shape-inferring helpers that add one primitive node each: what the lowerings and `decompose` write with. */
import { broadcastShape, type BinaryOp, type GraphBuilder, type IrDType, type UnaryOp } from './graph.js';

export type Padding = 'SAME' | 'VALID';

const shapeOf = (g: GraphBuilder, x: string) => g.value(x).shape;

export function binary(g: GraphBuilder, op: BinaryOp, a: string, b: string, name: string): string {
  return g.node(op, [a, b], broadcastShape(shapeOf(g, a), shapeOf(g, b)), name);
}

export const add = (g: GraphBuilder, a: string, b: string, name: string) => binary(g, 'Add', a, b, name);
export const sub = (g: GraphBuilder, a: string, b: string, name: string) => binary(g, 'Sub', a, b, name);
export const mul = (g: GraphBuilder, a: string, b: string, name: string) => binary(g, 'Mul', a, b, name);
export const div = (g: GraphBuilder, a: string, b: string, name: string) => binary(g, 'Div', a, b, name);
export const maximum = (g: GraphBuilder, a: string, b: string, name: string) => binary(g, 'Maximum', a, b, name);

export function unary(g: GraphBuilder, op: UnaryOp, x: string, name: string): string {
  return g.node(op, [x], shapeOf(g, x), name);
}

/** `[..., m, k] x [..., k, n]`; both operands of the same rank. */
export function matMul(g: GraphBuilder, a: string, b: string, name: string): string {
  const sa = shapeOf(g, a);
  const sb = shapeOf(g, b);
  return g.node('MatMul', [a, b], [...sa.slice(0, -1), sb[sb.length - 1]], name);
}

export function reshape(g: GraphBuilder, x: string, shape: readonly number[], name: string): string {
  return g.node('Reshape', [x], shape, name, { shape: [...shape] }, g.value(x).dtype);
}

export function transpose(g: GraphBuilder, x: string, perm: readonly number[], name: string): string {
  const s = shapeOf(g, x);
  return g.node('Transpose', [x], perm.map((p) => s[p]), name, { perm: [...perm] }, g.value(x).dtype);
}

export function concat(g: GraphBuilder, xs: readonly string[], axis: number, name: string): string {
  if (xs.length === 1) return xs[0];
  const shape = [...shapeOf(g, xs[0])];
  shape[axis] = xs.reduce((sum, x) => sum + shapeOf(g, x)[axis], 0);
  return g.node('Concat', xs, shape, name, { axis });
}

export function softmax(g: GraphBuilder, x: string, name: string): string {
  return g.node('Softmax', [x], shapeOf(g, x), name, { axis: shapeOf(g, x).length - 1 });
}

export function reduce(g: GraphBuilder, op: 'ReduceMean' | 'ReduceMax' | 'ReduceSum', x: string, axes: readonly number[], keepDims: boolean, name: string): string {
  const s = shapeOf(g, x);
  const shape = keepDims ? s.map((d, i) => (axes.includes(i) ? 1 : d)) : s.filter((_, i) => !axes.includes(i));
  return g.node(op, [x], shape, name, { axes: [...axes], keepDims });
}

/** `size` -1 runs to the end of the axis. */
export function slice(g: GraphBuilder, x: string, begin: readonly number[], size: readonly number[], name: string): string {
  const s = shapeOf(g, x);
  const shape = size.map((n, i) => (n === -1 ? (s[i] === -1 ? -1 : s[i] - begin[i]) : n));
  return g.node('Slice', [x], shape, name, { begin: [...begin], size: [...size] }, g.value(x).dtype);
}

export function cast(g: GraphBuilder, x: string, to: IrDType, name: string): string {
  if (g.value(x).dtype === to) return x;
  return g.node('Cast', [x], shapeOf(g, x), name, { to }, to);
}

/** Row `indices` of a 2-D `params` constant: `[...indices shape, columns]`. */
export function gather(g: GraphBuilder, params: string, indices: string, name: string): string {
  return g.node('Gather', [params, indices], [...shapeOf(g, indices), shapeOf(g, params)[1]], name, { axis: 0 });
}

/** Output length of a convolution or pooling window along one axis, as TensorFlow computes it. */
export function windowOutput(length: number, window: number, stride: number, dilation: number, padding: Padding): number {
  const effective = (window - 1) * dilation + 1;
  return padding === 'SAME' ? Math.ceil(length / stride) : Math.floor((length - effective) / stride) + 1;
}
