import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import * as tf from '@tensorflow/tfjs';

import { keptMaxPoolGrad, maxPoolGrad } from './max-pool-grad.js';
import { assertClose, host, randomArray, runKernelOn, seeded, setUpWasm, type HostTensor } from './test-fixtures/helpers.js';

before(async () => {
  await setUpWasm();
});

interface PoolCase {
  x: [number, number, number, number];
  filter: number;
  stride: number;
  pad: 'valid' | 'same';
}

/** MaxPoolGrad's inputs as model training produces them: x, its pooled output and a dy of that shape. */
async function poolInputs(values: Float32Array, c: PoolCase, rand: () => number): Promise<Record<string, HostTensor>> {
  await tf.setBackend('cpu');
  const x = tf.tensor4d(values, c.x);
  const pooled = tf.maxPool(x, c.filter, c.stride, c.pad);
  const out = host(pooled.dataSync().slice() as Float32Array, pooled.shape);
  tf.dispose([x, pooled]);
  await tf.setBackend('wasm');
  return { input: host(values, c.x), output: out, dy: host(randomArray(rand, tf.util.sizeFromShape(out.shape)), out.shape) };
}

async function sameAsCpu(inputs: Record<string, HostTensor>, c: PoolCase): Promise<void> {
  const attrs = { filterSize: c.filter, strides: c.stride, pad: c.pad };
  const expected = await runKernelOn('cpu', 'MaxPoolGrad', inputs, attrs);
  const actual = await runKernelOn('wasm', 'MaxPoolGrad', inputs, attrs);
  assert.deepEqual(actual.shape, expected.shape);
  // Overlapping windows add several dy values into one dx in another order than cpu's: float32 rounding only.
  assertClose(actual.values, expected.values, c.stride < c.filter ? 1e-6 : 0, `MaxPoolGrad ${c.x} ${c.filter}/${c.stride} ${c.pad}`);
}

describe('MaxPoolGrad on wasm (replacement) matches cpu', () => {
  it('is registered in place of wasm\'s kernel, which is kept', () => {
    assert.equal(tf.getKernel('MaxPoolGrad', 'wasm')?.kernelFunc, maxPoolGrad);
    assert.notEqual(keptMaxPoolGrad.get(), undefined);
  });

  const rand = seeded(1300);
  const cases: PoolCase[] = [
    { x: [4, 28, 28, 32], filter: 2, stride: 2, pad: 'valid' },
    { x: [3, 14, 14, 64], filter: 2, stride: 2, pad: 'valid' },
    { x: [2, 7, 9, 5], filter: 2, stride: 2, pad: 'valid' }, // odd sizes, channels not a multiple of 4
    { x: [2, 7, 9, 6], filter: 2, stride: 2, pad: 'same' }, // windows cut by the padding
    { x: [2, 9, 8, 7], filter: 3, stride: 2, pad: 'same' }, // overlapping windows
    { x: [1, 6, 6, 4], filter: 3, stride: 1, pad: 'same' },
    { x: [2, 10, 10, 3], filter: 2, stride: 3, pad: 'valid' }, // pixels in no window
  ];
  for (const c of cases) {
    it(`x ${c.x} pool ${c.filter} stride ${c.stride} ${c.pad}`, async () => {
      await sameAsCpu(await poolInputs(randomArray(rand, tf.util.sizeFromShape(c.x)), c, rand), c);
    });
  }

  it('resolves ties to the first maximum in the window and gives -Infinity / NaN windows no gradient, as cpu', async () => {
    for (const c of [{ x: [2, 6, 6, 5], filter: 3, stride: 2, pad: 'same' }, { x: [2, 6, 6, 5], filter: 2, stride: 2, pad: 'valid' }] as PoolCase[]) {
      await tiesAndNaNs(c);
    }
  });

  async function tiesAndNaNs(c: PoolCase): Promise<void> {
    const values = Float32Array.from({ length: tf.util.sizeFromShape(c.x) }, (_, i) => (i * 7) % 3); // many ties
    const at = (b: number, y: number, x: number, ch: number) => ((b * 6 + y) * 6 + x) * 5 + ch;
    // The first window (rows and columns 0-2, or 0-1): all -Infinity in channel 0 of image 0, all NaN in channels 1 and 4 of image 1.
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 3; x++) {
        values[at(0, y, x, 0)] = -Infinity;
        values[at(1, y, x, 1)] = NaN;
        values[at(1, y, x, 4)] = NaN; // channel 4: the scalar path past the vectors of 4
      }
    }
    values[at(1, 4, 4, 2)] = NaN; // one NaN among numbers
    await sameAsCpu(await poolInputs(values, c, rand), c);
  }

  it('trains like cpu through tf.grad of maxPool, and leaks nothing', async () => {
    const values = randomArray(rand, 2 * 8 * 8 * 4);
    const grads: Float32Array[] = [];
    for (const backend of ['cpu', 'wasm'] as const) {
      await tf.setBackend(backend);
      const x = tf.tensor4d(values, [2, 8, 8, 4]);
      const f = (t: tf.Tensor) => tf.sum(tf.square(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid')));
      tf.tidy(() => tf.grad(f)(x)).dispose(); // warm-up: allocations that stay
      const before = tf.memory().numTensors;
      const g = tf.grad(f)(x);
      grads.push(g.dataSync().slice() as Float32Array);
      g.dispose();
      assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
      x.dispose();
    }
    await tf.setBackend('wasm');
    assertClose(grads[1]!, grads[0]!, 0, 'd sum(maxPool(x)^2) / dx');
  });

  it('hands int32 data to wasm\'s own kernel', async () => {
    const c: PoolCase = { x: [1, 4, 4, 2], filter: 2, stride: 2, pad: 'valid' };
    const inputs = {
      input: host(Int32Array.from({ length: 32 }, (_, i) => (i * 5) % 11), c.x),
      output: host(new Int32Array(8), [1, 2, 2, 2]),
      dy: host(Int32Array.from({ length: 8 }, (_, i) => i + 1), [1, 2, 2, 2]),
    };
    const attrs = { filterSize: 2, strides: 2, pad: 'valid' };
    let called = 0;
    const kept = keptMaxPoolGrad.get()!;
    keptMaxPoolGrad.set({ ...kept, kernelFunc: (args) => (called++, kept.kernelFunc(args)) });
    try {
      await runKernelOn('wasm', 'MaxPoolGrad', inputs, attrs);
    } finally {
      keptMaxPoolGrad.set(kept);
    }
    assert.equal(called, 1);
  });
});
