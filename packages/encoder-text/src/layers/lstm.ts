/**
 * A Keras-compatible LSTM that trains several times faster than `tf.layers.lstm` on every backend.
 *
 * Same weights as `keras.layers.LSTM(units)` (and `tf.layers.lstm`): `kernel [D, 4u]`, `recurrent_kernel
 * [u, 4u]`, `bias [4u]`, gates in the order i, f, c, o; 4 * (D*u + u*u + u) parameters. Keras's defaults:
 * recurrent activation sigmoid (tfjs defaults to hardSigmoid), unit forget bias, orthogonal recurrent kernel.
 *
 *   z_t = x_t W + b + h_{t-1} U;  i, f, o = sigmoid(z_i, z_f, z_o);  g = tanh(z_c)
 *   c_t = f * c_{t-1} + i * g;    h_t = o * tanh(c_t)
 *
 * Speed: the input projections of all steps are one matMul; each step runs about 14 small ops forward and 6
 * backward; the whole time loop is one `tf.customGrad` node with back-propagation through time written out,
 * where tfjs's LSTM records ~25 tape nodes per step and differentiates each. On tensorflow the whole loop is
 * one BlockLSTMV2 op, on wasm one SIMD kernel call (see recurFused). Masking (maskZero) is not supported: as in the Keras article,
 * pre-padded zeros run through the cell.
 */
import * as tf from '@tensorflow/tfjs';
import { lstmBackwardSteps, lstmForwardSteps } from '../kernels/lstm-steps.js';
import { recurrentProduct } from '../kernels/recurrent-product.js';
import { fusedLstmRoutine } from './fused-recurrence.js';
import { PolymodalRecurrentBase, type PolymodalRecurrentArgs } from './recurrent-base.js';

export interface PolymodalLSTMArgs extends PolymodalRecurrentArgs {
  /** Initialise the forget-gate bias to 1 (Keras `unit_forget_bias`). Default true. */
  unitForgetBias?: boolean;
}

export class PolymodalLSTM extends PolymodalRecurrentBase {
  /** @nocollapse */
  static className = 'PolymodalLSTM';
  protected readonly gates = 4;
  readonly unitForgetBias: boolean;

  constructor(args: PolymodalLSTMArgs) {
    super(args);
    this.unitForgetBias = args.unitForgetBias ?? true;
  }

  protected who(): string {
    return PolymodalLSTM.className;
  }

  protected biasShape(): number[] {
    return [4 * this.units];
  }

  protected initialBias(): tf.Tensor {
    const u = this.units;
    const values = new Float32Array(4 * u);
    if (this.unitForgetBias) values.fill(1, u, 2 * u);
    return tf.tensor1d(values);
  }

  protected inputBias(): tf.Tensor {
    return this.bias!.read();
  }

