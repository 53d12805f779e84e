import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

import { runLayerTest } from '../testing/layer-harness.js';
import { PolymodalMultiHeadAttention, type PolymodalMultiHeadAttentionArgs } from './index.js';
import { fixedValues, flat, maxAbsDiff, referenceAttention, referenceScores, setFixedWeights, to3d } from './test-fixtures/helpers.js';

/**
 * Keras's parameter count for MultiHeadAttention(num_heads=H, key_dim=K, value_dim=V, output_shape=O) on query,
 * value, key with last dims Dq, Dv, Dk (O defaults to Dq):
 *   query Dq*H*K + H*K, key Dk*H*K + H*K, value Dv*H*V + H*V, output H*V*O + O (biases only with use_bias).
 */
function kerasParams(p: { Dq: number; Dk: number; Dv: number; H: number; K: number; V?: number; O?: number; useBias?: boolean }): number {
  const V = p.V ?? p.K;
  const O = p.O ?? p.Dq;
  const b = p.useBias ?? true ? 1 : 0;
  return p.Dq * p.H * p.K + b * p.H * p.K + p.Dk * p.H * p.K + b * p.H * p.K + p.Dv * p.H * V + b * p.H * V + p.H * V * O + b * O;
}

function built(args: PolymodalMultiHeadAttentionArgs, shapes: number[][]): PolymodalMultiHeadAttention {
  const layer = new PolymodalMultiHeadAttention(args);
  const inputs = shapes.map((s) => tf.input({ shape: s }));
  layer.apply(inputs.length === 1 ? inputs[0] : inputs);
  return layer;
}

