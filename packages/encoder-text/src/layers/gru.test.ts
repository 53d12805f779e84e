import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { runLayerTest } from '@polymodal/core/testing';
import { PolymodalGRU } from './gru.js';
import { compareWithTfjs } from './test-fixtures/compare.js';
import { referenceGru } from './test-fixtures/gru-reference.js';

/** Keras: GRU(u) (reset_after=True) on D features has 3 * (D*u + u*u + 2u) parameters. */
const gruParams = (d: number, u: number) => 3 * (d * u + u * u + 2 * u);
/** Keras: GRU(u, reset_after=False): one bias row, 3 * (D*u + u*u + u). */
const resetBeforeParams = (d: number, u: number) => 3 * (d * u + u * u + u);

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('PolymodalGRU', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('passes the layer harness (last output)', async () => {
    await runLayerTest({
      create: () => new PolymodalGRU({ units: 3 }),
      inputShape: [5, 4],
      expectedOutputShape: [null, 3],
      expectedTrainableWeights: 3,
      expectedNonTrainableWeights: 0,
      expectedParams: gruParams(4, 3),
    });
  });

  for (const implementation of ['loops', 'ops'] as const) {
    it(`passes the layer harness (${implementation}: sequences, backwards, both dropouts)`, async () => {
      await runLayerTest({
        create: () => new PolymodalGRU({ units: 2, returnSequences: true, goBackwards: true, dropout: 0.2, recurrentDropout: 0.3, implementation }),
        inputShape: [4, 3],
        expectedOutputShape: [null, 4, 2],
        expectedParams: gruParams(3, 2),
      });
    });
  }

  it('has Keras GRU(32) on 64 features: 9,408 parameters with a [2, 96] bias', () => {
    const layer = new PolymodalGRU({ units: 32 });
    layer.apply(tf.input({ shape: [10, 64] }));
    assert.equal(layer.countParams(), 9408);
    assert.deepEqual(layer.getWeights().map((w) => w.shape), [[64, 96], [32, 96], [2, 96]]);
    layer.dispose();
  });

  for (const implementation of ['loops', 'ops'] as const)
  for (const sequences of [false, true]) {
    for (const goBackwards of [false, true]) {
      it(`equals a step-by-step Keras reset_after GRU within 1e-4, outputs and gradients (${implementation}, sequences ${sequences}, backwards ${goBackwards})`, () => {
        const layer = new PolymodalGRU({ units: 4, returnSequences: sequences, goBackwards, implementation });
        layer.apply(tf.input({ shape: [6, 3] }));
        const weights = layer.getWeights().map((w, i) => tf.randomUniform(w.shape, -0.7, 0.7, 'float32', 11 + i));
        layer.setWeights(weights);
        const [kernel, recurrent, bias] = weights as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const x = tf.randomNormal([2, 6, 3], 0, 1, 'float32', 5) as tf.Tensor3D;
        const ours = layer.apply(x) as tf.Tensor;
        const reference = referenceGru(x, kernel, recurrent, bias, { sequences, goBackwards });
        assert.ok(maxAbsDiff(ours, reference) < 1e-4, `output differs by ${maxAbsDiff(ours, reference)}`);
        const r = tf.randomNormal(ours.shape, 0, 1, 'float32', 9);
        const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, r)) as tf.Scalar, vars);
        const refGrads = tf.grads((k: tf.Tensor, rk: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(referenceGru(x, k as tf.Tensor2D, rk as tf.Tensor2D, b as tf.Tensor2D, { sequences, goBackwards }), r)))([kernel, recurrent, bias]);
        vars.forEach((v, i) => assert.ok(maxAbsDiff(grads[v.name], refGrads[i]) < 1e-4, `gradient ${i} differs by ${maxAbsDiff(grads[v.name], refGrads[i])}`));
        const dxOurs = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(layer.apply(xx) as tf.Tensor, r)))(x);
        const dxRef = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(referenceGru(xx as tf.Tensor3D, kernel, recurrent, bias, { sequences, goBackwards }), r)))(x);
        assert.ok(maxAbsDiff(dxOurs, dxRef) < 1e-4, `input gradient differs by ${maxAbsDiff(dxOurs, dxRef)}`);
        tf.dispose([weights, x, ours, reference, r, value, grads, refGrads, dxOurs, dxRef]);
        layer.dispose();
      });
    }
  }

  for (const implementation of ['loops', 'ops'] as const)
  it(`uses dropout only in training and leaks nothing (${implementation})`, () => {
    const layer = new PolymodalGRU({ units: 4, dropout: 0.5, recurrentDropout: 0.5, implementation });
    const x = tf.randomNormal([2, 6, 3], 0, 1, 'float32', 3);
    const inference = layer.apply(x) as tf.Tensor;
    const training = layer.apply(x, { training: true }) as tf.Tensor;
    assert.notDeepEqual(Array.from(training.dataSync()), Array.from(inference.dataSync()));
    tf.dispose([inference, training]);
    const before = tf.memory().numTensors;
    const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
    tf.dispose([value, grads]);
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
    layer.dispose();
  });

  describe('resetAfter: false (Keras reset_after=False)', () => {
    it('passes the layer harness and has a [3u] bias: GRU(32) on 64 features has 9,312 parameters', async () => {
      await runLayerTest({
        create: () => new PolymodalGRU({ units: 3, resetAfter: false }),
        inputShape: [5, 4],
        expectedOutputShape: [null, 3],
        expectedTrainableWeights: 3,
        expectedNonTrainableWeights: 0,
        expectedParams: resetBeforeParams(4, 3),
      });
      const layer = new PolymodalGRU({ units: 32, resetAfter: false });
      layer.apply(tf.input({ shape: [10, 64] }));
      assert.equal(layer.countParams(), 9312);
      assert.deepEqual(layer.getWeights().map((w) => w.shape), [[64, 96], [32, 96], [96]]);
      layer.dispose();
    });

    for (const implementation of ['loops', 'ops'] as const) {
      it(`passes the layer harness (${implementation}: sequences, backwards, both dropouts)`, async () => {
        await runLayerTest({
          create: () => new PolymodalGRU({ units: 2, resetAfter: false, returnSequences: true, goBackwards: true, dropout: 0.2, recurrentDropout: 0.3, implementation }),
          inputShape: [4, 3],
          expectedOutputShape: [null, 4, 2],
          expectedParams: resetBeforeParams(3, 2),
        });
      });

      for (const [returnSequences, goBackwards] of [[false, false], [true, false], [false, true], [true, true]]) {
        it(`equals tfjs's GRU (reset-before, sigmoid gates) within 1e-5, outputs and gradients (${implementation}, sequences ${returnSequences}, backwards ${goBackwards})`, () => {
          const diff = compareWithTfjs({
            ours: new PolymodalGRU({ units: 4, resetAfter: false, returnSequences, goBackwards, implementation }),
            theirs: tf.layers.gru({ units: 4, returnSequences, goBackwards, recurrentActivation: 'sigmoid' }),
            // tfjs returns a backwards sequence reversed; PolymodalGRU aligns it with the input steps.
            reverseTheirs: returnSequences && goBackwards,
            batch: 3, steps: 6, features: 5,
          });
          for (const [what, value] of Object.entries(diff)) assert.ok(value < 1e-5, `${what} differs by ${value}`);
        });
      }
    }

    it("'loops' and 'ops' train alike with recurrent dropout (same mask): outputs and gradients within 1e-5", () => {
      const make = (implementation: 'loops' | 'ops') => new PolymodalGRU({ units: 4, resetAfter: false, recurrentDropout: 0.4, returnSequences: true, implementation });
      const x = tf.randomNormal([3, 5, 2], 0, 1, 'float32', 21);
      const [loops, ops] = [make('loops'), make('ops')];
      loops.apply(x);
      ops.apply(x);
      ops.setWeights(loops.getWeights());
      const outcome = (layer: PolymodalGRU) => {
        // The same dropout mask for both: tfjs seeds an unseeded random op from Math.random.
        const random = Math.random;
        Math.random = () => 0.25;
        try {
          return tf.tidy(() => {
            const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
            const result = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, vars);
            return { value: result.value, grads: vars.map((v) => result.grads[v.name]!) };
          });
        } finally {
          Math.random = random;
        }
      };
      const a = outcome(loops);
      const b = outcome(ops);
      assert.ok(maxAbsDiff(a.value, b.value) < 1e-5, `loss differs by ${maxAbsDiff(a.value, b.value)}`);
      a.grads.forEach((g, i) => assert.ok(maxAbsDiff(g, b.grads[i]!) < 1e-5, `gradient ${i} differs by ${maxAbsDiff(g, b.grads[i]!)}`));
      tf.dispose([x, a.value, b.value, a.grads, b.grads]);
      loops.dispose();
      ops.dispose();
    });

    it('round-trips resetAfter through its config; a non-boolean resetAfter is refused by name', () => {
      const layer = new PolymodalGRU({ units: 2, resetAfter: false });
      const config = layer.getConfig();
      assert.equal(config['resetAfter'], false);
      assert.equal(new PolymodalGRU({ units: 2 }).getConfig()['resetAfter'], true);
      const restored = PolymodalGRU.fromConfig(PolymodalGRU, config) as PolymodalGRU;
      assert.equal(restored.resetAfter, false);
      assert.throws(() => new PolymodalGRU({ units: 2, resetAfter: 'no' as never }), /PolymodalGRU: resetAfter must be true or false; got "no"/);
    });
  });
});
