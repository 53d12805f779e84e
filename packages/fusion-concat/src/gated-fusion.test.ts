import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { BuildContext, EncoderOutput, FusionOutput } from '@polymodal/core';
import { gatedFusion, type GatedOptions } from './gated-fusion.js';

const options = (o: Partial<GatedOptions> = {}): GatedOptions => ({
  width: 4, projectionActivation: 'tanh', gate: 'softmax', combine: 'sum', units: [], activation: 'relu', dropout: 0, sequencePooling: 'mean', ...o,
});

function context(prefix: string): BuildContext {
  const used = new Set<string>();
  return {
    tf,
    layerName(suffix) {
      let name = `${prefix}_${suffix}`;
      for (let n = 2; used.has(name); n++) name = `${prefix}_${suffix}_${n}`;
      used.add(name);
      return name;
    },
  };
}

/** Deterministic values in [-0.5, 0.5). */
function fixed(count: number, seed: number): number[] {
  let state = (seed * 2654435761) >>> 0 || 1;
  return Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  });
}

/** The fusion in a model whose outputs are [fused, gates], every weight set to fixed values (returned by layer/weight name). */
function fusedModel(features: Record<string, EncoderOutput>, inputs: tf.SymbolicTensor[], o: GatedOptions, prefix: string) {
  const out = gatedFusion.build(features, o, context(prefix)) as FusionOutput;
  const model = tf.model({ inputs, outputs: [out.tensor, out.reliance!.gates] });
  const weights = new Map<string, number[]>();
  model.setWeights(model.weights.map((w, i) => {
    const values = fixed(w.shape.reduce((n: number, d) => n * (d as number), 1), i + 1);
    weights.set(w.originalName, values);
    return tf.tensor(values, w.shape as number[]);
  }));
  return { model, weights, out };
}

/** x [n] times kernel [n, m] (row-major) plus bias. */
function dense(x: number[], kernel: number[], bias: number[]): number[] {
  return bias.map((b, o) => x.reduce((s, v, i) => s + v * kernel[i * bias.length + o], b));
}

function predictBoth(model: tf.LayersModel, xs: tf.Tensor[]): [number[][], number[][]] {
  const [fused, gates] = model.predict(xs) as tf.Tensor[];
  const result: [number[][], number[][]] = [fused.arraySync() as number[][], gates.arraySync() as number[][]];
  tf.dispose([fused, gates]);
  return result;
}

