/**
 * Keras's reset-before GRU (`reset_after=False`) time loop as TensorFlow's fused cell: one GRUBlockCell op per
 * step forward and one GRUBlockCellGrad op per step backward, inside one tf.customGrad, where the per-step op loop
 * runs about a dozen tfjs ops per step each way. TensorFlow has no whole-sequence GRU op (BlockLSTMV2's twin),
 * hence one op per step.
 *
 * GRUBlockCell takes the input and the state side by side: `[r, u] = sigmoid([x, h] w_ru + b_ru)`,
 * `c = tanh([x, r * h] w_c + b_c)`, `h' = u * h + (1 - u) * c`. Its `u` is Keras's z and its gates come in the
 * order r, u where Keras's weights have z, r, h: the weights are regrouped here (checked against Keras's
 * equations in fused-gru.test.ts). Zero initial state.
 */
import * as tf from '@tensorflow/tfjs';
import { executeOp, float32TypeAttr, nodeBackend } from './native-ops.js';

export interface FusedGruRoutine {
  /**
   * The GRU over time-major `x [T, batch, D]` with `kernel [D, 3u]`, `recurrentKernel [u, 3u]`, `bias [3u]`
   * (Keras gate order z, r, h; sigmoid gates, tanh candidate; the reset gate applied to h before its product),
   * from a zero state: every step's h `[T, batch, u]`. Differentiable (a tf.customGrad) with respect to all four.
   */
  gru(x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor3D;
}

/** The routine, or null when the active backend is not a tfjs-node one that can run it. */
export function fusedGruRoutine(): FusedGruRoutine | null {
  return nodeBackend() ? { gru: fusedGru } : null;
}

/** Keras's `[rows, 3u]` columns z, r, h as GRUBlockCell's r, u (= z) block and its candidate block. */
function cellColumns(weights: tf.Tensor2D, units: number): { ru: tf.Tensor2D; c: tf.Tensor2D } {
  const rows = weights.shape[0];
  const [z, r, c] = [0, 1, 2].map((gate) => tf.slice(weights, [0, gate * units], [rows, units])) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  return { ru: tf.concat([r, z], 1), c };
}

/** The inverse of cellColumns for gradients: `[rows, 2u]` (r, u) and `[rows, u]` back to Keras's `[rows, 3u]` (z, r, h). */
function kerasColumns(ru: tf.Tensor2D, c: tf.Tensor2D, units: number): tf.Tensor2D {
  const rows = ru.shape[0];
  return tf.concat([tf.slice(ru, [0, units], [rows, units]), tf.slice(ru, [0, 0], [rows, units]), c], 1);
}

export function fusedGru(x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor3D {
  const backend = nodeBackend();
  if (!backend) throw new Error(`fusedGru needs the tensorflow backend (active: ${tf.getBackend()})`);
  const [steps, batch, features] = x.shape;
  const units = recurrentKernel.shape[0];
  if (kernel.shape[1] !== 3 * units || recurrentKernel.shape[1] !== 3 * units || bias.shape[0] !== 3 * units) {
    throw new Error(`fusedGru: expects kernel [D, 3u], recurrentKernel [u, 3u], bias [3u] (reset_after=False); got ` +
      `[${kernel.shape.join(', ')}], [${recurrentKernel.shape.join(', ')}], [${bias.shape.join(', ')}]`);
  }
  const type = float32TypeAttr(backend);
  const run = tf.customGrad((...args: unknown[]) => {
    const [input, k, rk, b, save] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const fromInput = cellColumns(k, units);
    const fromState = cellColumns(rk, units);
    const wRu = tf.concat([fromInput.ru, fromState.ru], 0);
    const wC = tf.concat([fromInput.c, fromState.c], 0);
    const bias2d = tf.reshape(b, [1, 3 * units]) as tf.Tensor2D;
    const biases = cellColumns(bias2d, units);
    const bRu = tf.reshape(biases.ru, [2 * units]);
    const bC = tf.reshape(biases.c, [units]);
    const xs = tf.unstack(input);
    let h: tf.Tensor = tf.zeros([batch, units]);
    const trace: tf.Tensor[][] = [[], [], [], []]; // h_{t-1}, r, u, c
    const hs: tf.Tensor[] = [];
    for (let t = 0; t < steps; t++) {
      const [r, u, c, next] = executeOp(backend, 'GRUBlockCell', [type], [xs[t]!, h, wRu, wC, bRu, bC], 4) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      [h, r, u, c].forEach((tensor, i) => trace[i]!.push(tensor));
      h = next;
      hs.push(h);
    }
    // Inputs are not kept for the backward pass (the caller's tidy frees them): save what it reads.
    save([input, wRu, wC, bRu, bC, ...trace.map((list) => tf.stack(list))]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xsSaved, wRuSaved, wCSaved, bRuSaved, bCSaved, H, R, U, C] = saved as tf.Tensor[];
      const [xt, ht, rt, ut, ct, dyt] = [xsSaved!, H!, R!, U!, C!, dy].map((tensor) => tf.unstack(tensor));
      const dxs: tf.Tensor[] = new Array(steps);
      const dCandidate: tf.Tensor[] = new Array(steps);
      const dGates: tf.Tensor[] = new Array(steps);
      let dhNext: tf.Tensor | null = null;
      for (let t = steps - 1; t >= 0; t--) {
        const dh: tf.Tensor = dhNext ? tf.add(dyt![t]!, dhNext) : dyt![t]!;
        // d_x, d_h_prev (all of it: through u, r and the candidate), d_c_bar, d_r_bar_u_bar.
        const [dx, dhPrev, dcBar, dRuBar] = executeOp(backend, 'GRUBlockCellGrad', [type],
          [xt![t]!, ht![t]!, wRuSaved!, wCSaved!, bRuSaved!, bCSaved!, rt![t]!, ut![t]!, ct![t]!, dh], 4);
        dxs[t] = dx!;
        dCandidate[t] = dcBar!;
        dGates[t] = dRuBar!;
        dhNext = dhPrev!;
      }
      // The weights' gradients for all steps at once, as TensorFlow's own gradient of GRUBlockCell computes them per step.
      const rows = steps * batch;
      const xFlat = tf.reshape(xsSaved!, [rows, features]);
      const hFlat = tf.reshape(H!, [rows, units]);
      const dRu = tf.reshape(tf.stack(dGates), [rows, 2 * units]) as tf.Tensor2D;
      const dC = tf.reshape(tf.stack(dCandidate), [rows, units]) as tf.Tensor2D;
      const dWRu = tf.matMul(tf.concat([xFlat, hFlat], 1), dRu, true, false) as tf.Tensor2D;
      const dWC = tf.matMul(tf.concat([xFlat, tf.mul(hFlat, tf.reshape(R!, [rows, units]))], 1), dC, true, false) as tf.Tensor2D;
      const part = (m: tf.Tensor2D, from: number, count: number) => tf.slice(m, [from, 0], [count, m.shape[1]]);
      const dKernel = kerasColumns(part(dWRu, 0, features), part(dWC, 0, features), units);
      const dRecurrent = kerasColumns(part(dWRu, features, units), part(dWC, features, units), units);
      const dBias = tf.reshape(kerasColumns(tf.sum(dRu, 0, true), tf.sum(dC, 0, true), units), [3 * units]);
      return [tf.stack(dxs), dKernel, dRecurrent, dBias];
    };
    return { value: tf.stack(hs), gradFunc };
  });
  return run(x, kernel, recurrentKernel, bias) as tf.Tensor3D;
}
