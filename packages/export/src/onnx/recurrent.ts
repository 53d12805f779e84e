/**
 * Keras-layout LSTM and GRU as ONNX's LSTM and GRU ops. ONNX wants W [1, G*u, D] and R [1, G*u, u] (transposed,
 * gates stacked), its LSTM gates in the order i, o, f, c (Keras: i, f, c, o) and B = [Wb, Rb]. Keras's GRU
 * (gates z, r, h like ONNX) with reset_after=True is ONNX's GRU with linear_before_reset = 1 and Keras's two bias
 * rows; with reset_after=False, ONNX's default linear_before_reset = 0 with Keras's one bias as Wb and Rb = 0.
 * Inputs are time-major there: [T, batch, D] in, Y [T, 1, batch, u] out (a reverse direction keeps each
 * step's output at its time index, as the Polymodal layers do).
 */
import type { IrNode } from '../ir/graph.js';
import type { OnnxGraphWriter } from './writer.js';

/** ONNX's LSTM gate k is Keras's gate LSTM_GATE_SOURCE[k]. */
const LSTM_GATE_SOURCE = [0, 3, 1, 2];
const GRU_GATE_SOURCE = [0, 1, 2];

/** `[rows, gates*u]` (Keras) -> `[gates*u, rows]` with the gates reordered. */
function stackedTransposed(data: Float32Array, rows: number, units: number, source: readonly number[]): Float32Array {
  const width = source.length * units;
  const out = new Float32Array(data.length);
  source.forEach((from, gate) => {
    for (let j = 0; j < units; j++) {
      for (let r = 0; r < rows; r++) out[(gate * units + j) * rows + r] = data[r * width + from * units + j];
    }
  });
  return out;
}

function reorderedBias(bias: Float32Array, units: number, source: readonly number[]): Float32Array {
  const out = new Float32Array(source.length * units);
  source.forEach((from, gate) => out.set(bias.subarray(from * units, (from + 1) * units), gate * units));
  return out;
}

export function emitRecurrent(w: OnnxGraphWriter, node: IrNode): void {
  const [x, kernelName, recurrentName, biasName] = node.inputs;
  const lstm = node.op === 'LSTM';
  const source = lstm ? LSTM_GATE_SOURCE : GRU_GATE_SOURCE;
  const units = node.attrs['units'] as number;
  const width = source.length * units;
  const kernel = w.constantOf(kernelName)!;
  const features = kernel.shape[0];
  const steps = w.graph.values.get(x)!.shape[1];
  const W = w.floats(`${kernelName}/onnx`, stackedTransposed(kernel.data as Float32Array, features, units, source), [1, width, features]);
  const R = w.floats(`${recurrentName}/onnx`, stackedTransposed(w.constantOf(recurrentName)!.data as Float32Array, units, units, source), [1, width, units]);
  const bias = w.constantOf(biasName)!.data as Float32Array;
  const B = new Float32Array(2 * width);
  const resetAfter = !lstm && node.attrs['resetAfter'] !== false;
  if (lstm) B.set(reorderedBias(bias, units, source));
  else B.set(bias); // reset after: [input bias row, recurrent bias row]; reset before: [bias] and Rb = 0; already z, r, h
  const biases = w.floats(`${biasName}/onnx`, B, [1, 2 * width]);
  const timeMajor = w.step('Transpose', [w.use(x)], `${node.output}/time_major`, { perm: [1, 0, 2] });
  const sequence = w.fresh(`${node.output}/Y`);
  const last = w.fresh(`${node.output}/Y_h`);
  const attrs: Record<string, number | string> = { hidden_size: units, direction: node.attrs['goBackwards'] === true ? 'reverse' : 'forward' };
  if (!lstm) attrs['linear_before_reset'] = resetAfter ? 1 : 0;
  w.node(lstm ? 'LSTM' : 'GRU', [timeMajor, W, R, biases], [sequence, last], attrs);
  if (node.attrs['returnSequences'] === true) {
    const steps3d = w.step('Reshape', [sequence, w.int64s(`${node.output}/steps_shape`, [steps, -1, units])], `${node.output}/steps`);
    w.node('Transpose', [steps3d], [node.output], { perm: [1, 0, 2] });
  } else {
    w.node('Reshape', [last, w.int64s(`${node.output}/state_shape`, [-1, units])], [node.output]);
  }
}
