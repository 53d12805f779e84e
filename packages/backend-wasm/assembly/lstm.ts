// Keras's LSTM time loop (gates i, f, c, o; sigmoid gates, tanh activation, zero initial state) and its
// back-propagation through time, each in one call: one of Polymodal's SIMD kernels, exported by
// simd-kernels.ts. Every pointer is a byte offset in the tfjs wasm backend's memory.
//
// The trace the forward pass leaves for the backward one, per step t, one block of batch x 6u floats: the gates
// [batch, 4u] after their activations (i, f, g = tanh(z_c), o), then c_t [batch, u], then tanh(c_t) [batch, u].
import { gemm, gemmTransposedB } from './gemm';
import { sigmoid4, tanh4 } from './activations';

// h [T, batch, u] (every step's output) and the trace from xp [T, batch, 4u] (the input projections, bias
// included) and the recurrent kernel rk [u, 4u]:
//   z_t = xp_t + h_{t-1} rk;  c_t = f * c_{t-1} + i * g;  h_t = o * tanh(c_t)
export function lstmForward(xp: usize, rk: usize, h: usize, trace: usize, steps: i32, batch: i32, units: i32): void {
  const w = 4 * units;
  const gateBytes = <usize>(batch * w) << 2;
  const stateBytes = <usize>(batch * units) << 2;
  const block = gateBytes + 2 * stateBytes;
  for (let t = 0; t < steps; t++) {
    const gates = trace + <usize>t * block;
    // h_{t-1} rk lands where the gates go; at the first step h_{t-1} is 0.
    if (t > 0) gemm(h + <usize>(t - 1) * stateBytes, rk, gates, batch, units, w);
    else memory.fill(gates, 0, gateBytes);
    const cells = gates + gateBytes;
    lstmCells(xp + <usize>t * gateBytes, gates, t > 0 ? cells - block : 0, cells, h + <usize>t * stateBytes, batch, units);
  }
}

// One step's cells: the pre-activations xp_t + the recurrent product (in `gates`) become the activated gates
// (in place), c_t, tanh(c_t) (right after c_t) and h_t. prev is c_{t-1}, or 0 for a zero state.
function lstmCells(xp: usize, gates: usize, prev: usize, cells: usize, h: usize, batch: i32, units: i32): void {
  const g1 = <usize>units << 2;
  const tanhs = cells + (<usize>(batch * units) << 2);
  for (let b = 0; b < batch; b++) {
    const row = <usize>(b * 4 * units) << 2;
    const xr = xp + row;
    const gr = gates + row;
    const s = <usize>(b * units) << 2;
    let k = 0;
    for (; k + 4 <= units; k += 4) {
      const o = <usize>k << 2;
      const cp = prev != 0 ? v128.load(prev + s + o) : f32x4.splat(0);
      cellVector(xr + o, gr + o, g1, cp, cells + s + o, tanhs + s + o, h + s + o);
    }
    for (; k < units; k++) {
      const o = <usize>k << 2;
      const cp = prev != 0 ? load<f32>(prev + s + o) : <f32>0;
      cellLane(xr + o, gr + o, g1, cp, cells + s + o, tanhs + s + o, h + s + o);
    }
  }
}

@inline function cellVector(x: usize, g: usize, g1: usize, cp: v128, c: usize, tc: usize, h: usize): void {
  const i = sigmoid4(f32x4.add(v128.load(x), v128.load(g)));
  const f = sigmoid4(f32x4.add(v128.load(x + g1), v128.load(g + g1)));
  const gg = tanh4(f32x4.add(v128.load(x + 2 * g1), v128.load(g + 2 * g1)));
  const o = sigmoid4(f32x4.add(v128.load(x + 3 * g1), v128.load(g + 3 * g1)));
  const cn = f32x4.add(f32x4.mul(f, cp), f32x4.mul(i, gg));
  const tcn = tanh4(cn);
  v128.store(g, i);
  v128.store(g + g1, f);
  v128.store(g + 2 * g1, gg);
  v128.store(g + 3 * g1, o);
  v128.store(c, cn);
  v128.store(tc, tcn);
  v128.store(h, f32x4.mul(o, tcn));
}

// The same for one unit (the last units % 4), through the same vector functions so that every unit gets the same arithmetic.
function cellLane(x: usize, g: usize, g1: usize, cp: f32, c: usize, tc: usize, h: usize): void {
  const pre = f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(load<f32>(x) + load<f32>(g)),
    1, load<f32>(x + g1) + load<f32>(g + g1)), 2, load<f32>(x + 2 * g1) + load<f32>(g + 2 * g1)), 3, load<f32>(x + 3 * g1) + load<f32>(g + 3 * g1));
  const sg = sigmoid4(pre);
  const i = f32x4.extract_lane(sg, 0);
  const f = f32x4.extract_lane(sg, 1);
  const o = f32x4.extract_lane(sg, 3);
  const gg = f32x4.extract_lane(tanh4(pre), 2);
  const cn = f * cp + i * gg;
  const tcn = f32x4.extract_lane(tanh4(f32x4.splat(cn)), 0);
  store<f32>(g, i);
  store<f32>(g + g1, f);
  store<f32>(g + 2 * g1, gg);
  store<f32>(g + 3 * g1, o);
  store<f32>(c, cn);
  store<f32>(tc, tcn);
  store<f32>(h, o * tcn);
}

