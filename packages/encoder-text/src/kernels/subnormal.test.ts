// The typed-array time loops store gradients that fade through time below FLUSH_BELOW as 0 (subnormal.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gruBackwardSteps, gruForwardSteps, gruResetBeforeBackwardSteps, gruResetBeforeForwardSteps } from './gru-steps.js';
import { lstmBackwardSteps, lstmForwardSteps } from './lstm-steps.js';
import { recurrentProduct } from './recurrent-product.js';
import { FLUSH_BELOW, flushed } from './subnormal.js';

const SMALLEST_NORMAL = 1.1754943508222875e-38;
const subnormals = (a: Float32Array) => a.filter((v) => v !== 0 && Math.abs(v) < SMALLEST_NORMAL).length;

/** Pre-activations `xp [T, B, gates * u]`, each gate's block set to `gateValues[g]`. */
function constantGates(steps: number, batch: number, units: number, gateValues: number[]): Float32Array {
  const w = gateValues.length * units;
  return Float32Array.from({ length: steps * batch * w }, (_, i) => gateValues[Math.floor((i % w) / units)]!);
}

/** dy for every step, `scale` at the last one only. */
function lastStepOnly(steps: number, batch: number, units: number, scale: number): Float32Array {
  const dy = new Float32Array(steps * batch * units);
  dy.fill(scale, (steps - 1) * batch * units);
  return dy;
}

describe('subnormal gradients in the typed-array loops', () => {
  const [steps, batch, units] = [150, 2, 3];
  const kernel = (gates: number) => new Float32Array(units * gates * units).fill(0.01);

  it('flushed keeps FLUSH_BELOW and above, and sets smaller magnitudes to 0', () => {
    assert.equal(flushed(FLUSH_BELOW), FLUSH_BELOW);
    assert.equal(flushed(-2 * FLUSH_BELOW), -2 * FLUSH_BELOW);
    assert.equal(flushed(FLUSH_BELOW / 2), 0);
    assert.equal(flushed(-1e-39), 0);
    assert.equal(flushed(0.5), 0.5);
  });

  it('LSTM: a gradient fading ~100-fold a step back in time ends at 0, never subnormal', () => {
    const product = recurrentProduct(kernel(4), batch, units, 4 * units, 'js');
    // Forget gate sigmoid(-5) ~ 0.007: the cell gradient shrinks about 150-fold each step back.
    const { trace } = lstmForwardSteps(constantGates(steps, batch, units, [1, -5, 0.5, 1]), product, null, steps, batch, units);
    const dxp = lstmBackwardSteps(trace, lastStepOnly(steps, batch, units, 1e-3), true, product, null);
    assert.equal(subnormals(dxp), 0);
    assert.ok(dxp.subarray(0, batch * 4 * units).every((v) => v === 0), 'the first step gets 0');
    assert.ok(Math.max(...dxp.subarray((steps - 1) * batch * 4 * units).map(Math.abs)) > 1e-5, 'the last step keeps its gradient');
  });

  it('GRU (reset after and reset before): the same', () => {
    // Update gate sigmoid(-5): h_t is mostly the candidate, so dh_{t-1} = dh_t z shrinks ~150-fold a step.
    const xp = constantGates(steps, batch, units, [-5, 0.5, 0.5]);
    const product = recurrentProduct(kernel(3), batch, units, 3 * units, 'js');
    const after = gruForwardSteps(xp, product, new Float32Array(3 * units), null, steps, batch, units);
    const { dxp, dInner } = gruBackwardSteps(after.trace, lastStepOnly(steps, batch, units, 1e-3), true, product, null);
    const gates = recurrentProduct(new Float32Array(units * 2 * units).fill(0.01), batch, units, 2 * units, 'js');
    const candidate = recurrentProduct(new Float32Array(units * units).fill(0.01), batch, units, units, 'js');
    const before = gruResetBeforeForwardSteps(xp, gates, candidate, null, steps, batch, units);
    const dxpBefore = gruResetBeforeBackwardSteps(before.trace, lastStepOnly(steps, batch, units, 1e-3), true, gates, candidate, null);
    for (const [name, values] of [['reset after dxp', dxp], ['reset after dInner', dInner], ['reset before dxp', dxpBefore]] as const) {
      assert.equal(subnormals(values), 0, name);
      assert.ok(values.subarray(0, batch * 3 * units).every((v) => v === 0), `${name}: the first step gets 0`);
    }
  });
});
