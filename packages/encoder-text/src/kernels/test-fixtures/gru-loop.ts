/**
 * Reference implementation for tests: the straightforward GRU loops that the fast steps in ../gru-steps.ts
 * must reproduce.
 *
 * The Keras GRU (reset_after=True) time loop and its back-propagation through time as plain loops over typed
 * arrays (see lstm-loop.ts for why). Gates in the Keras order z, r, h; `xp` is the time-major input
 * projection with the input bias added; `recurrentBias` is the second bias row.
 */
import { addVecMat, dotRow } from './vec-mat.js';
import type { GruTrace } from '../traces.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export function gruForward(
  xp: Float32Array, recurrent: Float32Array, recurrentBias: Float32Array, mask: Float32Array | null,
  steps: number, batch: number, units: number,
): { h: Float32Array; trace: GruTrace } {
  const u = units;
  const w = 3 * u;
  const size = steps * batch * u;
  const trace: GruTrace = {
    steps, batch, units, hPrev: new Float32Array(size), hIn: new Float32Array(size), z: new Float32Array(size),
    r: new Float32Array(size), hh: new Float32Array(size), rh: new Float32Array(size),
  };
  const hs = new Float32Array(size);
  const h = new Float32Array(batch * u);
  const inner = new Float64Array(w);
  const hRow = new Float32Array(u);
  for (let t = 0; t < steps; t++) {
    for (let b = 0; b < batch; b++) {
      const row = (t * batch + b) * w;
      const state = t * batch * u + b * u;
      for (let j = 0; j < w; j++) inner[j] = recurrentBias[j];
      for (let k = 0; k < u; k++) hRow[k] = trace.hIn[state + k] = mask ? h[b * u + k] * mask[b * u + k] : h[b * u + k];
      addVecMat(inner, hRow, recurrent, u, w);
      for (let k = 0; k < u; k++) {
        const idx = state + k;
        const z = sigmoid(xp[row + k] + inner[k]);
        const r = sigmoid(xp[row + u + k] + inner[u + k]);
        const rh = inner[2 * u + k];
        const hh = Math.tanh(xp[row + 2 * u + k] + r * rh);
        const hp = h[b * u + k];
        trace.hPrev[idx] = hp;
        trace.z[idx] = z;
        trace.r[idx] = r;
        trace.hh[idx] = hh;
        trace.rh[idx] = rh;
        const next = z * hp + (1 - z) * hh;
        h[b * u + k] = next;
        hs[idx] = next;
      }
    }
  }
  return { h: hs, trace };
}

/**
 * Gradients with respect to `xp` ([T, B, 3u]) and to the recurrent pre-activations `h_{t-1} U + b_1`
 * ([T, B, 3u]); the recurrent kernel's gradient is `hIn^T . dInner` and the recurrent bias's the column sums
 * of dInner (left to the caller).
 */
export function gruBackward(
  trace: GruTrace, dy: Float32Array, sequences: boolean, recurrent: Float32Array, mask: Float32Array | null,
): { dxp: Float32Array; dInner: Float32Array } {
  const { steps, batch, units: u } = trace;
  const w = 3 * u;
  const dxp = new Float32Array(steps * batch * w);
  const dInner = new Float32Array(steps * batch * w);
  const dh = new Float64Array(batch * u);
  for (let t = steps - 1; t >= 0; t--) {
    for (let b = 0; b < batch; b++) {
      const row = (t * batch + b) * w;
      const state = t * batch * u + b * u;
      for (let k = 0; k < u; k++) {
        const idx = state + k;
        let dht = dh[b * u + k];
        if (sequences) dht += dy[idx];
        else if (t === steps - 1) dht += dy[b * u + k];
        const z = trace.z[idx];
        const r = trace.r[idx];
        const hh = trace.hh[idx];
        const dz = dht * (trace.hPrev[idx] - hh) * z * (1 - z);
        const dxh = dht * (1 - z) * (1 - hh * hh);
        const dr = dxh * trace.rh[idx] * r * (1 - r);
        dxp[row + k] = dz;
        dxp[row + u + k] = dr;
        dxp[row + 2 * u + k] = dxh;
        dInner[row + k] = dz;
        dInner[row + u + k] = dr;
        dInner[row + 2 * u + k] = dxh * r;
        dh[b * u + k] = dht * z;
      }
      if (t === 0) continue;
      for (let k = 0; k < u; k++) {
        const sum = dotRow(dInner, row, recurrent, k, w);
        dh[b * u + k] += mask ? sum * mask[b * u + k] : sum;
      }
    }
  }
  return { dxp, dInner };
}
