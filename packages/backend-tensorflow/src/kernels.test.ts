import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { registerTensorflowBackendExtensions, TENSORFLOW_GRADIENTS, TENSORFLOW_KERNELS } from './extensions.js';
import { skipOrFail, useTensorflowBackend } from './test-fixtures/tensorflow-backend.js';

let unavailable: string | null = null;
before(async () => {
  unavailable = await useTensorflowBackend();
  if (!unavailable) registerTensorflowBackendExtensions();
});

const INPUT = [-2, -0.5, -0, 0, 1e-30, 0.25, 3, NaN, -Infinity, Infinity];

async function on(backend: string, f: () => tf.Tensor): Promise<number[]> {
  await tf.setBackend(backend);
  try {
    return Array.from(tf.tidy(f).dataSync());
  } finally {
    await tf.setBackend('tensorflow');
  }
}

test('the kernels and gradients this package registers for tensorflow are exactly those checked here', () => {
  assert.deepEqual(TENSORFLOW_KERNELS, ['Step', 'BatchMatMul', 'Add', 'Sum', 'PolymodalReluGrad', 'MaxPoolGrad', 'FusedConv2D', '_FusedMatMul'], 'a kernel added to the list needs a case in this file');
  assert.deepEqual(TENSORFLOW_GRADIENTS, ['Relu'], 'a gradient added to the list needs a case in this file');
});

/** Max |tensorflow - cpu| of `f`'s result, after checking both have the same shape. */
async function worstDifference(f: () => tf.Tensor, what: string): Promise<number> {
  await tf.setBackend('cpu');
  const cpu = tf.tidy(f);
  const cpuShape = cpu.shape;
  const cpuValues = Array.from(cpu.dataSync());
  cpu.dispose();
  await tf.setBackend('tensorflow');
  const native = tf.tidy(f);
  assert.deepEqual(native.shape, cpuShape, `${what}: shape`);
  const values = Array.from(native.dataSync());
  native.dispose();
  return Math.max(0, ...values.map((v, i) => (Number.isNaN(v) && Number.isNaN(cpuValues[i]!) ? 0 : Math.abs(v - cpuValues[i]!))));
}

const wave = (shape: number[], k: number) => tf.reshape(tf.tensor1d(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * k) * 2)), shape);

test('BatchMatMul equals the cpu backend: outer products (inner dimension 1), single matrices as MatMul (every transpose), and the batched shapes it leaves to tfjs-node', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  const values = (n: number, k: number) => Array.from({ length: n }, (_, i) => Math.sin(i * k) * 2);
  const cases: [number[], number[], boolean, boolean][] = [
    [[5, 1], [1, 7], false, false], [[1, 5], [1, 7], true, false], [[5, 1], [7, 1], false, true], [[1, 5], [7, 1], true, true],
    [[32, 1], [1, 300], false, false], [[4, 3], [3, 2], false, false], [[3, 4], [2, 3], true, true], [[2, 3, 1], [2, 1, 4], false, false],
    // Single matrices as MatMul (every transpose, rank 3 with a batch of 1), and batched products left to tfjs-node.
    [[1, 6, 40], [1, 40, 3], false, false], [[1, 40, 6], [1, 40, 3], true, false], [[1, 6, 40], [1, 3, 40], false, true],
    [[1, 40, 6], [1, 3, 40], true, true], [[6, 40], [40, 1], false, false], [[2, 4, 5], [2, 5, 3], false, false],
    // One output column (multiplied by the column viewed as a row): one row, rank 3, a transposed left side.
    [[1, 40], [40, 1], false, false], [[1, 1, 40], [1, 40, 1], false, false], [[40, 3], [40, 1], true, false],
  ];
  for (const [aShape, bShape, transposeA, transposeB] of cases) {
    const f = () => {
      const a: tf.Tensor = tf.reshape(tf.tensor1d(values(aShape.reduce((x, y) => x * y), 0.7)), aShape);
      const b: tf.Tensor = tf.reshape(tf.tensor1d(values(bShape.reduce((x, y) => x * y), 1.3)), bShape);
      return tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, transposeA, transposeB);
    };
    const native = await on('tensorflow', f);
    const cpu = await on('cpu', f);
    const worst = Math.max(...native.map((v, i) => Math.abs(v - cpu[i]!)));
    assert.ok(native.length === cpu.length && worst < 1e-5, `${JSON.stringify([aShape, bShape, transposeA, transposeB])}: differs by ${worst}`);
  }
  // Dense(1)'s gradients, where the outer product appears.
  const dense = () => {
    const x = tf.tensor2d(values(6 * 40, 0.3), [6, 40]);
    const w = tf.tensor2d(values(40, 0.9), [40, 1]);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.sigmoid(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D))))([x, w]);
    return tf.concat([tf.reshape(dx!, [-1]), tf.reshape(dw!, [-1])]);
  };
  const native = await on('tensorflow', dense);
  const cpu = await on('cpu', dense);
  assert.ok(Math.max(...native.map((v, i) => Math.abs(v - cpu[i]!))) < 1e-5);
});

