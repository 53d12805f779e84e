import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import * as tf from '@tensorflow/tfjs';

import { CONV2D_RELU_PRODUCT_GRADS_KERNEL, CONV2D_RELU_PRODUCT_KERNEL, CONV2D_RELU_PRODUCT_VALUE_KERNEL, conv2dReluProduct, wasmConv2dReluProduct } from './conv2d-relu-product.js';
import { conv2dRelu, type Conv2dReluAttrs } from './conv2d-relu.js';
import { assertStepsKeepTensors, randomArray, seeded, setUpWasm } from './test-fixtures/helpers.js';

before(async () => {
  await setUpWasm();
  assert.ok(wasmConv2dReluProduct(), 'the routine runs on wasm with SIMD');
});

interface Case { x: number[]; filter: number[]; units: number; attrs: Conv2dReluAttrs; oneKernel: boolean }

// Bit for bit where the separate product gradients run on this package's vector kernels (at least 2^14 multiply-adds;
// smaller ones go to XNNPACK, which sums in another order).
const CASES: Case[] = [
  { x: [4, 16, 16, 3], filter: [3, 3, 3, 32], units: 1, attrs: { strides: [1, 1], pad: 'valid' }, oneKernel: true }, // the seed model's shape, smaller
  { x: [4, 33, 35, 3], filter: [3, 3, 3, 16], units: 1, attrs: { strides: [2, 2], pad: 'same' }, oneKernel: true },
  { x: [4, 18, 18, 8], filter: [3, 3, 8, 16], units: 1, attrs: { strides: [1, 1], pad: 'same' }, oneKernel: true }, // Winograd forward
  { x: [2, 16, 16, 3], filter: [3, 3, 3, 32], units: 3, attrs: { strides: [1, 1], pad: 'valid' }, oneKernel: false }, // several units
  { x: [2, 8, 8, 5], filter: [2, 3, 5, 6], units: 1, attrs: { strides: [1, 2], pad: 'same' }, oneKernel: false }, // tfjs's convolution
];

/** out = flatten(relu(conv(x, f) + b)) . v and the gradients of sum(out * r) in f, b and v, by `op`, with the kernels that ran. */
async function productAndGradients(c: Case, seed: number, op: 'separate' | 'routine') {
  const rand = seeded(seed);
  const make = (shape: number[], scale = 1) => tf.tensor(randomArray(rand, tf.util.sizeFromShape(shape)).map((v) => v * scale), shape);
  const [x, f, b] = [make(c.x) as tf.Tensor4D, make(c.filter, 0.4) as tf.Tensor4D, make([c.filter[3]!], 0.3) as tf.Tensor1D];
  const features = tf.tidy(() => tf.conv2d(x, f, c.attrs.strides, c.attrs.pad).size / c.x[0]!);
  const v = make([features, c.units], 0.1) as tf.Tensor2D;
  const r = make([c.x[0]!, c.units]);
  const forward = (ft: tf.Tensor4D, bt: tf.Tensor1D, vt: tf.Tensor2D) => op === 'routine'
    ? conv2dReluProduct(x, ft, bt, vt, c.attrs)
    : tf.matMul(tf.reshape(conv2dRelu(x, ft, bt, c.attrs), [c.x[0]!, features]), vt);
  let out: Float32Array[] = [];
  const info = await tf.profile(() => tf.tidy(() => {
    const y = forward(f, b, v);
    const grads = tf.grads((ft: tf.Tensor, bt: tf.Tensor, vt: tf.Tensor) => tf.sum(tf.mul(forward(ft as tf.Tensor4D, bt as tf.Tensor1D, vt as tf.Tensor2D), r)))([f, b, v]);
    out = [y, ...grads].map((t) => t.dataSync() as Float32Array);
  }));
  tf.dispose([x, f, b, v, r]);
  return { out, kernels: info.kernels.map((k) => k.name) };
}

