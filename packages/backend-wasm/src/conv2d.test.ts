import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import * as tf from '@tensorflow/tfjs';

import { conv2d, fusedConv2d, keptConv2D, keptFusedConv2D } from './conv2d.js';
import { assertClose, host, randomArray, runKernelOn, seeded, setUpWasm } from './test-fixtures/helpers.js';

before(async () => {
  await setUpWasm();
});

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

/** Runs the kernel on wasm, counting the calls that reach wasm's own kernel (kept in `holder`). */
async function countingKept(holder: typeof keptConv2D, kernelName: string, inputs: Parameters<typeof runKernelOn>[2], attrs: Record<string, unknown>) {
  const kept = holder.get()!;
  let keptCalls = 0;
  holder.set({ ...kept, kernelFunc: (args) => (keptCalls++, kept.kernelFunc(args)) });
  try {
    return { ...(await runKernelOn('wasm', kernelName, inputs, attrs)), keptCalls };
  } finally {
    holder.set(kept);
  }
}

const onWasm = (inputs: Parameters<typeof runKernelOn>[2], attrs: Record<string, unknown>) => countingKept(keptConv2D, 'Conv2D', inputs, attrs);

describe('Conv2D on wasm (replacement: few input channels, Winograd 3x3) matches cpu', () => {
  it('is registered in place of wasm\'s kernel, which is kept', () => {
    assert.equal(tf.getKernel('Conv2D', 'wasm')?.kernelFunc, conv2d);
    assert.notEqual(keptConv2D.get(), undefined);
  });

  const rand = seeded(1500);
  const cases: Array<{ x: number[]; f: number[]; s: number; pad: Pad; simd: boolean }> = [
    { x: [4, 28, 28, 1], f: [3, 3, 1, 32], s: 1, pad: 'same', simd: true }, // the image CNN bench's first layer
    { x: [2, 20, 21, 3], f: [3, 3, 3, 32], s: 1, pad: 'valid', simd: true }, // the seed model's, smaller
    { x: [2, 9, 11, 4], f: [5, 5, 4, 16], s: 2, pad: 'same', simd: true }, // windows past both edges, stride 2
    { x: [3, 7, 8, 2], f: [3, 2, 2, 48], s: 2, pad: 'valid', simd: true },
    { x: [2, 6, 7, 3], f: [1, 1, 3, 16], s: 1, pad: 'valid', simd: true },
    { x: [2, 3, 4, 1], f: [5, 5, 1, 16], s: 1, pad: 'same', simd: true }, // the kernel wider than the image
    { x: [2, 8, 9, 3], f: [3, 3, 3, 16], s: 1, pad: [[0, 0], [2, 0], [1, 3], [0, 0]], simd: true },
    { x: [2, 8, 8, 3], f: [3, 3, 3, 20], s: 1, pad: 'same', simd: false }, // 20 output channels: wasm's kernel
    // 3x3 stride 1 with more channels: Winograd F(2x2, 3x3), output sizes odd and even, cut 2x2 blocks at the edges.
    { x: [4, 14, 14, 32], f: [3, 3, 32, 64], s: 1, pad: 'same', simd: true }, // the image CNN bench's second layer
    { x: [2, 8, 8, 8], f: [3, 3, 8, 16], s: 1, pad: 'same', simd: true },
    { x: [3, 9, 7, 12], f: [3, 3, 12, 8], s: 1, pad: 'same', simd: true },
    { x: [2, 9, 8, 8], f: [3, 3, 8, 24], s: 1, pad: 'valid', simd: true },
    { x: [2, 5, 6, 16], f: [3, 3, 16, 8], s: 1, pad: [[0, 0], [2, 2], [0, 1], [0, 0]], simd: true },
    { x: [1, 2, 2, 8], f: [3, 3, 8, 8], s: 1, pad: 'same', simd: true }, // smaller than the filter
    { x: [2, 8, 8, 6], f: [3, 3, 6, 16], s: 1, pad: 'same', simd: false }, // 6 channels: wasm's kernel
    { x: [2, 8, 8, 8], f: [3, 3, 8, 12], s: 1, pad: 'same', simd: false }, // 12 output channels: wasm's kernel
    { x: [2, 8, 8, 8], f: [3, 3, 8, 16], s: 2, pad: 'same', simd: false }, // stride 2: wasm's kernel
    { x: [2, 8, 8, 8], f: [5, 5, 8, 16], s: 1, pad: 'same', simd: false }, // 5x5: wasm's kernel
  ];
  for (const c of cases) {
    it(`x ${c.x} filter ${c.f} stride ${c.s} pad ${JSON.stringify(c.pad)}${c.simd ? '' : ' (wasm\'s kernel)'}`, async () => {
      const inputs = {
        x: host(randomArray(rand, tf.util.sizeFromShape(c.x)), c.x),
        filter: host(randomArray(rand, tf.util.sizeFromShape(c.f)), c.f),
      };
      const attrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', dilations: 1 };
      const expected = await runKernelOn('cpu', 'Conv2D', inputs, attrs);
      const actual = await onWasm(inputs, attrs);
      assert.deepEqual(actual.shape, expected.shape);
      assertClose(actual.values, expected.values, 1e-5, 'Conv2D');
      assert.equal(actual.keptCalls, c.simd ? 0 : 1, c.simd ? 'the SIMD kernel ran' : "wasm's kernel ran");
    });
  }

  it('hands dilations > 1 to wasm\'s kernel', async () => {
    const inputs = { x: host(randomArray(rand, 2 * 9 * 9 * 1), [2, 9, 9, 1]), filter: host(randomArray(rand, 9 * 16), [3, 3, 1, 16]) };
    const attrs = { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 2 };
    const expected = await runKernelOn('cpu', 'Conv2D', inputs, attrs);
    const actual = await onWasm(inputs, attrs);
    assertClose(actual.values, expected.values, 1e-5, 'dilated Conv2D');
    assert.equal(actual.keptCalls, 1);
  });

  it('trains a Winograd layer like cpu (its input gradient is a Winograd convolution too) and leaks nothing', async () => {
    const xv = randomArray(rand, 2 * 10 * 10 * 8);
    const fv = randomArray(rand, 3 * 3 * 8 * 16);
    const grads: Float32Array[][] = [];
    for (const backend of ['cpu', 'wasm'] as const) {
      await tf.setBackend(backend);
      const x = tf.tensor4d(xv, [2, 10, 10, 8]);
      const f = tf.tensor4d(fv, [3, 3, 8, 16]);
      const before = tf.memory().numTensors;
      const g = tf.grads((xt: tf.Tensor, ft: tf.Tensor) => tf.sum(tf.square(tf.conv2d(xt as tf.Tensor4D, ft as tf.Tensor4D, 1, 'same'))))([x, f]);
      grads.push(g.map((t) => t.dataSync().slice() as Float32Array));
      tf.dispose(g);
      assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
      const backendData = tf.backend() as unknown as { numDataIds(): number };
      if (backend === 'wasm') {
        const ids = backendData.numDataIds();
        tf.conv2d(x, f, 1, 'same').dispose();
        assert.equal(backendData.numDataIds(), ids, 'the scratch buffers are freed');
      }
      tf.dispose([x, f]);
    }
    await tf.setBackend('wasm');
    assertClose(grads[1]![0]!, grads[0]![0]!, 1e-4, 'dx');
    assertClose(grads[1]![1]!, grads[0]![1]!, 1e-4, 'dFilter');
  });

  it('trains a first conv layer like cpu (tf.grad through Conv2D) and leaks nothing', async () => {
    const xv = randomArray(rand, 3 * 10 * 10 * 1);
    const fv = randomArray(rand, 3 * 3 * 1 * 16);
    const grads: Float32Array[] = [];
    for (const backend of ['cpu', 'wasm'] as const) {
      await tf.setBackend(backend);
      const x = tf.tensor4d(xv, [3, 10, 10, 1]);
      const f = tf.tensor4d(fv, [3, 3, 1, 16]);
      const before = tf.memory().numTensors;
      const g = tf.grad((ft: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, ft as tf.Tensor4D, 1, 'same'))))(f);
      grads.push(g.dataSync().slice() as Float32Array);
      g.dispose();
      assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
      tf.dispose([x, f]);
    }
    await tf.setBackend('wasm');
    assertClose(grads[1]!, grads[0]!, 1e-4, 'dFilter');
  });
});

