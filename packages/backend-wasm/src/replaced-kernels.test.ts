import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import * as tf from '@tensorflow/tfjs';

import { assertClose, host, randomArray, runKernelOn, seeded, setUpWasm, type HostTensor } from './test-fixtures/helpers.js';

before(async () => {
  await setUpWasm();
});

interface WasmData {
  dataIdMap: { get(dataId: object): { id: number; refCount: number } | undefined; has(dataId: object): boolean };
}
const wasmData = () => tf.backend() as unknown as WasmData;

async function sameOnBoth(kernel: string, inputs: Record<string, HostTensor>, attrs: Record<string, unknown>, rtol = 0) {
  const expected = await runKernelOn('cpu', kernel, inputs, attrs);
  const actual = await runKernelOn('wasm', kernel, inputs, attrs);
  assert.deepEqual(actual.shape, expected.shape, `${kernel} shape`);
  assert.equal(actual.dtype, expected.dtype, `${kernel} dtype`);
  if (rtol === 0) assert.deepEqual(Array.from(actual.values), Array.from(expected.values), `${kernel} values`);
  else assertClose(actual.values, expected.values, rtol, kernel);
}

const ints = (n: number, mod = 1000) => Int32Array.from({ length: n }, (_, i) => (i * 7919) % mod - mod / 2);

describe('Identity and same-dtype Cast share the buffer', () => {
  it('Identity returns equal values without a copy; either tensor may be disposed first', () => {
    const x = tf.tensor([1, 2, 3, 4], [2, 2]);
    const y = tf.clone(x); // the Identity kernel
    assert.equal(wasmData().dataIdMap.get(y.dataId)?.id, wasmData().dataIdMap.get(x.dataId)?.id);
    assert.equal(wasmData().dataIdMap.get(x.dataId)?.refCount, 2);
    x.dispose();
    assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3, 4]);
    y.dispose();
    assert.equal(wasmData().dataIdMap.has(y.dataId), false, 'the buffer is freed with its last tensor');
  });

  it('Cast to the same dtype shares the buffer; to another dtype it converts like cpu', async () => {
    const x = tf.tensor([1.5, -2.5, 3], [3], 'float32');
    const same = tf.cast(x, 'float32');
    assert.equal(wasmData().dataIdMap.get(same.dataId)?.id, wasmData().dataIdMap.get(x.dataId)?.id);
    tf.dispose([x, same]);
    await sameOnBoth('Cast', { x: host(Float32Array.from([1.5, -2.5, 3, 0.2]), [4]) }, { dtype: 'int32' });
    await sameOnBoth('Cast', { x: host(Int32Array.from([1, -2, 3]), [3]) }, { dtype: 'float32' });
  });
});

describe('Slice and SplitV read the input in place', () => {
  const rand = seeded(900);
  const boxes: Array<{ shape: number[]; begin: number[]; size: number[] }> = [
    { shape: [32, 123], begin: [0, 0], size: [32, 100] },
    { shape: [32, 123], begin: [3, 7], size: [-1, 9] },
    { shape: [4, 5, 6], begin: [1, 0, 0], size: [2, 5, 6] },
    { shape: [4, 5, 6], begin: [0, 2, 1], size: [4, 2, 4] },
    { shape: [2, 3, 4, 5, 6], begin: [1, 1, 0, 2, 3], size: [1, 2, 4, 3, 2] },
    { shape: [7], begin: [2], size: [3] },
    { shape: [3, 4], begin: [1, 1], size: [0, 2] },
  ];
  for (const c of boxes) {
    it(`Slice ${c.shape} at ${c.begin} size ${c.size} (float32 and int32) equals cpu`, async () => {
      const n = tf.util.sizeFromShape(c.shape);
      await sameOnBoth('Slice', { x: host(randomArray(rand, n), c.shape) }, { begin: c.begin, size: c.size });
      await sameOnBoth('Slice', { x: host(ints(n), c.shape) }, { begin: c.begin, size: c.size });
    });
  }

  it('Slice of a bool tensor', () => {
    const x = tf.tensor([true, false, true, true, false, false], [2, 3], 'bool');
    const s = tf.slice(x, [0, 1], [2, 2]);
    assert.equal(s.dtype, 'bool');
    assert.deepEqual(Array.from(s.dataSync()), [0, 1, 0, 0]);
    tf.dispose([x, s]);
  });

  const splits: Array<{ shape: number[]; sizes: number[]; axis: number }> = [
    { shape: [32, 130], sizes: [100, 30], axis: 1 },
    { shape: [6, 4, 5], sizes: [1, 2, -1], axis: 2 },
    { shape: [6, 4, 5], sizes: [2, 4], axis: 0 },
    { shape: [3, 8], sizes: [2, 2, 2, 2], axis: -1 },
  ];
  for (const c of splits) {
    it(`SplitV ${c.shape} into ${c.sizes} on axis ${c.axis} equals cpu`, async () => {
      const values = randomArray(rand, tf.util.sizeFromShape(c.shape));
      const run = async (backend: 'cpu' | 'wasm') => {
        await tf.setBackend(backend);
        const x = tf.tensor(values, c.shape);
        const parts = tf.split(x, c.sizes, c.axis);
        const out = parts.map((p) => ({ shape: p.shape, values: Array.from(p.dataSync()) }));
        tf.dispose([x, ...parts]);
        await tf.setBackend('wasm');
        return out;
      };
      assert.deepEqual(await run('wasm'), await run('cpu'));
    });
  }
});

