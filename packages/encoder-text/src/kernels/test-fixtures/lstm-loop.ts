/**
 * Reference implementation for tests: the straightforward LSTM loops that the fast steps in ../lstm-steps.ts
 * must reproduce.
 *
 * The LSTM time loop and its back-propagation through time as plain loops over typed arrays. On the cpu and
 * wasm backends one tfjs op on a [32, 32] tensor costs 10-100 microseconds whatever its size, so a step made
 * of a dozen ops is dominated by that overhead; these loops do the same arithmetic without it. Gates in the
 * Keras order i, f, c, o; `xp` is the time-major input projection with the bias already added.
 */
import { addVecMat, dotRow } from './vec-mat.js';
import type { LstmTrace } from '../traces.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Runs the cell over `xp [T, B, 4u]` from a zero state; returns every h `[T, B, u]` and what backward needs. */
export function lstmForward(
  xp: Float32Array, recurrent: Float32Array, mask: Float32Array | null, steps: number, batch: number, units: number,
): { h: Float32Array; trace: LstmTrace } {
  const u = units;
  const w = 4 * u;
  const size = steps * batch * u;
  const trace: LstmTrace = {
    steps, batch, units, hIn: new Float32Array(size), i: new Float32Array(size), f: new Float32Array(size),
    g: new Float32Array(size), o: new Float32Array(size), cPrev: new Float32Array(size), tanhC: new Float32Array(size),
  };
  const hs = new Float32Array(size);
  const h = new Float32Array(batch * u);
  const c = new Float32Array(batch * u);
  const z = new Float64Array(w);
  const hRow = new Float32Array(u);
  for (let t = 0; t < steps; t++) {
    for (let b = 0; b < batch; b++) {
      const row = (t * batch + b) * w;
      for (let j = 0; j < w; j++) z[j] = xp[row + j];
      const state = t * batch * u + b * u;
      for (let k = 0; k < u; k++) hRow[k] = trace.hIn[state + k] = mask ? h[b * u + k] * mask[b * u + k] : h[b * u + k];
      addVecMat(z, hRow, recurrent, u, w);
      for (let k = 0; k < u; k++) {
        const i = sigmoid(z[k]);
        const f = sigmoid(z[u + k]);
        const g = Math.tanh(z[2 * u + k]);
        const o = sigmoid(z[3 * u + k]);
        const cp = c[b * u + k];
        const cn = f * cp + i * g;
        const tc = Math.tanh(cn);
        const idx = state + k;
        trace.i[idx] = i;
        trace.f[idx] = f;
        trace.g[idx] = g;
        trace.o[idx] = o;
        trace.cPrev[idx] = cp;
        trace.tanhC[idx] = tc;
        c[b * u + k] = cn;
        h[b * u + k] = o * tc;
        hs[idx] = o * tc;
      }
    }
  }
  return { h: hs, trace };
}

/**
 * Gradient of the loss with respect to `xp` ([T, B, 4u]) given the gradient `dy` of the outputs: every step's
 * h ([T, B, u]) when `sequences`, else the last h ([B, u]). The recurrent kernel's gradient is
 * `hIn^T . dxp` (left to one matMul by the caller).
 */
export function lstmBackward(
  trace: LstmTrace, dy: Float32Array, sequences: boolean, recurrent: Float32Array, mask: Float32Array | null,
): Float32Array {
  const { steps, batch, units: u } = trace;
  const w = 4 * u;
  const dxp = new Float32Array(steps * batch * w);
  const dh = new Float64Array(batch * u);
  const dc = new Float64Array(batch * u);
  for (let t = steps - 1; t >= 0; t--) {
    for (let b = 0; b < batch; b++) {
      const row = (t * batch + b) * w;
      const state = t * batch * u + b * u;
      for (let k = 0; k < u; k++) {
        const idx = state + k;
        let dht = dh[b * u + k];
        if (sequences) dht += dy[idx];
        else if (t === steps - 1) dht += dy[b * u + k];
        const i = trace.i[idx];
        const f = trace.f[idx];
        const g = trace.g[idx];
        const o = trace.o[idx];
        const tc = trace.tanhC[idx];
        const dct = dc[b * u + k] + dht * o * (1 - tc * tc);
        dxp[row + k] = dct * g * i * (1 - i);
        dxp[row + u + k] = dct * trace.cPrev[idx] * f * (1 - f);
        dxp[row + 2 * u + k] = dct * i * (1 - g * g);
        dxp[row + 3 * u + k] = dht * tc * o * (1 - o);
        dc[b * u + k] = dct * f;
      }
      if (t === 0) continue;
      for (let k = 0; k < u; k++) {
        const sum = dotRow(dxp, row, recurrent, k, w);
        dh[b * u + k] = mask ? sum * mask[b * u + k] : sum;
      }
    }
  }
  return dxp;
}
