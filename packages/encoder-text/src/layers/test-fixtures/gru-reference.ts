import * as tf from '@tensorflow/tfjs';

/**
 * Keras GRU(reset_after=True) written step by step with plain tf ops (differentiated by tfjs's autodiff):
 * the reference PolymodalGRU is checked against. x [B, T, D]; kernel [D, 3u]; recurrent [u, 3u]; bias [2, 3u].
 * Returns [B, T, u] when `sequences`, else [B, u]; `goBackwards` reads the steps in reverse and aligns a
 * returned sequence with the input steps.
 */
export function referenceGru(
  x: tf.Tensor3D, kernel: tf.Tensor2D, recurrent: tf.Tensor2D, bias: tf.Tensor2D,
  options: { sequences: boolean; goBackwards: boolean },
): tf.Tensor {
  const [batch, steps] = x.shape;
  const u = recurrent.shape[0];
  const [b0, b1] = tf.unstack(bias);
  let h: tf.Tensor = tf.zeros([batch, u]);
  const outputs: tf.Tensor[] = new Array(steps);
  const order = Array.from({ length: steps }, (_, t) => (options.goBackwards ? steps - 1 - t : t));
  for (const t of order) {
    const xt = tf.squeeze(tf.slice(x, [0, t, 0], [batch, 1, x.shape[2]]), [1]);
    const mx = tf.add(tf.matMul(xt, kernel), b0);
    const mi = tf.add(tf.matMul(h, recurrent), b1);
    const [xz, xr, xh] = tf.split(mx, 3, 1);
    const [rz, rr, rh] = tf.split(mi, 3, 1);
    const z = tf.sigmoid(tf.add(xz, rz));
    const r = tf.sigmoid(tf.add(xr, rr));
    const hh = tf.tanh(tf.add(xh, tf.mul(r, rh)));
    h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), hh));
    outputs[t] = h;
  }
  return options.sequences ? tf.stack(outputs, 1) : h;
}