describe('FusedConv2D on wasm (replacement: few input channels or Winograd 3x3, bias and relu as it stores) matches cpu', () => {
  const rand = seeded(1600);
  const fusedOnWasm = (inputs: Parameters<typeof runKernelOn>[2], attrs: Record<string, unknown>) => countingKept(keptFusedConv2D, 'FusedConv2D', inputs, attrs);

  it('is registered in place of wasm\'s kernel, which is kept', () => {
    assert.equal(tf.getKernel('FusedConv2D', 'wasm')?.kernelFunc, fusedConv2d);
  });

  const cases: Array<{ activation: string; bias: 'oc' | 'none'; simd: boolean; f?: number[]; x?: number[] }> = [
    { activation: 'relu', bias: 'oc', simd: true }, // a Conv2D(relu) layer at inference
    { activation: 'linear', bias: 'oc', simd: true },
    { activation: 'relu', bias: 'none', simd: true },
    { activation: 'linear', bias: 'none', simd: true },
    { activation: 'elu', bias: 'oc', simd: false }, // other activations: wasm's kernel
    { activation: 'relu', bias: 'oc', simd: false, f: [3, 3, 3, 20] }, // 20 output channels: wasm's kernel
    // 3x3 stride 1 with more channels: by Winograd, odd output sizes cutting the 2x2 blocks at the edges.
    { activation: 'relu', bias: 'oc', simd: true, x: [2, 9, 10, 8], f: [3, 3, 8, 16] },
    { activation: 'linear', bias: 'oc', simd: true, x: [2, 9, 10, 8], f: [3, 3, 8, 16] },
    { activation: 'relu', bias: 'none', simd: true, x: [1, 7, 7, 12], f: [3, 3, 12, 8] },
    { activation: 'relu', bias: 'oc', simd: false, x: [2, 9, 10, 8], f: [3, 3, 8, 12] }, // 12 output channels: wasm's kernel
  ];
  for (const c of cases) {
    it(`activation ${c.activation}, bias ${c.bias}, filter [${c.f ?? [3, 3, 3, 32]}]${c.simd ? '' : " (wasm's kernel)"}`, async () => {
      const xShape = c.x ?? [2, 12, 11, 3];
      const fShape = c.f ?? [3, 3, 3, 32];
      const oc = fShape[3];
      const inputs: Parameters<typeof runKernelOn>[2] = {
        x: host(randomArray(rand, tf.util.sizeFromShape(xShape)), xShape),
        filter: host(randomArray(rand, tf.util.sizeFromShape(fShape)), fShape),
        ...(c.bias === 'oc' ? { bias: host(randomArray(rand, oc), [oc]) } : {}),
      };
      const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1, activation: c.activation };
      const expected = await runKernelOn('cpu', 'FusedConv2D', inputs, attrs);
      const actual = await fusedOnWasm(inputs, attrs);
      assert.deepEqual(actual.shape, expected.shape);
      assertClose(actual.values, expected.values, 1e-5, 'FusedConv2D');
      if (c.activation === 'relu') assert.ok(actual.values.some((v) => v === 0) && actual.values.every((v) => v >= 0), 'relu applied');
      assert.equal(actual.keptCalls, c.simd ? 0 : 1, c.simd ? 'the SIMD kernel ran' : "wasm's kernel ran");
    });
  }
});
