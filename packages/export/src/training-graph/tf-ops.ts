/**
 * Float32 TensorFlow ops written straight into a GraphDef, for the gradient and loss parts of a training graph:
 * each call adds one node (plus the int32 constants it takes) and returns its tensor name.
 */
import { boolAttr, dtypeAttr, type GraphDefWriter, intAttr } from '../tfjs-graph/graph-def-writer.js';

const FLOAT = dtypeAttr('float32');
const INT32 = dtypeAttr('int32');

export class TfOps {
  constructor(readonly w: GraphDefWriter) {}

  private op(base: string, op: string, inputs: readonly string[], attr: Record<string, unknown> = { T: FLOAT }): string {
    return this.w.node(this.w.fresh(base), op, inputs, attr);
  }

  scalar(base: string, value: number): string {
    return this.w.constant(this.w.fresh(base), Float32Array.of(value), []);
  }

  add(a: string, b: string, base: string): string {
    return this.op(base, 'AddV2', [a, b]);
  }

  sub(a: string, b: string, base: string): string {
    return this.op(base, 'Sub', [a, b]);
  }

  mul(a: string, b: string, base: string): string {
    return this.op(base, 'Mul', [a, b]);
  }

  div(a: string, b: string, base: string): string {
    return this.op(base, 'RealDiv', [a, b]);
  }

  unary(op: 'Neg' | 'Log' | 'Log1p' | 'Exp' | 'Abs' | 'Relu' | 'Square' | 'Reciprocal' | 'ZerosLike', x: string, base: string): string {
    return this.op(base, op, [x]);
  }

  addN(xs: readonly string[], base: string): string {
    return xs.length === 1 ? xs[0] : this.op(base, 'AddN', xs, { N: intAttr(xs.length), T: FLOAT });
  }

  matMul(a: string, b: string, transposeA: boolean, transposeB: boolean, base: string): string {
    return this.op(base, 'MatMul', [a, b], { transpose_a: boolAttr(transposeA), transpose_b: boolAttr(transposeB), T: FLOAT });
  }

  batchMatMul(a: string, b: string, adjX: boolean, adjY: boolean, base: string): string {
    return this.op(base, 'BatchMatMulV2', [a, b], { adj_x: boolAttr(adjX), adj_y: boolAttr(adjY), T: FLOAT });
  }

  reduce(op: 'Sum' | 'Mean', x: string, axes: readonly number[], keepDims: boolean, base: string): string {
    return this.op(base, op, [x, this.w.ints(`${base}/axes`, axes)], { keep_dims: boolAttr(keepDims), T: FLOAT, Tidx: INT32 });
  }

  reshape(x: string, shape: readonly number[], base: string): string {
    return this.op(base, 'Reshape', [x, this.w.ints(`${base}/shape`, shape)], { T: FLOAT, Tshape: INT32 });
  }

  /** Reshape to the run-time shape of `like`. */
  reshapeLike(x: string, like: string, base: string): string {
    return this.op(base, 'Reshape', [x, this.shape(like, `${base}/shape`)], { T: FLOAT, Tshape: INT32 });
  }

  shape(x: string, base: string): string {
    return this.op(base, 'Shape', [x], { T: FLOAT, out_type: INT32 });
  }

  transpose(x: string, perm: readonly number[], base: string): string {
    return this.op(base, 'Transpose', [x, this.w.ints(`${base}/perm`, perm)], { T: FLOAT, Tperm: INT32 });
  }

  slice(x: string, begin: readonly number[], size: readonly number[], base: string): string {
    return this.op(base, 'Slice', [x, this.w.ints(`${base}/begin`, begin), this.w.ints(`${base}/size`, size)], { T: FLOAT, Index: INT32 });
  }

  pad(x: string, pads: readonly number[], base: string): string {
    return this.op(base, 'Pad', [x, this.w.ints(`${base}/paddings`, pads, [pads.length / 2, 2])], { T: FLOAT, Tpaddings: INT32 });
  }

  reverse(x: string, axis: number, base: string): string {
    return this.op(base, 'ReverseV2', [x, this.w.ints(`${base}/axis`, [axis])], { T: FLOAT, Tidx: INT32 });
  }

  /** 1 where `predicate(a, b)` holds, else 0 (float32). */
  compare(op: 'Greater' | 'GreaterEqual' | 'LessEqual' | 'Equal', a: string, b: string, base: string): string {
    const attr = op === 'Equal' ? { T: FLOAT, incompatible_shape_error: boolAttr(true) } : { T: FLOAT };
    const truth = this.op(`${base}/truth`, op, [a, b], attr);
    return this.op(base, 'Cast', [truth], { SrcT: dtypeAttr('bool'), DstT: FLOAT, Truncate: boolAttr(false) });
  }

  /** The last axis's argmax as float32, so it can be compared with Equal. */
  argMaxLast(x: string, rank: number, base: string): string {
    const index = this.op(`${base}/index`, 'ArgMax', [x, this.w.ints(`${base}/axis`, [rank - 1], [])], { T: FLOAT, Tidx: INT32, output_type: INT32 });
    return this.op(base, 'Cast', [index], { SrcT: INT32, DstT: FLOAT, Truncate: boolAttr(false) });
  }

  /** The number of elements of `x`, as a float32 scalar (the batch is only known at run time). */
  count(x: string, base: string): string {
    const size = this.op(`${base}/size`, 'Size', [x], { T: FLOAT, out_type: INT32 });
    return this.op(base, 'Cast', [size], { SrcT: INT32, DstT: FLOAT, Truncate: boolAttr(false) });
  }

  minimum(a: string, b: string, base: string): string {
    return this.op(base, 'Minimum', [a, b]);
  }

  maximum(a: string, b: string, base: string): string {
    return this.op(base, 'Maximum', [a, b]);
  }

  /** The gradient ops with a TensorFlow kernel of their own. */
  grad(op: 'ReluGrad' | 'Relu6Grad', gradients: string, features: string, base: string): string {
    return this.op(base, op, [gradients, features]);
  }

  /** SigmoidGrad / TanhGrad take the op's output and the incoming gradient, in that order. */
  outputGrad(op: 'SigmoidGrad' | 'TanhGrad', y: string, dy: string, base: string): string {
    return this.op(base, op, [y, dy]);
  }

  raw(base: string, op: string, inputs: readonly string[], attr: Record<string, unknown>): string {
    return this.op(base, op, inputs, attr);
  }
}