test('Step equals the cpu backend (alpha 0 and 0.3, NaN, zeros, infinities; relu gradients, plain and fused into conv2d)', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  for (const alpha of [0, 0.3]) {
    const f = () => tf.step(tf.tensor1d(INPUT), alpha);
    assert.deepEqual(await on('tensorflow', f), await on('cpu', f), `Step alpha ${alpha}`);
  }
  // Through the gradients that call it: relu, and conv2d with a fused relu.
  const grads = () => {
    const x = tf.tensor4d(Array.from({ length: 2 * 5 * 5 * 2 }, (_, i) => Math.sin(i * 1.7)), [2, 5, 5, 2]);
    const w = tf.tensor4d(Array.from({ length: 3 * 3 * 2 * 3 }, (_, i) => Math.cos(i * 0.9) * 0.5), [3, 3, 2, 3]);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.fused.conv2d({ x: a as tf.Tensor4D, filter: b as tf.Tensor4D, strides: 1, pad: 'same', activation: 'relu' }), 1.5)))([x, w]);
    return tf.concat([tf.reshape(dx!, [-1]), tf.reshape(dw!, [-1]), tf.reshape(tf.grad((a: tf.Tensor) => tf.sum(tf.relu(a)))(x), [-1])]);
  };
  const native = await on('tensorflow', grads);
  const cpu = await on('cpu', grads);
  const worst = Math.max(...native.map((v, i) => Math.abs(v - cpu[i]!)));
  assert.ok(worst < 1e-5, `relu gradients differ by ${worst}`);
});

test('Add equals the cpu backend: biases (either side, rank 2 and 4) as BiasAdd, every other shape as before', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  const cases: [number[], number[]][] = [[[2, 5, 5, 3], [3]], [[3], [2, 5, 5, 3]], [[4, 7], [7]], [[4, 7], [4, 7]], [[4, 7], [1, 7]], [[4, 1], [7]], [[7], [7]], [[4, 7], []]];
  for (const [aShape, bShape] of cases) {
    const worst = await worstDifference(() => tf.add(wave(aShape, 0.7), wave(bShape, 1.3)), `${aShape} + ${bShape}`);
    assert.equal(worst, 0, `${JSON.stringify([aShape, bShape])}: differs by ${worst}`);
  }
  const ints = await worstDifference(() => tf.add(tf.tensor2d([[1, 2], [3, 4]], undefined, 'int32'), tf.tensor1d([5, 6], 'int32')), 'int32 add');
  assert.equal(ints, 0);
});

test('Sum equals the cpu backend: over every axis but the last as BiasAddGrad (keepDims, negative axes), other reductions as before', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  const cases: [number[], number[] | number, boolean][] = [
    [[2, 5, 5, 3], [0, 1, 2], false], [[2, 5, 5, 3], [2, 0, 1], true], [[6, 4], 0, false], [[6, 4], [-2], true],
    [[2, 5, 5, 3], [0, 1], false], [[6, 4], 1, false], [[6, 4], [0, 1], false], [[5], 0, false],
  ];
  for (const [shape, axis, keepDims] of cases) {
    const worst = await worstDifference(() => tf.sum(wave(shape, 0.9), axis, keepDims), `sum ${shape} over ${axis}`);
    assert.ok(worst < 1e-5, `${JSON.stringify([shape, axis, keepDims])}: differs by ${worst}`);
  }
});

