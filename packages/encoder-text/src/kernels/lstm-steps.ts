/**
 * The LSTM time loop and its back-propagation through time over typed arrays, a whole batch per step: the
 * gate arithmetic in JavaScript, the recurrent products `h_{t-1} U` and `dz_t U^T` of each step as one
 * [batch, u] x [u, 4u] (resp. [batch, 4u] x [4u, u]) product of a `RecurrentProduct` (XNNPACK on wasm). Same
 * contract and trace as the reference loop in test-fixtures/lstm-loop.ts: gates in the Keras order i, f, c, o; `xp [T, B, 4u]` is the time-major
 * input projection with the bias added; the recurrent kernel's gradient `hIn^T . dxp` is left to the caller.
 */
import type { LstmTrace } from './traces.js';
import type { RecurrentProduct } from './recurrent-product.js';
import { gradientReachingH } from './bptt.js';
import { flushed } from './subnormal.js';

export type { LstmTrace };

/** Runs the cell over `xp [T, B, 4u]` from a zero state; returns every h `[T, B, u]` and what backward needs. */
export function lstmForwardSteps(
  xp: Float32Array, product: RecurrentProduct, mask: Float32Array | null, steps: number, batch: number, units: number,
): { h: Float32Array; trace: LstmTrace } {
  const u = units;
  const w = 4 * u;
  const bu = batch * u;
  const size = steps * bu;
  const hIn = new Float32Array(size);
  const gi = new Float32Array(size);
  const gf = new Float32Array(size);
  const gg = new Float32Array(size);
  const go = new Float32Array(size);
  const cPrev = new Float32Array(size);
  const tanhC = new Float32Array(size);
  const hs = new Float32Array(size);
  const h = new Float32Array(bu);
  const c = new Float32Array(bu);
  // Pre-activations; the c gate's and the cell's doubled, as tanh(x) = 2 sigmoid(2x) - 1.
  const pre = new Float32Array(batch * w);
  const c2 = new Float32Array(bu);
  for (let t = 0; t < steps; t++) {
    const base = t * bu;
    if (mask) for (let s = 0; s < bu; s++) hIn[base + s] = h[s] * mask[s];
    else hIn.set(h, base);
    const xo = t * batch * w;
    if (t === 0) {
      // h_0 = 0: no product at the first step.
      pre.set(xp.subarray(xo, xo + batch * w));
    } else {
      const z = product.forward(hIn.subarray(base, base + bu));
      for (let j = 0; j < batch * w; j++) pre[j] = xp[xo + j] + z[j];
    }
    for (let b = 0; b < batch; b++) {
      const o = b * w + 2 * u;
      for (let k = 0; k < u; k++) pre[o + k] *= 2;
    }
    const act = product.sigmoid(pre);
    for (let b = 0; b < batch; b++) {
      const r = b * w;
      const sb = b * u;
      for (let k = 0; k < u; k++) {
        const i = act[r + k];
        const f = act[r + u + k];
        const g = 2 * act[r + 2 * u + k] - 1;
        const s = sb + k;
        const idx = base + s;
        const cp = c[s];
        const cn = f * cp + i * g;
        gi[idx] = i;
        gf[idx] = f;
        gg[idx] = g;
        go[idx] = act[r + 3 * u + k];
        cPrev[idx] = cp;
        c[s] = cn;
        c2[s] = 2 * cn;
      }
    }
    const sc = product.sigmoid(c2);
    for (let s = 0; s < bu; s++) {
      const idx = base + s;
      const tc = 2 * sc[s] - 1;
      tanhC[idx] = tc;
      const hv = go[idx] * tc;
      h[s] = hv;
      hs[idx] = hv;
    }
  }
  return { h: hs, trace: { steps, batch, units, hIn, i: gi, f: gf, g: gg, o: go, cPrev, tanhC } };
}

/**
 * Gradient of the loss with respect to `xp` ([T, B, 4u]) given the gradient `dy` of the outputs: every step's
 * h ([T, B, u]) when `sequences`, else the last h ([B, u]).
 */
export function lstmBackwardSteps(
  trace: LstmTrace, dy: Float32Array, sequences: boolean, product: RecurrentProduct, mask: Float32Array | null,
): Float32Array {
  const { steps, batch, units: u } = trace;
  const { i: gi, f: gf, g: gg, o: go, cPrev, tanhC } = trace;
  const w = 4 * u;
  const bu = batch * u;
  const dxp = new Float32Array(steps * batch * w);
  const dh = new Float64Array(bu);
  const dc = new Float64Array(bu);
  for (let t = steps - 1; t >= 0; t--) {
    const base = t * bu;
    const last = t === steps - 1;
    for (let b = 0; b < batch; b++) {
      const row = (t * batch + b) * w;
      const sb = b * u;
      for (let k = 0; k < u; k++) {
        const s = sb + k;
        const idx = base + s;
        const dht = gradientReachingH(dh, dy, s, idx, sequences, last);
        const i = gi[idx];
        const f = gf[idx];
        const g = gg[idx];
        const o = go[idx];
        const tc = tanhC[idx];
        const dct = dc[s] + dht * o * (1 - tc * tc);
        dxp[row + k] = flushed(dct * g * i * (1 - i));
        dxp[row + u + k] = flushed(dct * cPrev[idx] * f * (1 - f));
        dxp[row + 2 * u + k] = flushed(dct * i * (1 - g * g));
        dxp[row + 3 * u + k] = flushed(dht * tc * o * (1 - o));
        dc[s] = flushed(dct * f);
      }
    }
    if (t === 0) break;
    const back = product.backward(dxp.subarray(t * batch * w, (t + 1) * batch * w));
    if (mask) for (let s = 0; s < bu; s++) dh[s] = back[s] * mask[s];
    else for (let s = 0; s < bu; s++) dh[s] = back[s];
  }
  return dxp;
}