describe('PolymodalMultiHeadAttention', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  it('passes the layer harness for self-attention with Keras parameter count', async () => {
    await runLayerTest({
      create: () => new PolymodalMultiHeadAttention({ numHeads: 2, keyDim: 3 }),
      inputShape: [5, 4],
      expectedOutputShape: [null, 5, 4],
      expectedTrainableWeights: 8,
      expectedNonTrainableWeights: 0,
      expectedParams: kerasParams({ Dq: 4, Dk: 4, Dv: 4, H: 2, K: 3 }),
    });
  });

  it('passes the layer harness for cross-attention with key, valueDim, outputShape and a padding mask', async () => {
    await runLayerTest({
      create: () =>
        new PolymodalMultiHeadAttention({ numHeads: 3, keyDim: 2, valueDim: 4, outputShape: 7, dropout: 0.2 }),
      inputShape: [[5, 4], [6, 3], [6, 2], [6]],
      inputDtype: ['float32', 'float32', 'float32', 'int32'],
      inputMaxValue: [1, 1, 1, 2],
      expectedOutputShape: [null, 5, 7],
      expectedTrainableWeights: 8,
      expectedParams: kerasParams({ Dq: 4, Dv: 3, Dk: 2, H: 3, K: 2, V: 4, O: 7 }),
    });
  });

  it('passes the layer harness without biases and with a causal mask', async () => {
    await runLayerTest({
      create: () => new PolymodalMultiHeadAttention({ numHeads: 2, keyDim: 2, useBias: false, useCausalMask: true }),
      inputShape: [[4, 3], [4, 3]],
      expectedOutputShape: [null, 4, 3],
      expectedTrainableWeights: 4,
      expectedParams: kerasParams({ Dq: 3, Dk: 3, Dv: 3, H: 2, K: 2, useBias: false }),
    });
  });

  it('has exactly Keras parameter counts', () => {
    const cases: [PolymodalMultiHeadAttentionArgs, number[][], Parameters<typeof kerasParams>[0]][] = [
      [{ numHeads: 8, keyDim: 16 }, [[10, 64]], { Dq: 64, Dk: 64, Dv: 64, H: 8, K: 16 }],
      [{ numHeads: 4, keyDim: 8, valueDim: 5 }, [[3, 12], [7, 20]], { Dq: 12, Dk: 20, Dv: 20, H: 4, K: 8, V: 5 }],
      [
        { numHeads: 2, keyDim: 3, outputShape: 9, useBias: false },
        [[3, 6], [4, 5], [4, 7]],
        { Dq: 6, Dv: 5, Dk: 7, H: 2, K: 3, O: 9, useBias: false },
      ],
    ];
    for (const [args, shapes, dims] of cases) {
      const layer = built(args, shapes);
      // e.g. Keras MultiHeadAttention(8, 16) on 64 features: 3 * (64*128 + 128) + (128*64 + 64) = 33216.
      assert.equal(layer.countParams(), kerasParams(dims), JSON.stringify(args));
      layer.dispose();
    }
    assert.equal(kerasParams({ Dq: 64, Dk: 64, Dv: 64, H: 8, K: 16 }), 33216);
  });

  it('matches a plain-JS reference for self-attention', () => {
    const layer = built({ numHeads: 2, keyDim: 3 }, [[3, 4]]);
    const w = setFixedWeights(layer);
    const xFlat = fixedValues(2 * 3 * 4, 7);
    const x = tf.tensor3d(xFlat, [2, 3, 4]);
    const got = flat(layer.apply(x));
    const x3 = to3d(xFlat, 2, 3, 4);
    const want = referenceAttention({ query: x3, value: x3, w, H: 2, K: 3, V: 3, O: 4 });
    assert.ok(maxAbsDiff(got, want) < 1e-5, `max diff ${maxAbsDiff(got, want)}`);
    x.dispose();
    layer.dispose();
  });

  it('matches the reference for cross-attention with a separate key, valueDim and outputShape, with and without bias', () => {
    for (const useBias of [true, false]) {
      const layer = built({ numHeads: 3, keyDim: 2, valueDim: 4, outputShape: 6, useBias }, [[2, 3], [4, 5], [4, 2]]);
      const w = setFixedWeights(layer, useBias ? 2 : 3);
      const [q, v, k] = [fixedValues(2 * 2 * 3, 11), fixedValues(2 * 4 * 5, 12), fixedValues(2 * 4 * 2, 13)];
      const inputs = [tf.tensor3d(q, [2, 2, 3]), tf.tensor3d(v, [2, 4, 5]), tf.tensor3d(k, [2, 4, 2])];
      const got = flat(layer.apply(inputs));
      const want = referenceAttention({
        query: to3d(q, 2, 2, 3),
        value: to3d(v, 2, 4, 5),
        key: to3d(k, 2, 4, 2),
        w,
        H: 3,
        K: 2,
        V: 4,
        O: 6,
      });
      assert.ok(maxAbsDiff(got, want) < 1e-5, `useBias ${useBias}: max diff ${maxAbsDiff(got, want)}`);
      tf.dispose(inputs);
      layer.dispose();
    }
  });

  it('applies a padding mask input [batch, Tv] (1 = keep), and masked value steps have no influence', () => {
    const layer = built({ numHeads: 2, keyDim: 2 }, [[3, 4], [5, 4], [5]]);
    const w = setFixedWeights(layer, 4);
    const pad = [
      [1, 1, 1, 0, 0],
      [1, 0, 1, 1, 0],
    ];
    const [q, v] = [fixedValues(2 * 3 * 4, 21), fixedValues(2 * 5 * 4, 22)];
    const run = (values: number[]) =>
      tf.tidy(() =>
        flat(layer.apply([tf.tensor3d(q, [2, 3, 4]), tf.tensor3d(values, [2, 5, 4]), tf.tensor2d(pad, [2, 5], 'int32')])),
      );
    const got = run(v);
    const want = referenceAttention({
      query: to3d(q, 2, 3, 4),
      value: to3d(v, 2, 5, 4),
      w,
      H: 2,
      K: 2,
      V: 2,
      O: 4,
      attend: (b, _t, s) => pad[b][s] === 1,
    });
    assert.ok(maxAbsDiff(got, want) < 1e-5, `max diff ${maxAbsDiff(got, want)}`);
    // Changing the masked value steps changes nothing.
    const changed = v.map((x, i) => {
      const [b, s] = [Math.floor(i / 20), Math.floor((i % 20) / 4)];
      return pad[b][s] === 0 ? x + 100 : x;
    });
    assert.ok(maxAbsDiff(run(changed), got) < 1e-6);
    layer.dispose();
  });

  it('returns its attention scores on request: softmax(QK^T/sqrt(d)) with masks, masked steps exactly 0', async () => {
    const layer = built({ numHeads: 2, keyDim: 3, returnAttentionScores: true }, [[3, 4], [5, 4], [5]]);
    const w = setFixedWeights(layer, 8);
    const pad = [
      [1, 0, 1, 1, 0],
      [0, 0, 1, 0, 0],
    ];
    const [q, v] = [fixedValues(2 * 3 * 4, 61), fixedValues(2 * 5 * 4, 62)];
    const before = tf.memory().numTensors;
    const eager = [tf.tensor3d(q, [2, 3, 4]), tf.tensor3d(v, [2, 5, 4]), tf.tensor2d(pad, [2, 5], 'int32')];
    const [output, scores] = layer.apply(eager) as tf.Tensor[];
    tf.dispose(eager);
    assert.deepEqual(scores.shape, [2, 2, 3, 5]);
    const got = flat(scores);
    const attend = (b: number, _t: number, s: number) => pad[b][s] === 1;
    const want = referenceScores({ query: to3d(q, 2, 3, 4), key: to3d(v, 2, 5, 4), w, H: 2, K: 3, attend });
    assert.ok(maxAbsDiff(got, want) < 1e-6, `max diff ${maxAbsDiff(got, want)}`);
    got.forEach((p, i) => {
      const [b, s] = [Math.floor(i / 30), i % 5];
      if (pad[b][s] === 0) assert.equal(p, 0, `masked step ${s} of row ${b} gets exactly zero attention`);
    });
    // The output is what the layer gives without scores.
    const want2 = referenceAttention({ query: to3d(q, 2, 3, 4), value: to3d(v, 2, 5, 4), w, H: 2, K: 3, V: 3, O: 4, attend });
    assert.ok(maxAbsDiff(flat(output), want2) < 1e-5);
    // Symbolically it has two outputs, and it survives a save/load round trip with its config.
    const inputs = [tf.input({ shape: [3, 4] }), tf.input({ shape: [5, 4] }), tf.input({ shape: [5] })];
    const fresh = new PolymodalMultiHeadAttention({ numHeads: 2, keyDim: 3, returnAttentionScores: true });
    const outs = fresh.apply(inputs) as tf.SymbolicTensor[];
    assert.deepEqual(outs.map((o) => o.shape), [[null, 3, 4], [null, 2, 3, 5]]);
    assert.equal(fresh.getConfig().returnAttentionScores, true);
    const model = tf.model({ inputs, outputs: outs });
    const saved = await new Promise<tf.io.ModelArtifacts>((done) => void model.save(tf.io.withSaveHandler(async (a) => {
      done(a);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    })));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved));
    assert.equal(loaded.outputs.length, 2);
    const xs = [tf.tensor3d(q, [2, 3, 4]), tf.tensor3d(v, [2, 5, 4]), tf.tensor2d(pad, [2, 5])];
    const [a, b] = [model.predict(xs) as tf.Tensor[], loaded.predict(xs) as tf.Tensor[]];
    assert.ok(maxAbsDiff(flat(a[1]), flat(b[1])) < 1e-6);
    tf.dispose([...a, ...b, ...xs]);
    model.dispose();
    loaded.dispose();
    layer.dispose();
    assert.equal(tf.memory().numTensors, before - 8, 'nothing leaks (disposing the layer freed its 8 weights)');
  });

  it('applies a causal mask (query step t sees value steps <= t)', () => {
    const layer = built({ numHeads: 2, keyDim: 3, useCausalMask: true }, [[4, 4]]);
    const w = setFixedWeights(layer, 5);
    const xFlat = fixedValues(2 * 4 * 4, 31);
    const got = tf.tidy(() => flat(layer.apply(tf.tensor3d(xFlat, [2, 4, 4]))));
    const x3 = to3d(xFlat, 2, 4, 4);
    const want = referenceAttention({ query: x3, value: x3, w, H: 2, K: 3, V: 3, O: 4, attend: (_b, t, s) => s <= t });
    assert.ok(maxAbsDiff(got, want) < 1e-5, `max diff ${maxAbsDiff(got, want)}`);
    layer.dispose();
  });

  it('honours a Keras mask from an embedding with maskZero: padding does not change real positions', async () => {
    const ids = tf.input({ shape: [null], dtype: 'int32' });
    const embedded = tf.layers.embedding({ inputDim: 10, outputDim: 4, maskZero: true }).apply(ids);
    const attention = new PolymodalMultiHeadAttention({ numHeads: 2, keyDim: 2 });
    const model = tf.model({ inputs: ids, outputs: attention.apply(embedded) as tf.SymbolicTensor });
    const short = flat(model.predict(tf.tensor2d([[3, 1, 4]], [1, 3], 'int32')) as tf.Tensor);
    const padded = flat(model.predict(tf.tensor2d([[3, 1, 4, 0, 0]], [1, 5], 'int32')) as tf.Tensor);
    assert.ok(maxAbsDiff(padded.slice(0, short.length), short) < 1e-5);
    // The implicit mask passed eagerly gives the same as the reference with query and value masks.
    const w = setFixedWeights(attention, 6);
    const xFlat = fixedValues(1 * 4 * 4, 41);
    const got = tf.tidy(() =>
      flat(attention.apply(tf.tensor3d(xFlat, [1, 4, 4]), { mask: tf.tensor2d([[1, 1, 1, 0]], [1, 4], 'bool') })),
    );
    const x3 = to3d(xFlat, 1, 4, 4);
    const want = referenceAttention({ query: x3, value: x3, w, H: 2, K: 2, V: 2, O: 4, attend: (_b, _t, s) => s < 3 });
    // Rows of masked query steps are all-masked (Keras gives them uniform attention); compare the real rows.
    assert.ok(maxAbsDiff(got.slice(0, 12), want.slice(0, 12)) < 1e-5);
    model.dispose();
  });

  it('applies dropout to the attention probabilities in training only', () => {
    const layer = built({ numHeads: 2, keyDim: 4, dropout: 0.5 }, [[6, 4]]);
    const x = tf.tensor3d(fixedValues(2 * 6 * 4, 51), [2, 6, 4]);
    const inference = flat(layer.apply(x));
    assert.deepEqual(flat(layer.apply(x, { training: false })), inference);
    const training = flat(layer.apply(x, { training: true }));
    assert.ok(maxAbsDiff(training, inference) > 1e-3, 'training output should differ under dropout');
    x.dispose();
    layer.dispose();
  });

  it('rejects bad options and inputs with clear messages', () => {
    assert.throws(() => new PolymodalMultiHeadAttention({ numHeads: 0, keyDim: 2 }), /numHeads must be a positive integer/);
    assert.throws(() => new PolymodalMultiHeadAttention({ numHeads: 2, keyDim: 2, dropout: 1 }), /dropout must be/);
    const layer = new PolymodalMultiHeadAttention({ numHeads: 2, keyDim: 2 });
    assert.throws(() => layer.apply(tf.input({ shape: [4] })), /must be rank 3/);
    const built2 = built({ numHeads: 1, keyDim: 2 }, [[3, 4], [5, 4], [5]]);
    assert.throws(
      () => tf.tidy(() => built2.apply([tf.zeros([1, 3, 4]), tf.zeros([1, 5, 4]), tf.ones([1, 4])]) as tf.Tensor),
      /padding mask must be \[batch, 5\]/,
    );
    built2.dispose();
  });

  it('passes gradients to every weight; the key bias gets none, as softmax is shift-invariant', () => {
    const layer = built({ numHeads: 2, keyDim: 3 }, [[4, 5]]);
    setFixedWeights(layer, 8);
    const x = tf.tensor3d(fixedValues(2 * 4 * 5, 61), [2, 4, 5]);
    const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x) as tf.Tensor)) as tf.Scalar, vars);
    for (const w of layer.trainableWeights) {
      const g = grads[(w.read() as tf.Variable).name];
      assert.ok(g, `no gradient for ${w.originalName}`);
      const norm = tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]);
      assert.ok(Number.isFinite(norm));
      if (w.originalName.endsWith('key/bias')) assert.ok(norm < 1e-5, `key bias gradient ${norm}`);
      else assert.ok(norm > 1e-4, `${w.originalName} gradient is ${norm}`);
    }
    tf.dispose([value, grads, x]);
    layer.dispose();
  });

  it('trains on the wasm backend with the same gradients as cpu (skipped when wasm lacks a kernel)', async (t) => {
    const kernels = ['BatchMatMul', 'Softmax', 'Transpose', 'Reshape', 'Add', 'Sub', 'Multiply', 'Sum', 'Square', 'Mean'];
    const missing = kernels.filter((k) => tf.getKernel(k, 'wasm') == null);
    if (missing.length) {
      t.skip(`the wasm backend has no kernel for ${missing.join(', ')}`);
      return;
    }
    const gradsOn = async (backend: string) => {
      await tf.setBackend(backend);
      const layer = built({ numHeads: 2, keyDim: 3, useCausalMask: true }, [[4, 5]]);
      setFixedWeights(layer, 9);
      const x = tf.tensor3d(fixedValues(2 * 4 * 5, 71), [2, 4, 5]);
      const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(layer.apply(x) as tf.Tensor)) as tf.Scalar, vars);
      const out = layer.trainableWeights.map((w) => Array.from(grads[(w.read() as tf.Variable).name].dataSync()));
      tf.dispose([value, grads, x]);
      layer.dispose();
      return out;
    };
    const cpu = await gradsOn('cpu');
    let wasm: number[][];
    try {
      if (!(await tf.setBackend('wasm'))) {
        t.skip('the wasm backend did not initialise');
        return;
      }
      wasm = await gradsOn('wasm');
      // The whole harness (save/load, one Adam step with a Dense head, leak checks) on wasm.
      await runLayerTest({
        create: () => new PolymodalMultiHeadAttention({ numHeads: 2, keyDim: 2, dropout: 0.1 }),
        inputShape: [[3, 4], [5, 4], [5]],
        inputDtype: ['float32', 'float32', 'int32'],
        inputMaxValue: [1, 1, 2],
        expectedOutputShape: [null, 3, 4],
      });
    } catch (e) {
      const message = (e as Error).message ?? String(e);
      if (/Kernel '[^']+' not registered for backend 'wasm'/.test(message)) {
        t.skip(`wasm backend is missing a kernel: ${message}`);
        return;
      }
      throw e;
    } finally {
      await tf.setBackend('cpu');
    }
    cpu.forEach((g, i) => assert.ok(maxAbsDiff(wasm[i], g) < 1e-4, `gradient ${i} differs between wasm and cpu`));
  });
});
