import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { runLayerTest } from '@polymodal/core/testing';
import { PolymodalLSTM } from './lstm.js';
import { compareWithTfjs } from './test-fixtures/compare.js';

/** Keras: LSTM(u) on D features has 4 * (D*u + u*u + u) parameters. */
const lstmParams = (d: number, u: number) => 4 * (d * u + u * u + u);

describe('PolymodalLSTM', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('passes the layer harness (last output)', async () => {
    await runLayerTest({
      create: () => new PolymodalLSTM({ units: 3 }),
      inputShape: [5, 4],
      expectedOutputShape: [null, 3],
      expectedTrainableWeights: 3,
      expectedNonTrainableWeights: 0,
      expectedParams: lstmParams(4, 3),
    });
  });

  for (const implementation of ['loops', 'ops'] as const) {
    it(`passes the layer harness (${implementation}: sequences, backwards, both dropouts)`, async () => {
      await runLayerTest({
        create: () => new PolymodalLSTM({ units: 2, returnSequences: true, goBackwards: true, dropout: 0.2, recurrentDropout: 0.3, implementation }),
        inputShape: [4, 3],
        expectedOutputShape: [null, 4, 2],
        expectedParams: lstmParams(3, 2),
      });
    });
  }

  it("chooses the loops on cpu and wasm with implementation 'auto'", () => {
    assert.equal(new PolymodalLSTM({ units: 2 }).usesLoops(), true);
    assert.equal(new PolymodalLSTM({ units: 2, implementation: 'ops' }).usesLoops(), false);
    assert.throws(() => new PolymodalLSTM({ units: 2, implementation: 'fast' as never }), /implementation must be/);
  });

  it("the article's text branch: Embedding(1000, 64) -> LSTM(32) has 64,000 + 12,416 parameters", () => {
    const ids = tf.input({ shape: [100], dtype: 'int32' });
    const embedded = tf.layers.embedding({ inputDim: 1000, outputDim: 64 }).apply(ids) as tf.SymbolicTensor;
    const model = tf.model({ inputs: ids, outputs: new PolymodalLSTM({ units: 32 }).apply(embedded) as tf.SymbolicTensor });
    assert.deepEqual(model.layers.slice(1).map((l) => l.countParams()), [64_000, 12_416]);
    model.dispose();
  });

  it('starts with Keras initial values: forget-gate bias 1, other biases 0', () => {
    const layer = new PolymodalLSTM({ units: 2 });
    layer.apply(tf.input({ shape: [3, 2] }));
    assert.deepEqual(Array.from(layer.getWeights()[2].dataSync()), [0, 0, 1, 1, 0, 0, 0, 0]);
    const plain = new PolymodalLSTM({ units: 1, unitForgetBias: false });
    plain.apply(tf.input({ shape: [3, 2] }));
    assert.deepEqual(Array.from(plain.getWeights()[2].dataSync()), [0, 0, 0, 0]);
    layer.dispose();
    plain.dispose();
  });

  for (const implementation of ['loops', 'ops'] as const)
  for (const returnSequences of [false, true]) {
    for (const goBackwards of [false, true]) {
      it(`equals tf.layers.lstm({recurrentActivation: 'sigmoid'}) within 1e-4, outputs and gradients (${implementation}, sequences ${returnSequences}, backwards ${goBackwards})`, () => {
        const diff = compareWithTfjs({
          ours: new PolymodalLSTM({ units: 5, returnSequences, goBackwards, implementation }),
          theirs: tf.layers.lstm({ units: 5, returnSequences, goBackwards, recurrentActivation: 'sigmoid' }),
          batch: 3,
          steps: 7,
          features: 4,
          // tfjs returns a backwards sequence in processing order; ours is aligned with the input steps.
          reverseTheirs: returnSequences && goBackwards,
        });
        assert.ok(diff.output < 1e-4, `output differs by ${diff.output}`);
        assert.ok(diff.gradients < 1e-4, `gradients differ by ${diff.gradients}`);
        assert.ok(diff.inputGradient < 1e-4, `input gradient differs by ${diff.inputGradient}`);
      });
    }
  }

  for (const implementation of ['loops', 'ops'] as const)
  it(`uses dropout only in training, and leaks nothing in inference or training (${implementation})`, () => {
    const layer = new PolymodalLSTM({ units: 4, dropout: 0.5, recurrentDropout: 0.5, implementation });
    const x = tf.randomNormal([2, 6, 3], 0, 1, 'float32', 3);
    const inference = layer.apply(x) as tf.Tensor;
    const again = layer.apply(x, { training: false }) as tf.Tensor;
    assert.deepEqual(Array.from(again.dataSync()), Array.from(inference.dataSync()));
    const training = layer.apply(x, { training: true }) as tf.Tensor;
    assert.notDeepEqual(Array.from(training.dataSync()), Array.from(inference.dataSync()));
    tf.dispose([inference, again, training]);
    const before = tf.memory().numTensors;
    const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
    tf.dispose([value, grads]);
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
    layer.dispose();
  });

  it('rejects bad options and inputs clearly', () => {
    assert.throws(() => new PolymodalLSTM({ units: 0 }), /units must be a positive integer/);
    assert.throws(() => new PolymodalLSTM({ units: 2, dropout: 1 }), /dropout must be a number in \[0, 1\)/);
    assert.throws(() => new PolymodalLSTM({ units: 2, kernelInitializer: 'nope' as never }), /kernelInitializer must be one of/);
    assert.throws(() => new PolymodalLSTM({ units: 2 }).apply(tf.input({ shape: [3] })), /expects \[batch, steps, features\]/);
  });
});
