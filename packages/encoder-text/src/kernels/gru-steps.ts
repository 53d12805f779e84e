/**
 * The Keras GRU time loops and their back-propagation through time over typed arrays, a whole batch per step,
 * the recurrent products done by `RecurrentProduct`s (see lstm-steps.ts). Same contracts and traces as the
 * reference loops in test-fixtures/gru-loop.ts: gates z, r, h; `xp` is the time-major input projection with the
 * input bias added.
 *
 * reset_after=True (Keras's default): `recurrentBias` is the second bias row; `hIn^T . dInner` and the column
 * sums of dInner (the recurrent kernel's and bias's gradients) are left to the caller.
 * reset_after=False (`gruResetBefore...`): one bias, all on the input side; the products are split in two,
 * `hIn . U_zr` and `(r * hIn) . U_h`, so the candidate's product waits for the reset gate; the recurrent
 * kernel's gradient `[hIn^T . dxp_zr, rhIn^T . dxp_h]` is left to the caller.
 */
import type { GruResetBeforeTrace, GruTrace } from './traces.js';
import type { RecurrentProduct } from './recurrent-product.js';
import { gradientReachingH } from './bptt.js';
import { flushed } from './subnormal.js';

export type { GruResetBeforeTrace, GruTrace };

/** What both GRU forward passes fill: the shared part of their traces, every step's h, and the running state h. */
interface GruStates {
  readonly hPrev: Float32Array;
  readonly hIn: Float32Array;
  readonly z: Float32Array;
  readonly r: Float32Array;
  readonly hh: Float32Array;
  readonly hs: Float32Array;
  readonly h: Float32Array;
}

function gruStates(steps: number, batch: number, units: number): GruStates {
  const size = steps * batch * units;
  const arrays = () => new Float32Array(size);
  return { hPrev: arrays(), hIn: arrays(), z: arrays(), r: arrays(), hh: arrays(), hs: arrays(), h: new Float32Array(batch * units) };
}

/** Step `t`'s h_{t-1} as the products take it (after recurrent dropout), kept in hIn: [B, u]. */
function stepInput(states: GruStates, mask: Float32Array | null, t: number, bu: number): Float32Array {
  const { h, hIn } = states;
  const base = t * bu;
  if (mask) for (let s = 0; s < bu; s++) hIn[base + s] = h[s] * mask[s];
  else hIn.set(h, base);
  return hIn.subarray(base, base + bu);
}

/**
 * h_t = z h_{t-1} + (1 - z) hh at step `t`, from the gates `zr [B, 2u]` (z, r) and `sh [B, u]`, the sigmoid of the
 * candidate's doubled pre-activation (hh = 2 sh - 1); keeps h_{t-1}, z, r and hh in the trace.
 */
function advance(states: GruStates, zr: Float32Array, sh: Float32Array, t: number, batch: number, u: number): void {
  const { hPrev, z: gz, r: gr, hh: ghh, hs, h } = states;
  const base = t * batch * u;
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
      const next = z * hp + (1 - z) * hh;
      h[s] = next;
      hs[idx] = next;
    }
  }
}

export function gruForwardSteps(
  xp: Float32Array, product: RecurrentProduct, recurrentBias: Float32Array, mask: Float32Array | null,
  steps: number, batch: number, units: number,
): { h: Float32Array; trace: GruTrace } {
  const u = units;
  const w = 3 * u;
  const bu = batch * u;
  const states = gruStates(steps, batch, u);
  const grh = new Float32Array(steps * bu);
  // Pre-activations of z and r [B, 2u], and of the candidate doubled (tanh(x) = 2 sigmoid(2x) - 1) [B, u].
  const preZr = new Float32Array(2 * bu);
  const preH = new Float32Array(bu);
  const rhs = new Float32Array(bu);
  for (let t = 0; t < steps; t++) {
    const hIn = stepInput(states, mask, t, bu);
    // h_0 = 0: no product at the first step.
    const inner = t > 0 ? product.forward(hIn) : null;
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
    grh.set(rhs, t * bu);
    advance(states, zr, product.sigmoid(preH), t, batch, u);
  }
  const { hs, h: _, ...kept } = states;
  return { h: hs, trace: { steps, batch, units, ...kept, rh: grh } };
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
        const dht = gradientReachingH(dh, dy, s, idx, sequences, last);
        const z = gz[idx];
        const r = gr[idx];
        const hh = ghh[idx];
        const dz = flushed(dht * (hPrev[idx] - hh) * z * (1 - z));
        const dxh = flushed(dht * (1 - z) * (1 - hh * hh));
        const dr = flushed(dxh * grh[idx] * r * (1 - r));
        dxp[row + k] = dz;
        dxp[row + u + k] = dr;
        dxp[row + 2 * u + k] = dxh;
        dInner[row + k] = dz;
        dInner[row + u + k] = dr;
        dInner[row + 2 * u + k] = flushed(dxh * r);
        dh[s] = flushed(dht * z);
      }
    }
    if (t === 0) break;
    const back = product.backward(dInner.subarray(t * batch * w, (t + 1) * batch * w));
    if (mask) for (let s = 0; s < bu; s++) dh[s] += back[s] * mask[s];
    else for (let s = 0; s < bu; s++) dh[s] += back[s];
  }
  return { dxp, dInner };
}

