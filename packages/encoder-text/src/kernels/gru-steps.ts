/**
 * The Keras GRU (reset_after=True) time loop and its back-propagation through time over typed arrays, a
 * whole batch per step, the recurrent products done by a `RecurrentProduct` (see lstm-steps.ts). Same
 * contract and trace as the reference loop in test-fixtures/gru-loop.ts: gates z, r, h; `xp` is the time-major input projection with the input
 * bias added; `recurrentBias` is the second bias row; `hIn^T . dInner` and the column sums of dInner (the
 * recurrent kernel's and bias's gradients) are left to the caller.
 */
import type { GruTrace } from './traces.js';
import type { RecurrentProduct } from './recurrent-product.js';

export type { GruTrace };

export function gruForwardSteps(
  xp: Float32Array, product: RecurrentProduct, recurrentBias: Float32Array, mask: Float32Array | null,
  steps: number, batch: number, units: number,
): { h: Float32Array; trace: GruTrace } {
  const u = units;
  const w = 3 * u;
  const bu = batch * u;
  const size = steps * bu;
  const hPrev = new Float32Array(size);
  const hIn = new Float32Array(size);
  const gz = new Float32Array(size);
  const gr = new Float32Array(size);
  const ghh = new Float32Array(size);
  const grh = new Float32Array(size);
  const hs = new Float32Array(size);
  const h = new Float32Array(bu);
  // Pre-activations of z and r [B, 2u], and of the candidate doubled (tanh(x) = 2 sigmoid(2x) - 1) [B, u].
  const preZr = new Float32Array(2 * bu);
  const preH = new Float32Array(bu);
  const rhs = new Float32Array(bu);
  for (let t = 0; t < steps; t++) {
    const base = t * bu;
    if (mask) for (let s = 0; s < bu; s++) hIn[base + s] = h[s] * mask[s];
    else hIn.set(h, base);
    // h_0 = 0: no product at the first step.
    const inner = t > 0 ? product.forward(hIn.subarray(base, base + bu)) : null;
    for (let b = 0; b < batch; b++) {
      const row = (t * batch + b) * w;
      const ir = b * w;
      const pr = 2 * b * u;
      const sb = b * u;
      for (let k = 0; k < 2 * u; k++) preZr[pr + k] = xp[row + k] + recurrentBias[k] + (inner ? inner[ir + k] : 0);
      for (let k = 0; k < u; k++) rhs[sb + k] = recurrentBias[2 * u + k] + (inner ? inner[ir + 2 * u + k] : 0);
    }
    const zr = product.sigmoid(preZr);
    for (let b = 0; b < batch; b++) {
      const row = (t * batch + b) * w + 2 * u;
      const pr = 2 * b * u + u;
      const sb = b * u;
      for (let k = 0; k < u; k++) preH[sb + k] = 2 * (xp[row + k] + zr[pr + k] * rhs[sb + k]);
    }
    const sh = product.sigmoid(preH);
    for (let b = 0; b < batch; b++) {
      const pr = 2 * b * u;
      const sb = b * u;
      for (let k = 0; k < u; k++) {
        const s = sb + k;
        const idx = base + s;
        const z = zr[pr + k];
        const hh = 2 * sh[s] - 1;
        const hp = h[s];
        hPrev[idx] = hp;
        gz[idx] = z;
        gr[idx] = zr[pr + u + k];
        ghh[idx] = hh;
        grh[idx] = rhs[s];
        const next = z * hp + (1 - z) * hh;
        h[s] = next;
        hs[idx] = next;
      }
    }
  }
  return { h: hs, trace: { steps, batch, units, hPrev, hIn, z: gz, r: gr, hh: ghh, rh: grh } };
}

export function gruBackwardSteps(
  trace: GruTrace, dy: Float32Array, sequences: boolean, product: RecurrentProduct, mask: Float32Array | null,
): { dxp: Float32Array; dInner: Float32Array } {
  const { steps, batch, units: u } = trace;
  const { hPrev, z: gz, r: gr, hh: ghh, rh: grh } = trace;
  const w = 3 * u;
  const bu = batch * u;
  const dxp = new Float32Array(steps * batch * w);
  const dInner = new Float32Array(steps * batch * w);
  const dh = new Float64Array(bu);
  for (let t = steps - 1; t >= 0; t--) {
    const base = t * bu;
    const last = t === steps - 1;
    for (let b = 0; b < batch; b++) {
      const row = (t * batch + b) * w;
      const sb = b * u;
      for (let k = 0; k < u; k++) {
        const s = sb + k;
        const idx = base + s;
        let dht = dh[s];
        if (sequences) dht += dy[idx];
        else if (last) dht += dy[s];
        const z = gz[idx];
        const r = gr[idx];
        const hh = ghh[idx];
        const dz = dht * (hPrev[idx] - hh) * z * (1 - z);
        const dxh = dht * (1 - z) * (1 - hh * hh);
        const dr = dxh * grh[idx] * r * (1 - r);
        dxp[row + k] = dz;
        dxp[row + u + k] = dr;
        dxp[row + 2 * u + k] = dxh;
        dInner[row + k] = dz;
        dInner[row + u + k] = dr;
        dInner[row + 2 * u + k] = dxh * r;
        dh[s] = dht * z;
      }
    }
    if (t === 0) break;
    const back = product.backward(dInner.subarray(t * batch * w, (t + 1) * batch * w));
    if (mask) for (let s = 0; s < bu; s++) dh[s] += back[s] * mask[s];
    else for (let s = 0; s < bu; s++) dh[s] += back[s];
  }
  return { dxp, dInner };
}