describe('GatherV2 copies whole slices', () => {
  const rand = seeded(950);
  const cases: Array<{ x: number[]; indices: number[]; idxShape: number[]; axis: number; batchDims?: number }> = [
    { x: [1000, 64], indices: [5, 999, 0, 5, 17, 3], idxShape: [2, 3], axis: 0 },
    { x: [10, 8, 8, 3], indices: [9, 0, 4], idxShape: [3], axis: 0 },
    { x: [4, 6, 5], indices: [5, 0, 2, 2], idxShape: [4], axis: 1 },
    { x: [4, 6, 5], indices: [4, 1], idxShape: [2], axis: 2 },
    { x: [3, 5, 4], indices: [0, 4, 1, 2, 3, 3], idxShape: [3, 2], axis: 1, batchDims: 1 },
  ];
  for (const c of cases) {
    it(`x ${c.x}, indices ${c.idxShape} on axis ${c.axis}${c.batchDims ? ` batchDims ${c.batchDims}` : ''} equals cpu`, async () => {
      const n = tf.util.sizeFromShape(c.x);
      const attrs = { axis: c.axis, batchDims: c.batchDims ?? 0 };
      await sameOnBoth('GatherV2', { x: host(randomArray(rand, n), c.x), indices: host(Int32Array.from(c.indices), c.idxShape) }, attrs);
      await sameOnBoth('GatherV2', { x: host(ints(n), c.x), indices: host(Int32Array.from(c.indices), c.idxShape) }, attrs);
    });
  }

  it('an index out of range fails with the index and the range', () => {
    const x = tf.zeros([4, 2]);
    const indices = tf.tensor1d([1, 4], 'int32');
    assert.throws(() => tf.gather(x, indices), /GatherV2: the index value 4 is not in \[0, 3\]/);
    tf.dispose([x, indices]);
  });
});

describe('Sum over leading axes', () => {
  const rand = seeded(980);
  const cases: Array<{ shape: number[]; axis: number[]; keepDims?: boolean }> = [
    { shape: [32, 62, 62, 8], axis: [0, 1, 2] },
    { shape: [32, 62, 62, 8], axis: [2, 0, 1], keepDims: true },
    { shape: [300, 40], axis: [0] },
    { shape: [20, 30, 12], axis: [0, 1] },
    { shape: [20, 30, 12], axis: [1, 2] }, // innermost: wasm's own kernel
    { shape: [20, 30, 12], axis: [0, 2] }, // mixed: wasm's own kernel
    { shape: [10, 4], axis: [0] }, // small: wasm's own kernel
  ];
  for (const c of cases) {
    it(`${c.shape} over ${c.axis}${c.keepDims ? ' (keepDims)' : ''} equals cpu`, async () => {
      const inputs = { x: host(randomArray(rand, tf.util.sizeFromShape(c.shape)), c.shape) };
      await sameOnBoth('Sum', inputs, { axis: c.axis, keepDims: c.keepDims ?? false }, 1e-5);
    });
  }
});