test('Relu gradient (PolymodalReluGrad: ReluGrad) equals the cpu backend (zeros included), through relu layers and a dense with relu', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  const plain = await worstDifference(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.relu(x), wave([3, 4, 4, 2], 0.3))))(
    tf.concat([tf.zeros([1, 4, 4, 2]), wave([2, 4, 4, 2], 1.1)])), 'relu gradient');
  assert.equal(plain, 0, `relu gradient differs by ${plain}`);
  const profiled = await tf.profile(() => tf.grad((x: tf.Tensor) => tf.sum(tf.relu(x)))(tf.ones([2, 3])));
  assert.ok(profiled.kernelNames.includes('PolymodalReluGrad'), `the gradient ran ${profiled.kernelNames.join(', ')}`);
  assert.ok(!profiled.kernelNames.includes('Step'), 'tfjs\'s step-based gradient ran');
  const dense = await worstDifference(() => {
    const x = wave([5, 6], 0.4);
    const [dx, dw] = tf.grads((a: tf.Tensor, w: tf.Tensor) => tf.sum(tf.square(tf.fused.matMul({ a: a as tf.Tensor2D, b: w as tf.Tensor2D, activation: 'relu' }))))([x, wave([6, 3], 0.8)]);
    return tf.concat([tf.reshape(dx!, [-1]), tf.reshape(dw!, [-1])]);
  }, 'dense relu gradient');
  assert.ok(dense < 1e-5, `dense relu gradient differs by ${dense}`);
});

test('MaxPoolGrad (oneDNN) equals the cpu backend: windows full of ties, valid and same padding, overlapping strides', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  const cases: [number[], number, number, 'valid' | 'same'][] = [
    [[4, 28, 28, 8], 2, 2, 'valid'], [[3, 9, 9, 2], 3, 2, 'same'], [[3, 7, 7, 2], 2, 2, 'same'], [[2, 6, 6, 3], 3, 1, 'valid'], [[2, 5, 5, 1], 2, 1, 'same'],
  ];
  for (const [shape, size, stride, pad] of cases) {
    // Quarter steps of a relu'd wave: many equal values in a window, where the first maximum must take the gradient.
    const input = () => tf.div(tf.round(tf.mul(tf.relu(wave(shape, 0.37)), 4)), 4);
    const f = () => tf.grad((x: tf.Tensor) => {
      const pooled = tf.maxPool(x as tf.Tensor4D, size, stride, pad);
      return tf.sum(tf.mul(pooled, wave(pooled.shape, 0.61)));
    })(input());
    const worst = await worstDifference(f, `max pool ${shape} ${size}/${stride} ${pad}`);
    // Overlapping windows add several contributions into one input: summation order moves the last bit.
    assert.ok(worst <= (stride < size ? 1e-6 : 0), `${JSON.stringify([shape, size, stride, pad])}: differs by ${worst}`);
  }
});

test('FusedConv2D (_FusedConv2D) equals the cpu backend for every fused activation, padding and stride, in one op; other cases as before', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  const activations = ['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid'] as const;
  for (const activation of activations) {
    for (const [pad, strides] of [['same', 1], ['same', 2], ['valid', 1], ['valid', 2]] as const) {
      const f = () => tf.fused.conv2d({ x: wave([2, 7, 6, 3], 0.7) as tf.Tensor4D, filter: wave([3, 3, 3, 4], 1.3) as tf.Tensor4D, strides, pad, bias: wave([4], 0.5), activation, leakyreluAlpha: 0.15 });
      const worst = await worstDifference(f, `conv ${activation} ${pad} ${strides}`);
      assert.ok(worst < 1e-5, `${activation} ${pad} stride ${strides}: differs by ${worst}`);
    }
  }
  const one = await tf.profile(() => tf.fused.conv2d({ x: tf.ones([1, 5, 5, 2]) as tf.Tensor4D, filter: tf.ones([3, 3, 2, 2]) as tf.Tensor4D, strides: 1, pad: 'same', bias: tf.ones([2]), activation: 'relu' }));
  assert.ok(one.kernelNames.includes('FusedConv2D') && !['Conv2D', 'Add', 'Relu'].some((name) => one.kernelNames.includes(name)), `the fused convolution ran ${one.kernelNames.join(', ')}`);
  // Left to tfjs-node: no bias, a dilation (numeric padding tfjs-node refuses itself).
  const unfused = [
    () => tf.fused.conv2d({ x: wave([1, 7, 7, 2], 0.3) as tf.Tensor4D, filter: wave([3, 3, 2, 2], 0.9) as tf.Tensor4D, strides: 1, pad: 'same', activation: 'relu' }),
    () => tf.fused.conv2d({ x: wave([1, 7, 7, 2], 0.3) as tf.Tensor4D, filter: wave([3, 3, 2, 2], 0.9) as tf.Tensor4D, strides: 1, pad: 'same', dilations: 2, bias: wave([2], 1), activation: 'relu' }),
  ];
  for (const [i, f] of unfused.entries()) {
    const worst = await worstDifference(f, `unfused conv ${i}`);
    assert.ok(worst < 1e-5, `unfused case ${i}: differs by ${worst}`);
  }
});

