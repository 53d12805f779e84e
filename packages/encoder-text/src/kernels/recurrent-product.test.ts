import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { acceleratedRoutines, registerAcceleratedRoutines, selectBackend } from '@polymodal/core';
import { PolymodalGRU } from '../layers/gru.js';
import { PolymodalLSTM } from '../layers/lstm.js';
import { compareWithTfjs } from '../layers/test-fixtures/compare.js';
import { gruBackward, gruForward, gruResetBeforeBackward, gruResetBeforeForward } from './test-fixtures/gru-loop.js';
import { gateColumns, gruBackwardSteps, gruForwardSteps, gruResetBeforeBackwardSteps, gruResetBeforeForwardSteps } from './gru-steps.js';
import { lstmBackward, lstmForward } from './test-fixtures/lstm-loop.js';
import { lstmBackwardSteps, lstmForwardSteps } from './lstm-steps.js';
import { recurrentProduct, type ProductPreference } from './recurrent-product.js';

/** Deterministic values in [-scale, scale). */
function values(n: number, seed: number, scale = 0.7): Float32Array {
  let state = seed;
  return Float32Array.from({ length: n }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return (state / 2147483648 * 2 - 1) * scale;
  });
}

const maxDiff = (a: Float32Array, b: Float32Array) => {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

function matMul(a: Float32Array, m: Float32Array, batch: number, K: number, N: number, transposeM = false): Float32Array {
  const out = new Float32Array(batch * N);
  for (let b = 0; b < batch; b++) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[b * K + k] * (transposeM ? m[n * K + k] : m[k * N + n]);
      out[b * N + n] = s;
    }
  }
  return out;
}

let wasmLoaded = false;
let wasmAccelerated = false;

/** Whether @polymodal/backend-wasm (core's optional peer, never a dependency of this plugin) can be loaded here. */
function backendWasmInstalled(): boolean {
  try {
    import.meta.resolve('@polymodal/backend-wasm');
    return true;
  } catch {
    return false;
  }
}

/** The checks, for the product the current backend gives ('accelerated' with core's routines, else 'js') and for 'js'. */
function productChecks(expectedKind: () => 'accelerated' | 'js') {
  for (const preference of ['auto', 'js'] as ProductPreference[]) {
    it(`${preference}: products and sigmoid equal plain loops (odd sizes, batch 1)`, () => {
      for (const [batch, rows, cols] of [[3, 5, 20], [1, 4, 12], [7, 3, 9]]) {
        const kernel = values(rows * cols, 1);
        const product = recurrentProduct(kernel, batch, rows, cols, preference);
        try {
          assert.equal(product.kind, preference === 'js' ? 'js' : expectedKind());
          for (let round = 0; round < 2; round++) {
            const a = values(batch * rows, 2 + round);
            assert.ok(maxDiff(product.forward(a), matMul(a, kernel, batch, rows, cols)) < 1e-6);
            const d = values(batch * cols, 5 + round);
            assert.ok(maxDiff(product.backward(d), matMul(d, kernel, batch, cols, rows, true)) < 1e-6);
            const x = values(batch * cols, 9 + round, 8);
            assert.ok(maxDiff(product.sigmoid(x), x.map((v) => 1 / (1 + Math.exp(-v)))) < 1e-6);
          }
        } finally {
          product.dispose();
        }
      }
    });

    it(`${preference}: batched LSTM and GRU (both reset placements) steps equal the per-row loops (mask, sequences or last)`, () => {
      const [steps, batch, u] = [6, 3, 5];
      for (const masked of [false, true]) {
        for (const sequences of [false, true]) {
          const mask = masked ? values(batch * u, 11, 1.5) : null;
          const dy = values(sequences ? steps * batch * u : batch * u, 12);
          const xp = values(steps * batch * 4 * u, 13, 2);
          const U = values(u * 4 * u, 14);
          const ref = lstmForward(xp, U, mask, steps, batch, u);
          const refDxp = lstmBackward(ref.trace, dy, sequences, U, mask);
          const product = recurrentProduct(U, batch, u, 4 * u, preference);
          try {
            const got = lstmForwardSteps(xp, product, mask, steps, batch, u);
            assert.ok(maxDiff(got.h, ref.h) < 1e-5, 'lstm h');
            assert.ok(maxDiff(got.trace.tanhC, ref.trace.tanhC) < 1e-5, 'lstm tanh(c)');
            assert.ok(maxDiff(got.trace.hIn, ref.trace.hIn) < 1e-5, 'lstm hIn');
            assert.ok(maxDiff(lstmBackwardSteps(got.trace, dy, sequences, product, mask), refDxp) < 1e-5, 'lstm dxp');
          } finally {
            product.dispose();
          }
          const xg = values(steps * batch * 3 * u, 15, 2);
          const Ug = values(u * 3 * u, 16);
          const bias = values(3 * u, 17);
          const gref = gruForward(xg, Ug, bias, mask, steps, batch, u);
          const gradsRef = gruBackward(gref.trace, dy, sequences, Ug, mask);
          const gproduct = recurrentProduct(Ug, batch, u, 3 * u, preference);
          try {
            const got = gruForwardSteps(xg, gproduct, bias, mask, steps, batch, u);
            assert.ok(maxDiff(got.h, gref.h) < 1e-5, 'gru h');
            assert.ok(maxDiff(got.trace.rh, gref.trace.rh) < 1e-5, 'gru rh');
            const grads = gruBackwardSteps(got.trace, dy, sequences, gproduct, mask);
            assert.ok(maxDiff(grads.dxp, gradsRef.dxp) < 1e-5, 'gru dxp');
            assert.ok(maxDiff(grads.dInner, gradsRef.dInner) < 1e-5, 'gru dInner');
          } finally {
            gproduct.dispose();
          }
          const bref = gruResetBeforeForward(xg, Ug, mask, steps, batch, u);
          const bDxpRef = gruResetBeforeBackward(bref.trace, dy, sequences, Ug, mask);
          const gates = recurrentProduct(gateColumns(Ug, u, 3 * u, 0, 2 * u), batch, u, 2 * u, preference);
          const candidate = recurrentProduct(gateColumns(Ug, u, 3 * u, 2 * u, u), batch, u, u, preference);
          try {
            const got = gruResetBeforeForwardSteps(xg, gates, candidate, mask, steps, batch, u);
            assert.ok(maxDiff(got.h, bref.h) < 1e-5, 'reset-before gru h');
            assert.ok(maxDiff(got.trace.rhIn, bref.trace.rhIn) < 1e-5, 'reset-before gru r * hIn');
            const dxp = gruResetBeforeBackwardSteps(got.trace, dy, sequences, gates, candidate, mask);
            assert.ok(maxDiff(dxp, bDxpRef) < 1e-5, 'reset-before gru dxp');
          } finally {
            gates.dispose();
            candidate.dispose();
          }
        }
      }
    });
  }
}