describe('a buffer reached as matMul weights under two shapes', () => {
  it('Dense forward then its transposed-weights gradient (the same buffer as [K, 1] and [1, K]) equal cpu', async () => {
    const rand = seeded(990);
    const xv = randomArray(rand, 32 * 3000);
    const wv = randomArray(rand, 3000);
    const dyv = randomArray(rand, 32);
    const run = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      const out = tf.tidy(() => {
        const x = tf.tensor2d(xv, [32, 3000]);
        const w = tf.tensor2d(wv, [3000, 1]);
        const y = tf.matMul(x, w); // caches an operator for w's buffer as [3000, 1]
        const wShared = tf.clone(w); // Identity: the same buffer
        const dx = tf.matMul(tf.tensor2d(dyv, [32, 1]), wShared, false, true); // w as [1, 3000]
        const dxFused = tf.fused.matMul({ a: tf.tensor2d(dyv, [32, 1]), b: tf.reshape(wShared, [1, 3000]), bias: tf.zeros([3000]) });
        return [y, dx, dxFused].map((t) => Array.from(t.dataSync()));
      });
      await tf.setBackend('wasm');
      return out;
    };
    const [expected, actual] = [await run('cpu'), await run('wasm')];
    for (let i = 0; i < expected.length; i++) assertClose(actual[i], expected[i], 1e-4, `product ${i}`);
  });
});

describe('no leaks in the replaced kernels', () => {
  it('Identity, Cast, Slice, SplitV, GatherV2, Sum and the weights guard leave numTensors and buffers unchanged', () => {
    const x = tf.randomUniform([16, 20, 20, 4]);
    const table = tf.randomUniform([50, 8]);
    const ids = tf.tensor1d([3, 1, 49, 0], 'int32');
    const w = tf.randomUniform([400, 1]);
    const run = () =>
      tf.tidy(() => {
        tf.clone(x);
        tf.cast(x, 'float32');
        tf.cast(x, 'int32');
        tf.slice(x, [1, 2, 3, 0], [4, 5, 6, 4]);
        tf.split(tf.reshape(x, [16, 1600]), [1000, 600], 1);
        tf.gather(table, ids);
        tf.sum(x, [0, 1, 2]);
        tf.matMul(tf.ones([2, 400]), w);
        tf.matMul(tf.ones([2, 1]), w, false, true);
      });
    run();
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const before = { tensors: tf.memory().numTensors, ids: backend.numDataIds() };
    for (let i = 0; i < 3; i++) run();
    assert.equal(tf.memory().numTensors, before.tensors);
    assert.equal(backend.numDataIds(), before.ids);
    tf.dispose([x, table, ids, w]);
  });
});

describe('one-column products on the SIMD kernels', () => {
  const rand = seeded(1200);
  // Rank 3, as tfjs's fused matMul op hands them to the kernel.
  const cases: Array<{ a: number[]; b: number[]; bias?: number[]; activation?: string; ta?: boolean; tb?: boolean }> = [
    { a: [1, 32, 5000], b: [1, 5000, 1], bias: [1] }, // a one-unit Dense layer's logits
    { a: [1, 32, 5000], b: [1, 5000, 1] },
    { a: [1, 32, 5000], b: [1, 1, 5000], tb: true },
    { a: [1, 5000, 32], b: [1, 5000, 1], ta: true },
    { a: [1, 1, 700], b: [1, 700, 40], bias: [1] }, // one row, one bias value broadcast
    { a: [1, 32, 5000], b: [1, 5000, 1], bias: [1], activation: 'relu' }, // an activation: wasm's own kernel
    { a: [1, 32, 5000], b: [1, 5000, 2], bias: [2] }, // two columns: wasm's own kernel
  ];
  for (const c of cases) {
    it(`_FusedMatMul a ${c.a}${c.ta ? 'ᵀ' : ''} b ${c.b}${c.tb ? 'ᵀ' : ''} bias ${c.bias ?? 'none'} ${c.activation ?? 'linear'} equals cpu`, async () => {
      const inputs: Record<string, HostTensor> = {
        a: host(randomArray(rand, tf.util.sizeFromShape(c.a)), c.a),
        b: host(randomArray(rand, tf.util.sizeFromShape(c.b)), c.b),
      };
      if (c.bias) inputs.bias = host(randomArray(rand, tf.util.sizeFromShape(c.bias)), c.bias);
      const attrs = { transposeA: c.ta ?? false, transposeB: c.tb ?? false, activation: c.activation ?? 'linear', leakyreluAlpha: 0.2 };
      await sameOnBoth('_FusedMatMul', inputs, attrs, 1e-4);
    });
  }
});