test('_FusedMatMul (TensorFlow _FusedMatMul) equals the cpu backend: activations, transposes, one output column, rank 3; other cases as before', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  const cases: [number[], number[], boolean, boolean][] = [
    [[5, 7], [7, 3], false, false], [[7, 5], [7, 3], true, false], [[5, 7], [3, 7], false, true], [[5, 7], [7, 1], false, false], [[1, 7], [7, 1], false, false],
  ];
  for (const activation of ['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid'] as const) {
    for (const [aShape, bShape, transposeA, transposeB] of cases) {
      const n = transposeB ? bShape[0]! : bShape[1]!;
      const f = () => tf.fused.matMul({ a: wave(aShape, 0.7) as tf.Tensor2D, b: wave(bShape, 1.3) as tf.Tensor2D, transposeA, transposeB, bias: wave([n], 0.4), activation, leakyreluAlpha: 0.15 });
      const worst = await worstDifference(f, `matMul ${activation} ${aShape} ${bShape}`);
      assert.ok(worst < 1e-5, `${activation} ${JSON.stringify([aShape, bShape, transposeA, transposeB])}: differs by ${worst}`);
    }
  }
  const one = await tf.profile(() => tf.fused.matMul({ a: tf.ones([2, 3]), b: tf.ones([3, 4]), bias: tf.ones([4]), activation: 'relu' }));
  assert.ok(!one.kernelNames.includes('Add') && !one.kernelNames.includes('Relu'), `the fused product ran ${one.kernelNames.join(', ')}`);
  // Left to tfjs-node: a batch of 2, a bias that is not a vector.
  const batched = await worstDifference(() => tf.fused.matMul({ a: wave([2, 4, 5], 0.3) as unknown as tf.Tensor2D, b: wave([2, 5, 3], 0.8) as unknown as tf.Tensor2D, bias: wave([3], 1), activation: 'relu' }), 'batched');
  const matrixBias = await worstDifference(() => tf.fused.matMul({ a: wave([4, 5], 0.3) as tf.Tensor2D, b: wave([5, 3], 0.8) as tf.Tensor2D, bias: wave([4, 3], 1), activation: 'relu' }), 'matrix bias');
  assert.ok(batched < 1e-5 && matrixBias < 1e-5, `batched ${batched}, matrix bias ${matrixBias}`);
});

test('the kernels leak no tensors', async (t) => {
  if (unavailable) return skipOrFail(t, unavailable);
  const x = tf.tensor1d(INPUT);
  const before = tf.memory().numTensors;
  tf.step(x).dispose();
  tf.step(x, 0.2).dispose();
  tf.tidy(() => void tf.matMul(tf.ones([3, 1]), tf.ones([1, 4])));
  tf.tidy(() => void tf.matMul(tf.ones([3, 5]), tf.ones([5, 4]), false, false));
  tf.tidy(() => void tf.add(tf.ones([3, 5]), tf.ones([5])));
  tf.tidy(() => void tf.sum(tf.ones([3, 5]), 0, true));
  tf.tidy(() => void tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid')))(tf.ones([1, 4, 4, 2])));
  tf.tidy(() => void tf.grad((a: tf.Tensor) => tf.sum(tf.relu(a)))(tf.ones([3, 5])));
  tf.tidy(() => void tf.fused.conv2d({ x: tf.ones([1, 4, 4, 2]) as tf.Tensor4D, filter: tf.ones([3, 3, 2, 2]) as tf.Tensor4D, strides: 1, pad: 'same', bias: tf.ones([2]), activation: 'relu' }));
  tf.tidy(() => void tf.fused.matMul({ a: tf.ones([3, 5]), b: tf.ones([5, 1]), bias: tf.ones([1]), activation: 'relu' }));
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});
