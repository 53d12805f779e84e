import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import * as tf from '@tensorflow/tfjs';

import { add, keptAdd } from './add.js';
import { host, randomArray, runKernelOn, seeded, setUpWasm, type HostTensor } from './test-fixtures/helpers.js';

before(async () => {
  await setUpWasm();
});

/** Runs Add on cpu and wasm; returns whether wasm's own kernel ran. Values must be equal (one float32 add each). */
async function sameAsCpu(a: HostTensor, b: HostTensor): Promise<boolean> {
  const expected = await runKernelOn('cpu', 'Add', { a, b }, {});
  const kept = keptAdd.get()!;
  let keptCalls = 0;
  keptAdd.set({ ...kept, kernelFunc: (args) => (keptCalls++, kept.kernelFunc(args)) });
  try {
    const actual = await runKernelOn('wasm', 'Add', { a, b }, {});
    assert.deepEqual(actual.shape, expected.shape);
    assert.equal(actual.dtype, expected.dtype);
    assert.deepEqual(Array.from(actual.values), Array.from(expected.values));
  } finally {
    keptAdd.set(kept);
  }
  return keptCalls > 0;
}

describe('Add of a bias vector on wasm (replacement) matches cpu', () => {
  it('is registered in place of wasm\'s kernel, which is kept', () => {
    assert.equal(tf.getKernel('Add', 'wasm')?.kernelFunc, add);
    assert.notEqual(keptAdd.get(), undefined);
  });

  const rand = seeded(1600);
  const f = (shape: number[]) => host(randomArray(rand, tf.util.sizeFromShape(shape)), shape);
  const cases: Array<{ a: number[]; b: number[]; simd: boolean; what: string }> = [
    { a: [8, 12, 12, 32], b: [32], simd: true, what: 'a conv bias' },
    { a: [5, 12, 12, 7], b: [7], simd: true, what: 'a width that is not a multiple of 4' },
    { a: [6, 30, 40], b: [1, 1, 40], simd: true, what: 'a [1, 1, n] vector' },
    { a: [40], b: [200, 40], simd: true, what: 'the vector first' },
    { a: [64, 128], b: [64, 128], simd: false, what: 'same shapes' },
    { a: [64, 128], b: [64, 1], simd: false, what: 'a column' },
    { a: [4, 8], b: [8], simd: false, what: 'small' },
  ];
  for (const c of cases) {
    it(`${c.what}: ${c.a} + ${c.b}${c.simd ? '' : " (wasm's kernel)"}`, async () => {
      assert.equal(await sameAsCpu(f(c.a), f(c.b)), !c.simd);
    });
  }

  it('hands int32 data to wasm\'s kernel', async () => {
    const ints = (shape: number[]) => host(Int32Array.from({ length: tf.util.sizeFromShape(shape) }, (_, i) => (i * 37) % 101 - 50), shape);
    assert.equal(await sameAsCpu(ints([64, 100]), ints([100])), true);
  });

  it('leaves numTensors and backend buffers unchanged', () => {
    const x = tf.randomNormal([32, 20, 20, 16]);
    const bias = tf.randomNormal([16]);
    tf.add(x, bias).dispose();
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const before = { tensors: tf.memory().numTensors, ids: backend.numDataIds() };
    for (let i = 0; i < 3; i++) tf.add(x, bias).dispose();
    assert.equal(tf.memory().numTensors, before.tensors);
    assert.equal(backend.numDataIds(), before.ids);
    tf.dispose([x, bias]);
  });
});
