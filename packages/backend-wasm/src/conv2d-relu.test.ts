import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import * as tf from '@tensorflow/tfjs';

import { CONV2D_RELU_KERNEL, conv2dRelu, wasmConv2dRelu, type Conv2dReluAttrs } from './conv2d-relu.js';
import { RELU_GRAD_CHANNEL_SUMS_KERNEL } from './relu-gradient.js';
import { assertStepsKeepTensors, randomArray, seeded, setUpWasm } from './test-fixtures/helpers.js';

before(async () => {
  await setUpWasm();
  assert.ok(wasmConv2dRelu(), 'the routine runs on wasm with SIMD');
});

interface Case { x: number[]; filter: number[]; attrs: Conv2dReluAttrs; oneKernel: boolean }

const CASES: Case[] = [
  { x: [4, 16, 16, 3], filter: [3, 3, 3, 32], attrs: { strides: [1, 1], pad: 'valid' }, oneKernel: true }, // the few-channels kernel
  { x: [2, 9, 11, 3], filter: [3, 3, 3, 16], attrs: { strides: [2, 2], pad: 'same' }, oneKernel: true },
  { x: [2, 8, 8, 5], filter: [2, 3, 5, 6], attrs: { strides: [1, 2], pad: 'same' }, oneKernel: false }, // tfjs's ops
  { x: [2, 6, 6, 8], filter: [3, 3, 8, 16], attrs: { strides: [1, 1], pad: 'same' }, oneKernel: true }, // Winograd
  { x: [2, 7, 9, 8], filter: [3, 3, 8, 16], attrs: { strides: [1, 1], pad: 'valid' }, oneKernel: true }, // Winograd, odd sizes
  { x: [2, 6, 6, 8], filter: [3, 3, 8, 12], attrs: { strides: [1, 1], pad: 'same' }, oneKernel: false }, // tfjs's ops (XNNPACK's FusedConv2D)
];

/** y = relu(conv(x, f) + b) and the gradients of sum(y * r) in x, f and b, by `op`, with the kernels that ran. */
async function lossAndGradients(c: Case, seed: number, op: 'tfjs' | 'routine') {
  const rand = seeded(seed);
  const make = (shape: number[], scale = 1) => tf.tensor(randomArray(rand, tf.util.sizeFromShape(shape)).map((v) => v * scale), shape);
  const [x, f, b] = [make(c.x) as tf.Tensor4D, make(c.filter, 0.4) as tf.Tensor4D, make([c.filter[3]!], 0.3) as tf.Tensor1D];
  const outShape = tf.tidy(() => tf.conv2d(x, f, c.attrs.strides, c.attrs.pad).shape);
  const r = make(outShape);
  const forward = (xt: tf.Tensor4D, ft: tf.Tensor4D, bt: tf.Tensor1D) => op === 'routine'
    ? conv2dRelu(xt, ft, bt, c.attrs)
    : tf.relu(tf.add(tf.conv2d(xt, ft, c.attrs.strides, c.attrs.pad), bt));
  let out: Float32Array[] = [];
  const info = await tf.profile(() => tf.tidy(() => {
    const y = forward(x, f, b);
    const grads = tf.grads((xt: tf.Tensor, ft: tf.Tensor, bt: tf.Tensor) => tf.sum(tf.mul(forward(xt as tf.Tensor4D, ft as tf.Tensor4D, bt as tf.Tensor1D), r)))([x, f, b]);
    out = [y, ...grads].map((t) => t.dataSync() as Float32Array);
  }));
  tf.dispose([x, f, b, r]);
  return { out, kernels: info.kernels.map((k) => k.name) };
}

describe('Conv2D + bias + relu as one kernel on wasm (PolymodalConv2DRelu)', () => {
  CASES.forEach((c, i) => {
    it(`equals tfjs's Conv2D, Add and Relu, and their gradients in x, filter and bias, for x [${c.x}], filter [${c.filter}] (${c.oneKernel ? 'one kernel' : "tfjs's ops"})`, async () => {
      const expected = await lossAndGradients(c, 900 + i, 'tfjs');
      const actual = await lossAndGradients(c, 900 + i, 'routine');
      ['y', 'dx', 'dfilter', 'dbias'].forEach((name, j) => {
        const [a, e] = [actual.out[j]!, expected.out[j]!];
        assert.equal(a.length, e.length, name);
        const scale = Math.max(1, ...e.map(Math.abs));
        const worst = a.reduce((m, v, k) => Math.max(m, Math.abs(v - e[k]!)), 0);
        assert.ok(worst <= 1e-5 * scale, `${name}: off by ${worst} (scale ${scale})`);
      });
      assert.equal(actual.kernels.includes(CONV2D_RELU_KERNEL), c.oneKernel, actual.kernels.join(' '));
      assert.equal(!actual.kernels.includes('Add') && !actual.kernels.includes('Relu'), c.oneKernel, actual.kernels.join(' '));
      // The bias gradient comes from relu's gradient pass (every case's output channels are a multiple of 4): the one
      // Sum left is the loss's.
      const sums = actual.kernels.filter((name) => name === 'Sum').length;
      assert.equal(actual.kernels.includes(RELU_GRAD_CHANNEL_SUMS_KERNEL) && sums === 1, c.oneKernel, actual.kernels.join(' '));
    });
  });

  it("computes no input gradient for an input the tape does not need (a model's images)", async () => {
    const x = tf.randomUniform([2, 10, 10, 3]) as tf.Tensor4D;
    const f = tf.variable(tf.randomNormal([3, 3, 3, 16])) as tf.Variable<tf.Rank.R4>;
    const b = tf.variable(tf.zeros([16])) as tf.Variable<tf.Rank.R1>;
    const info = await tf.profile(() => {
      tf.dispose(tf.variableGrads(() => tf.sum(conv2dRelu(x, f, b, { strides: [1, 1], pad: 'valid' })) as tf.Scalar).grads);
    });
    const ran = info.kernels.map((k) => k.name);
    assert.ok(ran.includes('Conv2DBackpropFilter'), ran.join(' '));
    assert.ok(!ran.includes('Conv2DBackpropInput'), ran.join(' '));
    tf.dispose([x, f, b]);
  });

  it('leaves no tensor behind over training steps, nor when its shapes are refused', () => {
    const x = tf.randomUniform([2, 12, 12, 3]) as tf.Tensor4D;
    const f = tf.variable(tf.randomNormal([3, 3, 3, 16], 0, 0.3)) as tf.Variable<tf.Rank.R4>;
    const b = tf.variable(tf.zeros([16])) as tf.Variable<tf.Rank.R1>;
    const optimizer = tf.train.adam(0.01);
    const step = () => optimizer.minimize(() => tf.mean(tf.square(tf.sub(conv2dRelu(x, f, b, { strides: [1, 1], pad: 'same' }), 0.5))) as tf.Scalar, true)!;
    const tensors = assertStepsKeepTensors(step);
    assert.throws(() => tf.tidy(() => conv2dRelu(x, f, tf.zeros([8]) as tf.Tensor1D, { strides: [1, 1], pad: 'same' })), /bias \[oc\] expected; got \[2,12,12,3\], \[3,3,3,16\], \[8\]/);
    assert.equal(tf.memory().numTensors, tensors);
    optimizer.dispose();
    tf.dispose([x, f, b]);
  });
});
