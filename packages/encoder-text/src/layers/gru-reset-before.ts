/**
 * PolymodalGRU's time loops for `resetAfter: false` (Keras `reset_after=False`, tfjs's GRU and TensorFlow's
 * GRUBlockCell): the reset gate scales the state before the candidate's recurrent product, and the one bias is
 * on the input side, already in `xp`.
 *
 *   x_t W + b = [xz, xr, xh];   z = sigmoid(xz + hIn U_z);  r = sigmoid(xr + hIn U_r)
 *   hh = tanh(xh + (r * hIn) U_h);   h_t = z * h_{t-1} + (1 - z) * hh
 *
 * with hIn = h_{t-1} times the recurrent dropout mask (as Keras's implementation 1). Both loops are one
 * tf.customGrad with the back-propagation through time written out, differentiable in `xp` and `U`.
 */
import * as tf from '@tensorflow/tfjs';
import { gateColumns, gruResetBeforeBackwardSteps, gruResetBeforeForwardSteps } from '../kernels/gru-steps.js';
import { recurrentProduct } from '../kernels/recurrent-product.js';

/** `xp [T, B, 3u]`, `U [u, 3u]`, `mask [B, u]` (ones without recurrent dropout): every h or the last. */
type ResetBeforeLoop = (xp: tf.Tensor3D, recurrentKernel: tf.Tensor2D, mask: tf.Tensor2D, masked: boolean, sequences: boolean) => tf.Tensor;

/** The loop as a few tfjs ops per step (for backends where data stays on the device). */
export const resetBeforeOps: ResetBeforeLoop = (xp, recurrentKernel, mask, masked, sequences) => {
  const u = recurrentKernel.shape[0];
  const loop = tf.customGrad((...args: unknown[]) => {
    const [input, U, dropMask, save] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    const [steps, batch] = input.shape;
    const uzr = tf.slice(U, [0, 0], [u, 2 * u]);
    const uh = tf.slice(U, [0, 2 * u], [u, u]);
    const xzr = tf.unstack(tf.slice(input, [0, 0, 0], [steps, batch, 2 * u]));
    const xh = tf.unstack(tf.slice(input, [0, 0, 2 * u], [steps, batch, u]));
    let h: tf.Tensor = tf.zeros([batch, u]);
    const hs: tf.Tensor[] = [];
    const saved: tf.Tensor[][] = [[], [], [], [], [], []]; // h_{t-1}, hIn, z, r, hh, r * hIn
    for (let t = 0; t < steps; t++) {
      const hIn = masked ? tf.mul(h, dropMask) : h;
      const [z, r] = tf.split(tf.sigmoid(tf.add(xzr[t]!, tf.matMul(hIn, uzr))), 2, 1) as [tf.Tensor, tf.Tensor];
      const rhIn = tf.mul(r, hIn);
      const hh = tf.tanh(tf.add(xh[t]!, tf.matMul(rhIn, uh)));
      const next = tf.add(hh, tf.mul(z, tf.sub(h, hh)));
      [h, hIn, z, r, hh, rhIn].forEach((tensor, k) => saved[k]!.push(tensor));
      h = next;
      hs.push(h);
    }
    save([...saved.map((list) => tf.stack(list)), uzr, uh, dropMask]);
    const gradFunc = (dy: tf.Tensor, kept: tf.Tensor[]) => {
      const [HP, HIN, Z, R, HH, RHIN, UZR, UH, M] = kept as tf.Tensor[];
      const one = tf.scalar(1);
      // With dh the gradient reaching h_t:
      //   d(xz) = dh (h_{t-1} - hh) z(1-z);   d(xh) = dh (1-z)(1-hh^2)
      //   d(r hIn) = d(xh) U_h^T;   d(xr) = d(r hIn) hIn r(1-r)
      //   dh_{t-1} = dh z + mask ([d(xz), d(xr)] U_zr^T + d(r hIn) r)
      const zFactors = tf.unstack(tf.mul(tf.sub(HP!, HH!), tf.mul(Z!, tf.sub(one, Z!))));
      const hFactors = tf.unstack(tf.mul(tf.sub(one, Z!), tf.sub(one, tf.square(HH!))));
      const rFactors = tf.unstack(tf.mul(HIN!, tf.mul(R!, tf.sub(one, R!))));
      const Zs = tf.unstack(Z!);
      const Rs = tf.unstack(R!);
      const dys = sequences ? tf.unstack(dy) : null;
      const dzr: tf.Tensor[] = new Array(steps);
      const dxh: tf.Tensor[] = new Array(steps);
      let dhNext: tf.Tensor | null = null;
      for (let t = steps - 1; t >= 0; t--) {
        let dh: tf.Tensor;
        if (dys) dh = dhNext ? tf.add(dhNext, dys[t]!) : dys[t]!;
        else dh = dhNext ?? dy;
        dxh[t] = tf.mul(dh, hFactors[t]!);
        const dReset = tf.matMul(dxh[t]!, UH!, false, true);
        dzr[t] = tf.concat([tf.mul(dh, zFactors[t]!), tf.mul(dReset, rFactors[t]!)], 1);
        if (t > 0) {
          const back = tf.add(tf.matMul(dzr[t]!, UZR!, false, true), tf.mul(dReset, Rs[t]!));
          dhNext = tf.add(tf.mul(dh, Zs[t]!), masked ? tf.mul(back, M!) : back);
        }
      }
      const dZr = tf.stack(dzr);
      const dH = tf.stack(dxh);
      const rows = steps * batch;
      const dU = tf.concat([
        tf.matMul(tf.reshape(HIN!, [rows, u]), tf.reshape(dZr, [rows, 2 * u]), true, false),
        tf.matMul(tf.reshape(RHIN!, [rows, u]), tf.reshape(dH, [rows, u]), true, false),
      ], 1);
      return [tf.concat([dZr, dH], 2), dU, tf.zeros(M!.shape)];
    };
    return { value: sequences ? tf.stack(hs) : h, gradFunc };
  });
  return loop(xp, recurrentKernel, mask);
};

