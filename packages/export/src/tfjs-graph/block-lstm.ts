/**
 * The composite LSTM as TensorFlow's BlockLSTMV2 (one op for the whole time loop), for GraphDefs that TensorFlow
 * itself runs (the SavedModel export): tfjs-converter has no such op, so the graph model keeps the unrolled form.
 * BlockLSTMV2 takes Keras's gate order (i, f, c, o) and its weights as one [D + u, 4u] matrix, runs time-major
 * from a given state (zeros here, sized by the batch at run time) and returns every step's h as output 6; no
 * forget bias and, with cell_clip 0, no clipping: as core's and the text plugin's LSTM compute it. goBackwards
 * reverses the input; its sequence output is reversed back, so each step's output sits at its own time index.
 */
import type { IrNode } from '../ir/graph.js';
import { boolAttr, dtypeAttr, type GraphDefWriter } from './graph-def-writer.js';

const FLOAT = dtypeAttr('float32');
const INT32 = dtypeAttr('int32');

/** The nodes a BlockLSTMV2 call was made of: what its gradient (BlockLSTMGradV2) takes besides the output gradient. */
export interface BlockLstmParts {
  readonly block: string;
  readonly seqLen: string;
  /** The input, time-major (and reversed for goBackwards). */
  readonly timeMajor: string;
  readonly state: string;
  readonly weights: string;
  readonly peephole: string;
  readonly bias: string;
}

export function emitBlockLstm(w: GraphDefWriter, node: IrNode, [x, kernel, recurrentKernel, bias]: string[]): BlockLstmParts {
  const n = node.output;
  const units = node.attrs['units'] as number;
  const steps = w.graph.values.get(node.inputs[0])!.shape[1];
  let timeMajor = w.node(w.fresh(`${n}/time_major`), 'Transpose', [x, w.ints(`${n}/time_major_perm`, [1, 0, 2])], { T: FLOAT, Tperm: INT32 });
  const backwards = node.attrs['goBackwards'] === true;
  if (backwards) {
    timeMajor = w.node(w.fresh(`${n}/reversed`), 'ReverseV2', [timeMajor, w.ints(`${n}/time_axis`, [0])], { T: FLOAT, Tidx: INT32 });
  }
  const weights = w.node(w.fresh(`${n}/weights`), 'ConcatV2', [kernel, recurrentKernel, w.ints(`${n}/weights_axis`, [0], [])], { N: { i: '2' }, T: FLOAT, Tidx: INT32 });
  // The zero state's shape [batch, units], batch read off the input at run time.
  const shape = w.node(w.fresh(`${n}/input_shape`), 'Shape', [timeMajor], { T: FLOAT, out_type: INT32 });
  const batch = w.node(w.fresh(`${n}/batch`), 'Slice', [shape, w.ints(`${n}/batch_begin`, [1]), w.ints(`${n}/batch_size`, [1])], { T: INT32, Index: INT32 });
  const stateShape = w.node(w.fresh(`${n}/state_shape`), 'ConcatV2', [batch, w.ints(`${n}/units`, [units]), w.ints(`${n}/state_axis`, [0], [])], { N: { i: '2' }, T: INT32, Tidx: INT32 });
  const state = w.node(w.fresh(`${n}/zero_state`), 'Fill', [stateShape, w.constant(w.fresh(`${n}/zero`), new Float32Array(1), [])], { T: FLOAT, index_type: INT32 });
  const peephole = w.constant(w.fresh(`${n}/no_peephole`), new Float32Array(units), [units]);
  const seqLen = w.node(w.fresh(`${n}/seq_len`), 'Cast', [w.ints(`${n}/steps`, [steps], [])], { SrcT: INT32, DstT: { type: 'DT_INT64' }, Truncate: boolAttr(false) });
  const lstm = w.node(w.fresh(`${n}/block_lstm`), 'BlockLSTMV2', [seqLen, timeMajor, state, state, weights, peephole, peephole, peephole, bias], {
    cell_clip: { f: 0 }, use_peephole: boolAttr(false), T: FLOAT,
  });
  const h = `${lstm}:6`;
  const parts: BlockLstmParts = { block: lstm, seqLen, timeMajor, state, weights, peephole, bias };
  if (node.attrs['returnSequences'] === true) {
    // Each step's output at its own time index, as the layer returns it (BlockLSTMV2 gives them in the order run).
    const ordered = backwards ? w.node(w.fresh(`${n}/in_time_order`), 'ReverseV2', [h, w.ints(`${n}/output_time_axis`, [0])], { T: FLOAT, Tidx: INT32 }) : h;
    w.node(n, 'Transpose', [ordered, w.ints(`${n}/batch_major_perm`, [1, 0, 2])], { T: FLOAT, Tperm: INT32 });
    return parts;
  }
  const last = w.node(w.fresh(`${n}/last_step`), 'Slice', [h, w.ints(`${n}/last_begin`, [steps - 1, 0, 0]), w.ints(`${n}/last_size`, [1, -1, -1])], { T: FLOAT, Index: INT32 });
  w.node(n, 'Reshape', [last, w.ints(`${n}/last_shape`, [-1, units])], { T: FLOAT, Tshape: INT32 });
  return parts;
}