describe('a relu Conv2D times a one-unit product, its gradients in one kernel (PolymodalConv2DReluProductGrads)', () => {
  CASES.forEach((c, i) => {
    it(`equals the separate kernels${c.oneKernel ? ' bit for bit' : ''} for x [${c.x}], filter [${c.filter}], ${c.units} unit(s) (${c.oneKernel ? 'one kernel' : 'the separate ops'})`, async () => {
      const expected = await productAndGradients(c, 700 + i, 'separate');
      const actual = await productAndGradients(c, 700 + i, 'routine');
      ['out', 'dfilter', 'dbias', 'dweights'].forEach((name, j) => {
        const [a, e] = [actual.out[j]!, expected.out[j]!];
        assert.equal(a.length, e.length, name);
        if (c.oneKernel) {
          assert.deepEqual(a, e, name);
        } else {
          const worst = a.reduce((m, value, k) => Math.max(m, Math.abs(value - e[k]!)), 0);
          assert.ok(worst <= 1e-5 * Math.max(1, ...e.map(Math.abs)), `${name}: off by ${worst}`);
        }
      });
      assert.equal(actual.kernels.includes(CONV2D_RELU_PRODUCT_GRADS_KERNEL), c.oneKernel, actual.kernels.join(' '));
      // The forward is one kernel where the few-channels convolution runs (not Winograd's, not tfjs's).
      assert.equal(actual.kernels.includes(CONV2D_RELU_PRODUCT_KERNEL), c.oneKernel && c.filter[2]! <= 4, actual.kernels.join(' '));
      // The outer product, relu's gradient and the filter gradient's kernel are what the one kernel replaces.
      assert.equal(actual.kernels.includes('Conv2DBackpropFilter'), !c.oneKernel, actual.kernels.join(' '));
      // No input gradient either way: x is a constant to the routine (a model's images).
      assert.ok(!actual.kernels.includes('Conv2DBackpropInput'), actual.kernels.join(' '));
    });
  });

  it('predicts without storing y where no gradient is recorded (PolymodalConv2DReluProductValue): bit for bit the recorded forward', async () => {
    const attrs: Conv2dReluAttrs = { strides: [1, 1], pad: 'valid' };
    const rand = seeded(710);
    const make = (shape: number[], scale: number) => tf.tensor(randomArray(rand, tf.util.sizeFromShape(shape)).map((v) => v * scale), shape);
    const [x, f, b, v] = [make([8, 34, 34, 3], 1) as tf.Tensor4D, make([3, 3, 3, 32], 0.4) as tf.Tensor4D, make([32], 0.3) as tf.Tensor1D, make([32 * 32 * 32, 1], 0.05) as tf.Tensor2D];
    const yBytes = 8 * 32 * 32 * 32 * 4;
    let recorded: Float32Array | undefined;
    // tf.profile hands back one shared object, reset by the next call: read each before the next.
    const profile = async (run: () => void) => {
      const info = await tf.profile(run);
      return { kernels: info.kernels.map((k) => k.name), peakBytes: info.peakBytes };
    };
    const withTape = await profile(() => {
      tf.grad((ft: tf.Tensor) => {
        const out = conv2dReluProduct(x, ft as tf.Tensor4D, b, v, attrs);
        recorded = out.dataSync() as Float32Array;
        return tf.sum(out);
      })(f).dispose();
    });
    let predicted: Float32Array | undefined;
    const withoutTape = await profile(() => tf.tidy(() => {
      predicted = conv2dReluProduct(x, f, b, v, attrs).dataSync() as Float32Array;
    }));
    assert.deepEqual(predicted, recorded);
    assert.deepEqual(withoutTape.kernels, [CONV2D_RELU_PRODUCT_VALUE_KERNEL]);
    assert.ok(withTape.kernels.includes(CONV2D_RELU_PRODUCT_KERNEL), withTape.kernels.join(' '));
    // The recorded forward makes y (8 images x 32 x 32 x 32 floats); the prediction one row of it at most.
    assert.ok(withTape.peakBytes - withoutTape.peakBytes >= yBytes * 0.9, `peak ${withTape.peakBytes} with the tape, ${withoutTape.peakBytes} without`);
    tf.dispose([x, f, b, v]);
  });

  it('keeps y and the product gradient within the step: no tensor left behind over training steps', () => {
    const x = tf.randomUniform([2, 12, 12, 3]) as tf.Tensor4D;
    const f = tf.variable(tf.randomNormal([3, 3, 3, 16], 0, 0.3)) as tf.Variable<tf.Rank.R4>;
    const b = tf.variable(tf.zeros([16])) as tf.Variable<tf.Rank.R1>;
    const v = tf.variable(tf.randomNormal([10 * 10 * 16, 1], 0, 0.05)) as tf.Variable<tf.Rank.R2>;
    const optimizer = tf.train.adam(0.01);
    const step = () => optimizer.minimize(() => tf.mean(tf.square(tf.sub(conv2dReluProduct(x, f, b, v, { strides: [1, 1], pad: 'valid' }), 0.5))) as tf.Scalar, true)!;
    const tensors = assertStepsKeepTensors(step);
    // Outside a gradient (prediction) nothing is saved.
    tf.tidy(() => conv2dReluProduct(x, f, b, v, { strides: [1, 1], pad: 'valid' }).dataSync());
    assert.equal(tf.memory().numTensors, tensors);
    assert.throws(() => conv2dReluProduct(x, f, b, tf.zeros([4]) as unknown as tf.Tensor2D, { strides: [1, 1], pad: 'valid' }), /weights \[n, units\] expected; got \[2,12,12,3\], \[4\]/);
    optimizer.dispose();
    tf.dispose([x, f, b, v]);
  });
});