/**
 * The reset-before GRU over `xp [T, B, 3u]` from a zero state, with `gates` the products of `U_zr [u, 2u]` and
 * `candidate` those of `U_h [u, u]` (the recurrent kernel's first two gate blocks and its last).
 */
export function gruResetBeforeForwardSteps(
  xp: Float32Array, gates: RecurrentProduct, candidate: RecurrentProduct, mask: Float32Array | null,
  steps: number, batch: number, units: number,
): { h: Float32Array; trace: GruResetBeforeTrace } {
  const u = units;
  const w = 3 * u;
  const bu = batch * u;
  const states = gruStates(steps, batch, u);
  const rhIn = new Float32Array(steps * bu);
  // Pre-activations of z and r [B, 2u], and of the candidate doubled (tanh(x) = 2 sigmoid(2x) - 1) [B, u].
  const preZr = new Float32Array(2 * bu);
  const preH = new Float32Array(bu);
  for (let t = 0; t < steps; t++) {
    const base = t * bu;
    const hIn = stepInput(states, mask, t, bu);
    // h_0 = 0: no products at the first step.
    const inner = t > 0 ? gates.forward(hIn) : null;
    for (let b = 0; b < batch; b++) {
      const row = (t * batch + b) * w;
      const pr = 2 * b * u;
      for (let k = 0; k < 2 * u; k++) preZr[pr + k] = xp[row + k] + (inner ? inner[pr + k] : 0);
    }
    const zr = gates.sigmoid(preZr);
    for (let b = 0; b < batch; b++) {
      const pr = 2 * b * u + u;
      const sb = b * u;
      for (let k = 0; k < u; k++) rhIn[base + sb + k] = zr[pr + k] * hIn[sb + k];
    }
    const reset = t > 0 ? candidate.forward(rhIn.subarray(base, base + bu)) : null;
    for (let b = 0; b < batch; b++) {
      const row = (t * batch + b) * w + 2 * u;
      const sb = b * u;
      for (let k = 0; k < u; k++) preH[sb + k] = 2 * (xp[row + k] + (reset ? reset[sb + k] : 0));
    }
    advance(states, zr, gates.sigmoid(preH), t, batch, u);
  }
  const { hs, h: _, ...kept } = states;
  return { h: hs, trace: { steps, batch, units, ...kept, rhIn } };
}

/**
 * Gradient of the loss with respect to `xp [T, B, 3u]`, which is also the gradient of the recurrent
 * pre-activations `hIn . U_zr` (first 2u columns) and `rhIn . U_h` (last u).
 */
export function gruResetBeforeBackwardSteps(
  trace: GruResetBeforeTrace, dy: Float32Array, sequences: boolean, gates: RecurrentProduct, candidate: RecurrentProduct, mask: Float32Array | null,
): Float32Array {
  const { steps, batch, units: u } = trace;
  const { hPrev, hIn, z: gz, r: gr, hh: ghh } = trace;
  const w = 3 * u;
  const bu = batch * u;
  const dxp = new Float32Array(steps * batch * w);
  const dh = new Float64Array(bu);
  const dCandidate = new Float32Array(bu);
  const dZr = new Float32Array(2 * bu);
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
        const z = gz[idx];
        const hh = ghh[idx];
        const dz = flushed(dht * (hPrev[idx] - hh) * z * (1 - z));
        const dxh = flushed(dht * (1 - z) * (1 - hh * hh));
        dxp[row + k] = dz;
        dxp[row + 2 * u + k] = dxh;
        dCandidate[s] = dxh;
        dZr[2 * sb + k] = dz;
        dh[s] = flushed(dht * z);
      }
    }
    // At t = 0 hIn = 0: the reset gate has no gradient and h_0 is not trained.
    if (t === 0) break;
    const dReset = candidate.backward(dCandidate);
    for (let b = 0; b < batch; b++) {
      const row = (t * batch + b) * w;
      const sb = b * u;
      for (let k = 0; k < u; k++) {
        const idx = base + sb + k;
        const r = gr[idx];
        const dr = flushed(dReset[sb + k] * hIn[idx] * r * (1 - r));
        dxp[row + u + k] = dr;
        dZr[2 * sb + u + k] = dr;
      }
    }
    const back = gates.backward(dZr);
    for (let s = 0; s < bu; s++) {
      const through = back[s] + dReset[s] * gr[base + s];
      dh[s] += mask ? through * mask[s] : through;
    }
  }
  return dxp;
}

/** Columns `[from, from + count)` of a row-major `[rows, cols]` matrix: a block of the recurrent kernel's gates. */
export function gateColumns(m: Float32Array, rows: number, cols: number, from: number, count: number): Float32Array {
  const out = new Float32Array(rows * count);
  for (let r = 0; r < rows; r++) out.set(m.subarray(r * cols + from, r * cols + from + count), r * count);
  return out;
}