function assertClose(got: number[][], want: number[][], what: string): void {
  const diff = Math.max(...got.flatMap((row, i) => row.map((v, j) => Math.abs(v - want[i][j]))));
  assert.ok(diff < 1e-5, `${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

describe('gated fusion', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('computes tanh projections, softmax gates over all of them and their gated sum, as a plain computation does', () => {
    const a = tf.input({ name: 'a', shape: [3] });
    const b = tf.input({ name: 'b', shape: [2] });
    const features = { a: { tensor: a, kind: 'vector' as const }, b: { tensor: b, kind: 'vector' as const } };
    const { model, weights, out } = fusedModel(features, [a, b], options(), 'f1');
    assert.deepEqual(out.tensor.shape, [null, 4]);
    assert.deepEqual(out.reliance!.gates.shape, [null, 2]);
    const rowsA = [fixed(3, 31), fixed(3, 32)];
    const rowsB = [fixed(2, 33), fixed(2, 34)];
    const [fused, gates] = predictBoth(model, [tf.tensor2d(rowsA), tf.tensor2d(rowsB)]);
    const w = (name: string) => weights.get(name)!;
    const want = rowsA.map((xa, r) => {
      const ha = dense(xa, w('f1_a_projection/kernel'), w('f1_a_projection/bias')).map(Math.tanh);
      const hb = dense(rowsB[r], w('f1_b_projection/kernel'), w('f1_b_projection/bias')).map(Math.tanh);
      const logits = dense([...ha, ...hb], w('f1_gates/kernel'), w('f1_gates/bias'));
      const exps = logits.map(Math.exp);
      const g = exps.map((e) => e / (exps[0] + exps[1]));
      return { g, fused: ha.map((v, i) => g[0] * v + g[1] * hb[i]) };
    });
    assertClose(gates, want.map((r) => r.g), 'gates');
    assertClose(fused, want.map((r) => r.fused), 'fused');
    model.dispose();
  });

  it('with sigmoid gates and concat, places each gated projection side by side', () => {
    const a = tf.input({ name: 'a', shape: [3] });
    const b = tf.input({ name: 'b', shape: [2] });
    const features = { a: { tensor: a, kind: 'vector' as const }, b: { tensor: b, kind: 'vector' as const } };
    const { model, weights, out } = fusedModel(features, [a, b], options({ gate: 'sigmoid', combine: 'concat', projectionActivation: 'linear' }), 'f2');
    assert.deepEqual(out.tensor.shape, [null, 8]);
    const xa = fixed(3, 41);
    const xb = fixed(2, 42);
    const [fused, gates] = predictBoth(model, [tf.tensor2d([xa]), tf.tensor2d([xb])]);
    const w = (name: string) => weights.get(name)!;
    const ha = dense(xa, w('f2_a_projection/kernel'), w('f2_a_projection/bias'));
    const hb = dense(xb, w('f2_b_projection/kernel'), w('f2_b_projection/bias'));
    const g = dense([...ha, ...hb], w('f2_gates/kernel'), w('f2_gates/bias')).map((v) => 1 / (1 + Math.exp(-v)));
    assertClose(gates, [g], 'gates');
    assertClose(fused, [[...ha.map((v) => g[0] * v), ...hb.map((v) => g[1] * v)]], 'fused');
    model.dispose();
  });

  it('null-embeds a missing modality: the same output and gates whatever its absent row held, NaN included', async () => {
    const a = tf.input({ name: 'a', shape: [3] });
    const b = tf.input({ name: 'b', shape: [2, 3] });
    const bPresent = tf.input({ name: 'b_present', shape: [1] });
    const features = { a: { tensor: a, kind: 'vector' as const }, b: { tensor: b, kind: 'sequence' as const, present: bPresent } };
    const { model } = fusedModel(features, [a, b, bPresent], options({ units: [3] }), 'f3');
    assert.ok(model.layers.some((l) => l.getClassName() === 'PolymodalNullEmbedding'));
    const xa = tf.tensor2d([fixed(3, 51), fixed(3, 52)]);
    const present = tf.tensor2d([[1], [0]]);
    const rowsB = fixed(12, 53);
    const otherB = rowsB.map((v, i) => (i < 6 ? v : i === 6 ? NaN : v * 100 - 3));
    const [fusedA, gatesA] = predictBoth(model, [xa, tf.tensor3d(rowsB, [2, 2, 3]), present]);
    const [fusedB, gatesB] = predictBoth(model, [xa, tf.tensor3d(otherB, [2, 2, 3]), present]);
    assert.deepEqual(fusedB, fusedA);
    assert.deepEqual(gatesB, gatesA);
    // The present row still depends on b.
    const [fusedC] = predictBoth(model, [xa, tf.tensor3d(rowsB.map((v) => v * 2), [2, 2, 3]), tf.tensor2d([[1], [1]])]);
    assert.notDeepEqual(fusedC[0], fusedA[0]);

    // Training on a batch whose missing row holds NaN keeps every weight finite.
    const trainable = tf.model({ inputs: model.inputs, outputs: model.outputs[0] });
    trainable.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    await trainable.trainOnBatch([xa, tf.tensor3d(otherB, [2, 2, 3]), present], tf.ones([2, 3]));
    for (const weight of trainable.getWeights()) assert.ok(Array.from(weight.dataSync()).every(Number.isFinite), 'finite weights');
    model.dispose();
  });

  it('softmax gates of a row sum to 1; one input is gated alone', () => {
    const a = tf.input({ name: 'a', shape: [5] });
    const { model } = fusedModel({ a: { tensor: a, kind: 'vector' } }, [a], options({ width: 2 }), 'f4');
    const [, gates] = predictBoth(model, [tf.tensor2d([fixed(5, 61), fixed(5, 62)])]);
    assertClose(gates, [[1], [1]], 'a single softmax gate');
    model.dispose();
  });

  it('trains with a single input (no split of one gate column)', async () => {
    const a = tf.input({ name: 'a', shape: [3] });
    const out = gatedFusion.build({ a: { tensor: a, kind: 'vector' } }, options({ width: 2, gate: 'sigmoid' }), context('f5')) as FusionOutput;
    const model = tf.model({ inputs: [a], outputs: tf.layers.dense({ units: 1 }).apply(out.tensor) as tf.SymbolicTensor });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const [x, y] = [tf.tensor2d([fixed(3, 71), fixed(3, 72)]), tf.tensor2d([[1], [0]])];
    const before = tf.memory().numTensors;
    const history = await model.fit(x, y, { epochs: 2, verbose: 0 });
    assert.ok(history.history.loss.every((l) => Number.isFinite(l as number)), 'finite losses');
    assert.equal(tf.memory().numTensors, before, 'no tensors leaked by training');
    tf.dispose([x, y]);
    model.dispose();
  });
});
