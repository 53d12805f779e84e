/**
 * Keras's GRU, trained with a hand-written back-propagation through time inside one `tf.customGrad`, in both
 * of Keras's variants:
 *
 * `resetAfter: true` (default, Keras's default `reset_after=True`, the cuDNN-compatible variant tfjs rejects):
 * weights as `keras.layers.GRU(units)`: `kernel [D, 3u]`, `recurrent_kernel [u, 3u]`, `bias [2, 3u]` (row 0
 * the input bias, row 1 the recurrent bias), gates in the order z, r, h; 3 * (D*u + u*u + 2u) parameters.
 *
 *   x_t W + b_0 = [xz, xr, xh];   h_{t-1} U + b_1 = [rz, rr, rh]
 *   z = sigmoid(xz + rz);  r = sigmoid(xr + rr);  hh = tanh(xh + r * rh)
 *   h_t = z * h_{t-1} + (1 - z) * hh
 *
 * `resetAfter: false` (Keras `reset_after=False`, tfjs's GRU): `bias [3u]`, 3 * (D*u + u*u + u) parameters,
 * hh = tanh(xh + (r * h_{t-1}) U_h) (see gru-reset-before.ts). On tensorflow its time loop runs as TensorFlow's
 * fused GRUBlockCell (see recurFused); TensorFlow has no fused cell for the reset-after variant.
 */
import * as tf from '@tensorflow/tfjs';
import { gruBackwardSteps, gruForwardSteps } from '../kernels/gru-steps.js';
import { recurrentProduct } from '../kernels/recurrent-product.js';
import { fusedGruRoutine, noteOnce } from './fused-recurrence.js';
import { resetBeforeLoops, resetBeforeOps } from './gru-reset-before.js';
import { PolymodalRecurrentBase, type PolymodalRecurrentArgs } from './recurrent-base.js';

export interface PolymodalGRUArgs extends PolymodalRecurrentArgs {
  /**
   * Apply the reset gate after the candidate's recurrent product (Keras `reset_after`). Default true (Keras's
   * default); false is the GRU of tfjs and of Keras's `reset_after=False`, and runs fused on tensorflow.
   */
  resetAfter?: boolean;
}

export class PolymodalGRU extends PolymodalRecurrentBase {
  /** @nocollapse */
  static className = 'PolymodalGRU';
  protected readonly gates = 3;
  readonly resetAfter: boolean;

  constructor(args: PolymodalGRUArgs) {
    super(args);
    if (args.resetAfter !== undefined && typeof args.resetAfter !== 'boolean') {
      throw new Error(`PolymodalGRU: resetAfter must be true or false; got ${JSON.stringify(args.resetAfter)}`);
    }
    this.resetAfter = args.resetAfter ?? true;
  }

  protected who(): string {
    return PolymodalGRU.className;
  }

  protected biasShape(): number[] {
    return this.resetAfter ? [2, 3 * this.units] : [3 * this.units];
  }

  protected initialBias(): tf.Tensor {
    return tf.zeros(this.biasShape());
  }

  protected inputBias(): tf.Tensor {
    if (!this.resetAfter) return this.bias!.read();
    return tf.squeeze(tf.slice(this.bias!.read(), [0, 0], [1, 3 * this.units]), [0]);
  }

  /**
   * `resetAfter: false` on a backend with a fused GRU (tensorflow: GRUBlockCell with GRUBlockCellGrad, one op
   * per step each way); `resetAfter: true` keeps its own loop, as does training with recurrent dropout (the
   * fused cell takes no mask for h), each said once.
   */
  protected override recurFused(x: tf.Tensor3D, training: boolean): tf.Tensor | null {
    if (this.implementation !== 'auto') return null;
    const routine = fusedGruRoutine();
    if (!routine) return null;
    if (this.resetAfter) {
      noteOnce('PolymodalGRU fused', `PolymodalGRU runs its per-step loop on ${tf.getBackend()}: TensorFlow's fused GRUBlockCell is the reset-before GRU ` +
        '(Keras reset_after=False, r applied to h before the recurrent product), not the reset_after=True GRU this layer computes; ' +
        'resetAfter: false (text/gru option resetAfter) runs fused');
      return null;
    }
    return this.fusedTimeLoop(x, training, (...args) => routine.gru(...args));
  }