/** The loop over typed arrays (fastest on cpu and wasm; on wasm the products are XNNPACK calls). */
export const resetBeforeLoops: ResetBeforeLoop = (xp, recurrentKernel, mask, masked, sequences) => {
  const u = recurrentKernel.shape[0];
  const maskData = masked ? (mask.dataSync() as Float32Array) : null;
  const loop = tf.customGrad((...args: unknown[]) => {
    const [input, U, dropMask] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D];
    const [steps, batch] = input.shape;
    const kernel = U.dataSync() as Float32Array;
    const uzr = gateColumns(kernel, u, 3 * u, 0, 2 * u);
    const uh = gateColumns(kernel, u, 3 * u, 2 * u, u);
    const withProducts = <T>(run: (gates: ReturnType<typeof recurrentProduct>, candidate: ReturnType<typeof recurrentProduct>) => T): T => {
      const gates = recurrentProduct(uzr, batch, u, 2 * u);
      const candidate = recurrentProduct(uh, batch, u, u);
      try {
        return run(gates, candidate);
      } finally {
        gates.dispose();
        candidate.dispose();
      }
    };
    const { h, trace } = withProducts((gates, candidate) =>
      gruResetBeforeForwardSteps(input.dataSync() as Float32Array, gates, candidate, maskData, steps, batch, u));
    const value = sequences ? tf.tensor3d(h, [steps, batch, u]) : tf.tensor2d(h.subarray((steps - 1) * batch * u), [batch, u]);
    // Typed arrays, not tensors, carry the trace to the backward pass: nothing to keep or dispose.
    const gradFunc = (dy: tf.Tensor) => {
      const dxp = withProducts((gates, candidate) =>
        gruResetBeforeBackwardSteps(trace, dy.dataSync() as Float32Array, sequences, gates, candidate, maskData));
      const rows = steps * batch;
      const d = tf.tensor2d(dxp, [rows, 3 * u]);
      const dU = tf.concat([
        tf.matMul(tf.tensor2d(trace.hIn, [rows, u]), tf.slice(d, [0, 0], [rows, 2 * u]), true, false),
        tf.matMul(tf.tensor2d(trace.rhIn, [rows, u]), tf.slice(d, [0, 2 * u], [rows, u]), true, false),
      ], 1);
      return [tf.reshape(d, [steps, batch, 3 * u]), dU, tf.zeros(dropMask.shape)];
    };
    return { value, gradFunc };
  });
  return loop(xp, recurrentKernel, mask);
};