// dxp [T, batch, 4u], the gradient with respect to the forward pass's xp, from dy [T, batch, u] (the gradient of
// every step's h), the trace and rk. state: scratch for dh and dc [2, batch, u].
//   dh_t = dy_t + dz_{t+1} rk^T;  dc_t = dc_{t+1} f_{t+1} + dh_t o (1 - tanh^2 c_t)
//   dz_t = [dc g i (1 - i), dc c_{t-1} f (1 - f), dc i (1 - g^2), dh tanh(c_t) o (1 - o)]
// Gradients through time shrink geometrically (by about f per step) and over 100 steps reach float32's
// subnormal range, where wasm (which has no flush-to-zero mode) computes 20-70 times slower than on normal
// numbers, here and in every product downstream (measured: a [3200, 128] x [128, 64] matMul 3.4 ms on normal
// inputs, 58 ms at 1e-36, 230 ms at 1e-39). dz and dc below FLUSH_BELOW in magnitude are therefore stored as 0,
// as native TensorFlow's flush-to-zero would round them; so small a gradient cannot move a weight (Adam's
// epsilon alone is 1e-7), and it ends the chain before anything subnormal is formed.
export function lstmBackward(trace: usize, rk: usize, dy: usize, dxp: usize, state: usize, steps: i32, batch: i32, units: i32): void {
  const w = 4 * units;
  const gateBytes = <usize>(batch * w) << 2;
  const stateBytes = <usize>(batch * units) << 2;
  const block = gateBytes + 2 * stateBytes;
  const dh = state;
  const dc = state + stateBytes;
  memory.fill(state, 0, 2 * stateBytes);
  for (let t = steps - 1; t >= 0; t--) {
    const gates = trace + <usize>t * block;
    const dz = dxp + <usize>t * gateBytes;
    lstmCellGrads(gates, t > 0 ? gates - block + gateBytes : 0, gates + gateBytes + stateBytes, dy + <usize>t * stateBytes, dh, dc, dz, batch, units);
    if (t > 0) gemmTransposedB(dz, rk, dh, batch, w, units);
  }
}

function lstmCellGrads(gates: usize, prev: usize, tanhs: usize, dy: usize, dh: usize, dc: usize, dz: usize, batch: i32, units: i32): void {
  const g1 = <usize>units << 2;
  for (let b = 0; b < batch; b++) {
    const row = <usize>(b * 4 * units) << 2;
    const gr = gates + row;
    const zr = dz + row;
    const s = <usize>(b * units) << 2;
    let k = 0;
    for (; k + 4 <= units; k += 4) {
      const o = <usize>k << 2;
      const cp = prev != 0 ? v128.load(prev + s + o) : f32x4.splat(0);
      cellGradVector(gr + o, g1, cp, v128.load(tanhs + s + o), dy + s + o, dh + s + o, dc + s + o, zr + o);
    }
    for (; k < units; k++) {
      const o = <usize>k << 2;
      const cp = prev != 0 ? load<f32>(prev + s + o) : <f32>0;
      cellGradLane(gr + o, g1, cp, load<f32>(tanhs + s + o), dy + s + o, dh + s + o, dc + s + o, zr + o);
    }
  }
}

const FLUSH_BELOW: f32 = 1e-30;

/** v with every lane below FLUSH_BELOW in magnitude set to 0. */
@inline function flushed4(v: v128): v128 {
  return v128.and(v, f32x4.ge(f32x4.abs(v), f32x4.splat(FLUSH_BELOW)));
}

@inline function flushed(v: f32): f32 {
  return Mathf.abs(v) >= FLUSH_BELOW ? v : 0;
}

@inline function cellGradVector(g: usize, g1: usize, cp: v128, tc: v128, dy: usize, dh: usize, dc: usize, dz: usize): void {
  const one = f32x4.splat(1);
  const i = v128.load(g);
  const f = v128.load(g + g1);
  const gg = v128.load(g + 2 * g1);
  const o = v128.load(g + 3 * g1);
  const dht = f32x4.add(v128.load(dh), v128.load(dy));
  const dct = f32x4.add(v128.load(dc), f32x4.mul(f32x4.mul(dht, o), f32x4.sub(one, f32x4.mul(tc, tc))));
  v128.store(dz, flushed4(f32x4.mul(f32x4.mul(f32x4.mul(dct, gg), i), f32x4.sub(one, i))));
  v128.store(dz + g1, flushed4(f32x4.mul(f32x4.mul(f32x4.mul(dct, cp), f), f32x4.sub(one, f))));
  v128.store(dz + 2 * g1, flushed4(f32x4.mul(f32x4.mul(dct, i), f32x4.sub(one, f32x4.mul(gg, gg)))));
  v128.store(dz + 3 * g1, flushed4(f32x4.mul(f32x4.mul(f32x4.mul(dht, tc), o), f32x4.sub(one, o))));
  v128.store(dc, flushed4(f32x4.mul(dct, f)));
}

function cellGradLane(g: usize, g1: usize, cp: f32, tc: f32, dy: usize, dh: usize, dc: usize, dz: usize): void {
  const i = load<f32>(g);
  const f = load<f32>(g + g1);
  const gg = load<f32>(g + 2 * g1);
  const o = load<f32>(g + 3 * g1);
  const dht = load<f32>(dh) + load<f32>(dy);
  const dct = load<f32>(dc) + dht * o * (1 - tc * tc);
  store<f32>(dz, flushed(dct * gg * i * (1 - i)));
  store<f32>(dz + g1, flushed(dct * cp * f * (1 - f)));
  store<f32>(dz + 2 * g1, flushed(dct * i * (1 - gg * gg)));
  store<f32>(dz + 3 * g1, flushed(dht * tc * o * (1 - o)));
  store<f32>(dc, flushed(dct * f));
}
