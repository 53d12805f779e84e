/**
 * Reference implementation for tests: the straightforward GRU loops that the fast steps in ../gru-steps.ts
 * must reproduce.
 *
 * The Keras GRU (reset_after=True) time loop and its back-propagation through time as plain loops over typed
 * arrays (see lstm-loop.ts for why). Gates in the Keras order z, r, h; `xp` is the time-major input
 * projection with the input bias added; `recurrentBias` is the second bias row. The reset_after=False GRU
 * (`gruResetBefore...`) below.
 */
import { addVecMat, dotRow } from './vec-mat.js';
import type { GruResetBeforeTrace, GruTrace } from '../traces.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** h = z h_{t-1} + (1 - z) hh for state `s` (trace index `idx`), keeping h_{t-1} and hh in the trace. */
function update(trace: GruTrace | GruResetBeforeTrace, h: Float32Array, hs: Float32Array, idx: number, s: number, z: number, hh: number): void {
  const hp = h[s];
  trace.hPrev[idx] = hp;
  trace.hh[idx] = hh;
  const next = z * hp + (1 - z) * hh;
  h[s] = next;
  hs[idx] = next;
}

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
        trace.z[idx] = z;
        trace.r[idx] = r;
        trace.rh[idx] = rh;
        update(trace, h, hs, idx, b * u + k, z, Math.tanh(xp[row + 2 * u + k] + r * rh));
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

/** Column block `[from, from + count)` of a row-major `[rows, cols]` matrix. */
function columns(m: Float32Array, rows: number, cols: number, from: number, count: number): Float32Array {
  const out = new Float32Array(rows * count);
  for (let r = 0; r < rows; r++) for (let j = 0; j < count; j++) out[r * count + j] = m[r * cols + from + j];
  return out;
}

/**
 * Keras GRU(reset_after=False), one row at a time: z, r = sigmoid(xp_zr + hIn U_zr), hh = tanh(xp_h +
 * (r * hIn) U_h), h = z h + (1 - z) hh, with the whole bias in `xp`.
 */
export function gruResetBeforeForward(
  xp: Float32Array, recurrent: Float32Array, mask: Float32Array | null, steps: number, batch: number, units: number,
): { h: Float32Array; trace: GruResetBeforeTrace } {
  const u = units;
  const w = 3 * u;
  const size = steps * batch * u;
  const trace: GruResetBeforeTrace = {
    steps, batch, units, hPrev: new Float32Array(size), hIn: new Float32Array(size), z: new Float32Array(size),
    r: new Float32Array(size), hh: new Float32Array(size), rhIn: new Float32Array(size),
  };
  const uzr = columns(recurrent, u, w, 0, 2 * u);
  const uh = columns(recurrent, u, w, 2 * u, u);
  const hs = new Float32Array(size);
  const h = new Float32Array(batch * u);
  const innerZr = new Float64Array(2 * u);
  const innerH = new Float64Array(u);
  const hRow = new Float32Array(u);
  const rhRow = new Float32Array(u);
  for (let t = 0; t < steps; t++) {
    for (let b = 0; b < batch; b++) {
      const row = (t * batch + b) * w;
      const state = t * batch * u + b * u;
      innerZr.fill(0);
      innerH.fill(0);
      for (let k = 0; k < u; k++) hRow[k] = trace.hIn[state + k] = mask ? h[b * u + k] * mask[b * u + k] : h[b * u + k];
      addVecMat(innerZr, hRow, uzr, u, 2 * u);
      for (let k = 0; k < u; k++) {
        trace.z[state + k] = sigmoid(xp[row + k] + innerZr[k]);
        trace.r[state + k] = sigmoid(xp[row + u + k] + innerZr[u + k]);
        rhRow[k] = trace.rhIn[state + k] = trace.r[state + k] * hRow[k];
      }
      addVecMat(innerH, rhRow, uh, u, u);
      for (let k = 0; k < u; k++) {
        const idx = state + k;
        update(trace, h, hs, idx, b * u + k, trace.z[idx], Math.tanh(xp[row + 2 * u + k] + innerH[k]));
      }
    }
  }
  return { h: hs, trace };
}

/** Gradient with respect to `xp` ([T, B, 3u]) of the reset-before GRU, one row at a time. */
export function gruResetBeforeBackward(
  trace: GruResetBeforeTrace, dy: Float32Array, sequences: boolean, recurrent: Float32Array, mask: Float32Array | null,
): Float32Array {
  const { steps, batch, units: u } = trace;
  const w = 3 * u;
  const uzr = columns(recurrent, u, w, 0, 2 * u);
  const uh = columns(recurrent, u, w, 2 * u, u);
  const dxp = new Float32Array(steps * batch * w);
  const dh = new Float64Array(batch * u);
  const dCandidate = new Float32Array(u);
  const dZr = new Float32Array(2 * u);
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
        const hh = trace.hh[idx];
        dZr[k] = dxp[row + k] = dht * (trace.hPrev[idx] - hh) * z * (1 - z);
        dCandidate[k] = dxp[row + 2 * u + k] = dht * (1 - z) * (1 - hh * hh);
        dh[b * u + k] = dht * z;
      }
      const dReset = Float64Array.from({ length: u }, (_, k) => dotRow(dCandidate, 0, uh, k, u));
      for (let k = 0; k < u; k++) {
        const r = trace.r[state + k];
        dZr[u + k] = dxp[row + u + k] = dReset[k] * trace.hIn[state + k] * r * (1 - r);
      }
      if (t === 0) continue;
      for (let k = 0; k < u; k++) {
        const sum = dotRow(dZr, 0, uzr, k, 2 * u) + dReset[k] * trace.r[state + k];
        dh[b * u + k] += mask ? sum * mask[b * u + k] : sum;
      }
    }
  }
  return dxp;
}