  protected recurOps(xp: tf.Tensor3D, recurrentMask: tf.Tensor | null, sequences: boolean): tf.Tensor {
    const u = this.units;
    if (!this.resetAfter) {
      const mask = (recurrentMask ?? tf.ones([xp.shape[1], u])) as tf.Tensor2D;
      return resetBeforeOps(xp, this.recurrentKernel!.read() as tf.Tensor2D, mask, recurrentMask != null, sequences);
    }
    const mask = recurrentMask ?? tf.ones([xp.shape[1], u]);
    const masked = recurrentMask != null;
    const recurrentBias = tf.squeeze(tf.slice(this.bias!.read(), [1, 0], [1, 3 * u]), [0]);
    const loop = tf.customGrad((...args: unknown[]) => {
      const [input, recurrentKernel, bias, dropMask, save] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.GradSaveFunc];
      const [steps, batch] = input.shape;
      const xzr = tf.unstack(tf.slice(input, [0, 0, 0], [steps, batch, 2 * u]));
      const xh = tf.unstack(tf.slice(input, [0, 0, 2 * u], [steps, batch, u]));
      let h: tf.Tensor = tf.zeros([batch, u]);
      const hs: tf.Tensor[] = [];
      const saved: tf.Tensor[][] = [[], [], [], [], [], []]; // h_{t-1}, recurrent input, z, r, hh, rh
      for (let t = 0; t < steps; t++) {
        const hIn = masked ? tf.mul(h, dropMask) : h;
        const inner = tf.add(tf.matMul(hIn, recurrentKernel), bias);
        const [innerZr, rh] = tf.split(inner, [2 * u, u], 1);
        const [z, r] = tf.split(tf.sigmoid(tf.add(xzr[t], innerZr)), 2, 1);
        const hh = tf.tanh(tf.add(xh[t], tf.mul(r, rh)));
        const next = tf.add(hh, tf.mul(z, tf.sub(h, hh)));
        [h, hIn, z, r, hh, rh].forEach((tensor, k) => saved[k].push(tensor));
        h = next;
        hs.push(h);
      }
      const value = sequences ? tf.stack(hs) : h;
      save([...saved.map((list) => tf.stack(list)), recurrentKernel, dropMask]);
      const gradFunc = (dy: tf.Tensor, kept: tf.Tensor[]) => {
        const [HP, HIN, Z, R, HH, RH, U, M] = kept;
        const one = tf.scalar(1);
        // With dh the gradient reaching h_t:
        //   d(xz) = d(rz) = dh * (h_{t-1} - hh) z(1-z)                         [A1]
        //   d(xh) = dh * (1 - z)(1 - hh^2)                                        [A2]
        //   d(xr) = d(rr) = d(xh) * rh * r(1-r)                                   [A3]
        //   d(rh) = d(xh) * r                                                     [A4]
        //   dh_{t-1} = dh * z + [d(rz), d(rr), d(rh)] U^T
        const A2 = tf.mul(tf.sub(one, Z), tf.sub(one, tf.square(HH)));
        const A1 = tf.mul(tf.sub(HP, HH), tf.mul(Z, tf.sub(one, Z)));
        const A3 = tf.mul(A2, tf.mul(RH, tf.mul(R, tf.sub(one, R))));
        const A4 = tf.mul(A2, R);
        const inputFactors = tf.unstack(tf.concat([A1, A3, A2], 2));
        const innerFactors = tf.unstack(tf.concat([A1, A3, A4], 2));
        const Zs = tf.unstack(Z);
        const dys = sequences ? tf.unstack(dy) : null;
        const dxs: tf.Tensor[] = new Array(steps);
        const dinners: tf.Tensor[] = new Array(steps);
        let dhNext: tf.Tensor | null = null;
        for (let t = steps - 1; t >= 0; t--) {
          let dh: tf.Tensor;
          if (dys) dh = dhNext ? tf.add(dhNext, dys[t]) : dys[t];
          else dh = dhNext ?? dy;
          const tiled = tf.concat([dh, dh, dh], 1);
          dxs[t] = tf.mul(tiled, inputFactors[t]);
          dinners[t] = tf.mul(tiled, innerFactors[t]);
          if (t > 0) {
            const back = tf.matMul(dinners[t], U, false, true);
            dhNext = tf.add(tf.mul(dh, Zs[t]), masked ? tf.mul(back, M) : back);
          }
        }
        const dxp = tf.stack(dxs);
        const dInner = tf.reshape(tf.stack(dinners), [steps * batch, 3 * u]);
        const dU = tf.matMul(tf.reshape(HIN, [steps * batch, u]), dInner, true, false);
        const dBias = tf.sum(dInner, 0);
        return [dxp, dU, dBias, tf.zeros(M.shape)];
      };
      return { value, gradFunc };
    });
    return loop(xp, this.recurrentKernel!.read(), recurrentBias, mask);
  }

  protected recurLoops(xp: tf.Tensor3D, recurrentMask: tf.Tensor | null, sequences: boolean): tf.Tensor {
    const u = this.units;
    if (!this.resetAfter) {
      const mask = (recurrentMask ?? tf.ones([xp.shape[1], u])) as tf.Tensor2D;
      return resetBeforeLoops(xp, this.recurrentKernel!.read() as tf.Tensor2D, mask, recurrentMask != null, sequences);
    }
    const mask = recurrentMask ?? tf.ones([xp.shape[1], u]);
    const maskData = recurrentMask ? (recurrentMask.dataSync() as Float32Array) : null;
    const recurrentBias = tf.squeeze(tf.slice(this.bias!.read(), [1, 0], [1, 3 * u]), [0]);
    const loop = tf.customGrad((...args: unknown[]) => {
      const [input, recurrentKernel, bias, dropMask] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D];
      const [steps, batch] = input.shape;
      const U = recurrentKernel.dataSync() as Float32Array;
      // The recurrent products and sigmoids run as direct XNNPACK calls on wasm (see recurrent-product.ts).
      const forwardProduct = recurrentProduct(U, batch, u, 3 * u);
      let forward: ReturnType<typeof gruForwardSteps>;
      try {
        forward = gruForwardSteps(input.dataSync() as Float32Array, forwardProduct, bias.dataSync() as Float32Array, maskData, steps, batch, u);
      } finally {
        forwardProduct.dispose();
      }
      const { h, trace } = forward;
      const value = sequences ? tf.tensor3d(h, [steps, batch, u]) : tf.tensor2d(h.subarray((steps - 1) * batch * u), [batch, u]);
      const gradFunc = (dy: tf.Tensor) => {
        const backwardProduct = recurrentProduct(U, batch, u, 3 * u);
        let grads: ReturnType<typeof gruBackwardSteps>;
        try {
          grads = gruBackwardSteps(trace, dy.dataSync() as Float32Array, sequences, backwardProduct, maskData);
        } finally {
          backwardProduct.dispose();
        }
        const { dxp, dInner } = grads;
        const inner = tf.tensor2d(dInner, [steps * batch, 3 * u]);
        const dU = tf.matMul(tf.tensor2d(trace.hIn, [steps * batch, u]), inner, true, false);
        return [tf.tensor3d(dxp, [steps, batch, 3 * u]), dU, tf.sum(inner, 0), tf.zeros(dropMask.shape)];
      };
      return { value, gradFunc };
    });
    return loop(xp, this.recurrentKernel!.read(), recurrentBias, mask);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), resetAfter: this.resetAfter };
  }
}
tf.serialization.registerClass(PolymodalGRU);