describe('recurrentProduct on cpu', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });
  productChecks(() => 'js');

  it("auto uses core's routines for the backend, and the loops when they cannot run", () => {
    const kernel = values(2 * 3, 1);
    const undoNull = registerAcceleratedRoutines('cpu', { provider: 'test', recurrentProduct: () => null });
    try {
      const product = recurrentProduct(kernel, 1, 2, 3);
      assert.equal(product.kind, 'js');
      product.dispose();
    } finally {
      undoNull();
    }
    const calls: string[] = [];
    const undo = registerAcceleratedRoutines('cpu', {
      provider: 'test',
      recurrentProduct: (k, batch, rows, cols) => {
        const js = recurrentProduct(k, batch, rows, cols, 'js');
        return {
          forward: (a) => (calls.push('forward'), js.forward(a)),
          backward: (d) => (calls.push('backward'), js.backward(d)),
          sigmoid: (x) => (calls.push('sigmoid'), js.sigmoid(x)),
          dispose: () => (calls.push('dispose'), js.dispose()),
        };
      },
    });
    try {
      const product = recurrentProduct(kernel, 1, 2, 3);
      assert.equal(product.kind, 'accelerated');
      const a = values(2, 2);
      assert.ok(maxDiff(product.forward(a), matMul(a, kernel, 1, 2, 3)) < 1e-6);
      product.backward(values(3, 3));
      product.sigmoid(values(3, 4));
      product.dispose();
      assert.deepEqual(calls, ['forward', 'backward', 'sigmoid', 'dispose']);
    } finally {
      undo();
    }
    assert.equal(recurrentProduct(kernel, 1, 2, 3).kind, 'js', 'unregistered again');
  });
});

describe("recurrentProduct and the layers on wasm (@polymodal/backend-wasm's XNNPACK calls through core)", () => {
  before(async () => {
    try {
      await import('@tensorflow/tfjs-backend-wasm');
      await selectBackend('wasm');
      wasmLoaded = tf.getBackend() === 'wasm';
    } catch {
      wasmLoaded = false;
    }
    wasmAccelerated = wasmLoaded && acceleratedRoutines('wasm') !== undefined;
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  it('runs on the wasm backend with the routines of @polymodal/backend-wasm', (t) => {
    if (!wasmLoaded) t.skip('@tensorflow/tfjs-backend-wasm is not available');
    else if (!backendWasmInstalled()) t.skip('@polymodal/backend-wasm is not installed: only the JavaScript loops are tested');
    else assert.ok(wasmAccelerated, "selectBackend('wasm') registered no accelerated routines");
  });

  productChecks(() => (wasmAccelerated ? 'accelerated' : 'js'));

  for (const returnSequences of [false, true]) {
    it(`PolymodalLSTM equals tf.layers.lstm within 1e-4 on wasm (sequences ${returnSequences})`, () => {
      const lstm = compareWithTfjs({
        ours: new PolymodalLSTM({ units: 5, returnSequences }),
        theirs: tf.layers.lstm({ units: 5, returnSequences, recurrentActivation: 'sigmoid' }),
        batch: 3,
        steps: 7,
        features: 4,
      });
      for (const [what, diff] of Object.entries(lstm)) assert.ok(diff < 1e-4, `LSTM ${what} differs by ${diff}`);
    });
  }

  it('leaks no tensors in training on wasm', () => {
    for (const layer of [new PolymodalLSTM({ units: 4, recurrentDropout: 0.3 }), new PolymodalGRU({ units: 4, recurrentDropout: 0.3 })]) {
      const x = tf.randomNormal([2, 6, 3], 0, 1, 'float32', 3);
      tf.dispose(layer.apply(x) as tf.Tensor);
      const before = tf.memory().numTensors;
      const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      for (let round = 0; round < 3; round++) {
        const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
        tf.dispose([value, grads]);
      }
      assert.equal(tf.memory().numTensors, before);
      x.dispose();
      layer.dispose();
    }
  });
});