  protected recurOps(xp: tf.Tensor3D, recurrentMask: tf.Tensor | null, sequences: boolean): tf.Tensor {
    const u = this.units;
    const mask = recurrentMask ?? tf.ones([xp.shape[1], u]);
    const masked = recurrentMask != null;
    const loop = tf.customGrad((...args: unknown[]) => {
      const [input, recurrentKernel, dropMask, save] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
      const [steps, batch] = input.shape;
      const xs = tf.unstack(input) as tf.Tensor2D[];
      let h: tf.Tensor2D = tf.zeros([batch, u]);
      let c: tf.Tensor2D = tf.zeros([batch, u]);
      const hs: tf.Tensor[] = [];
      const hPrev: tf.Tensor[] = [];
      const gates: tf.Tensor[][] = [[], [], [], []];
      const cPrev: tf.Tensor[] = [];
      const tanhC: tf.Tensor[] = [];
      for (let t = 0; t < steps; t++) {
        const hIn = masked ? tf.mul(h, dropMask) : h;
        const z = tf.add(xs[t], tf.matMul(hIn, recurrentKernel));
        const [zi, zf, zc, zo] = tf.split(z, 4, 1);
        const i = tf.sigmoid(zi);
        const f = tf.sigmoid(zf);
        const g = tf.tanh(zc);
        const o = tf.sigmoid(zo);
        cPrev.push(c);
        hPrev.push(hIn);
        c = tf.add(tf.mul(f, c), tf.mul(i, g));
        const tc = tf.tanh(c);
        h = tf.mul(o, tc);
        gates[0].push(i);
        gates[1].push(f);
        gates[2].push(g);
        gates[3].push(o);
        tanhC.push(tc);
        hs.push(h);
      }
      const value = sequences ? tf.stack(hs) : h;
      const stacked = [tf.stack(hPrev), tf.stack(gates[0]), tf.stack(gates[1]), tf.stack(gates[2]), tf.stack(gates[3]), tf.stack(cPrev), tf.stack(tanhC)];
      // Inputs are not kept for the backward pass (the caller's tidy frees them): save what it reads.
      save([...stacked, recurrentKernel, dropMask]);
      const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [H, I, F, G, O, C, TC, U, M] = saved;
        const one = tf.scalar(1);
        // Per-step factors, computed for all steps at once:
        //   dc_t = dc_{t+1} f_{t+1} + dh_t P_t,   dz_t = [dc, dc, dc, dh]_t * A_t
        const P = tf.mul(O, tf.sub(one, tf.square(TC)));
        const A = tf.concat([
          tf.mul(G, tf.mul(I, tf.sub(one, I))),
          tf.mul(C, tf.mul(F, tf.sub(one, F))),
          tf.mul(I, tf.sub(one, tf.square(G))),
          tf.mul(TC, tf.mul(O, tf.sub(one, O))),
        ], 2);
        const Ps = tf.unstack(P);
        const As = tf.unstack(A);
        const Fs = tf.unstack(F);
        const dys = sequences ? tf.unstack(dy) : null;
        const dzs: tf.Tensor[] = new Array(steps);
        let dhNext: tf.Tensor | null = null;
        let dcNext: tf.Tensor | null = null;
        for (let t = steps - 1; t >= 0; t--) {
          let dh: tf.Tensor;
          if (dys) dh = dhNext ? tf.add(dhNext, dys[t]) : dys[t];
          else dh = dhNext ?? dy;
          const fromH = tf.mul(dh, Ps[t]);
          const dc: tf.Tensor = dcNext ? tf.add(dcNext, fromH) : fromH;
          const dz = tf.mul(tf.concat([dc, dc, dc, dh], 1), As[t]);
          dzs[t] = dz;
          if (t > 0) {
            dcNext = tf.mul(dc, Fs[t]);
            const back = tf.matMul(dz, U, false, true);
            dhNext = masked ? tf.mul(back, M) : back;
          }
        }
        const dxp = tf.stack(dzs);
        const dU = tf.matMul(tf.reshape(H, [steps * batch, u]), tf.reshape(dxp, [steps * batch, 4 * u]), true, false);
        return [dxp, dU, tf.zeros(M.shape)];
      };
      return { value, gradFunc };
    });
    return loop(xp, this.recurrentKernel!.read(), mask);
  }

  protected recurLoops(xp: tf.Tensor3D, recurrentMask: tf.Tensor | null, sequences: boolean): tf.Tensor {
    const u = this.units;
    const mask = recurrentMask ?? tf.ones([xp.shape[1], u]);
    const maskData = recurrentMask ? (recurrentMask.dataSync() as Float32Array) : null;
    const loop = tf.customGrad((...args: unknown[]) => {
      const [input, recurrentKernel, dropMask] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D];
      const [steps, batch] = input.shape;
      const U = recurrentKernel.dataSync() as Float32Array;
      // The recurrent products and sigmoids run as direct XNNPACK calls on wasm (see recurrent-product.ts).
      const forwardProduct = recurrentProduct(U, batch, u, 4 * u);
      let forward: ReturnType<typeof lstmForwardSteps>;
      try {
        forward = lstmForwardSteps(input.dataSync() as Float32Array, forwardProduct, maskData, steps, batch, u);
      } finally {
        forwardProduct.dispose();
      }
      const { h, trace } = forward;
      const value = sequences ? tf.tensor3d(h, [steps, batch, u]) : tf.tensor2d(h.subarray((steps - 1) * batch * u), [batch, u]);
      // Typed arrays, not tensors, carry the trace to the backward pass: nothing to keep or dispose.
      const gradFunc = (dy: tf.Tensor) => {
        const backwardProduct = recurrentProduct(U, batch, u, 4 * u);
        let dxp: Float32Array;
        try {
          dxp = lstmBackwardSteps(trace, dy.dataSync() as Float32Array, sequences, backwardProduct, maskData);
        } finally {
          backwardProduct.dispose();
        }
        const dU = tf.matMul(tf.tensor2d(trace.hIn, [steps * batch, u]), tf.tensor2d(dxp, [steps * batch, 4 * u]), true, false);
        return [tf.tensor3d(dxp, [steps, batch, 4 * u]), dU, tf.zeros(dropMask.shape)];
      };
      return { value, gradFunc };
    });
    return loop(xp, this.recurrentKernel!.read(), mask);
  }

  /**
   * The backend's fused LSTM where it has one: on tensorflow BlockLSTMV2 with BlockLSTMGradV2, on wasm
   * @polymodal/backend-wasm's SIMD time loop and BPTT (two native calls per batch each).
   */
  protected override recurFused(x: tf.Tensor3D, training: boolean): tf.Tensor | null {
    if (this.implementation !== 'auto') return null;
    const routine = fusedLstmRoutine();
    if (!routine) return null;
    return this.fusedTimeLoop(x, training, (...args) => routine.lstm(...args));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), unitForgetBias: this.unitForgetBias };
  }
}
tf.serialization.registerClass(PolymodalLSTM);
