import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import * as tf from '@tensorflow/tfjs';

import {
  batchMatMul,
  keptBatchMatMul,
  conv2dBackpropInput,
  keptConv2dBackpropInput,
  conv2dBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  registerWasmTrainingKernels,
  unsortedSegmentSumConfig,
} from './training-kernels.js';
import { assertClose, host, randomArray, runKernelOn, seeded, setUpWasm } from './test-fixtures/helpers.js';

const EXPECTED = [
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'UnsortedSegmentSum',
];

/** Kernels wasm has, replaced by faster ones that keep wasm's config as fallback / callee. */
const REPLACED = ['Add', 'BatchMatMul', 'Cast', 'Conv2D', 'Conv2DBackpropInput', 'FusedConv2D', 'GatherV2', 'Identity', 'MaxPoolGrad', 'Slice', 'SplitV', 'Sum', '_FusedMatMul'];

let firstRegistration: string[] = [];
const missingBefore: string[] = [];
const originals: Record<string, tf.KernelConfig | undefined> = {};

before(async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  for (const name of EXPECTED) if (tf.getKernel(name, 'wasm') == null) missingBefore.push(name);
  for (const name of [...REPLACED, 'MaxPool']) originals[name] = tf.getKernel(name, 'wasm');
  firstRegistration = await setUpWasm();
});

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

/** Output spatial size of a forward conv, used to shape dy. */
function outShape(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: number,
  pad: Pad,
  depthwise: boolean,
  dataFormat: 'NHWC' | 'NCHW' = 'NHWC',
  dilations: number = 1,
): number[] {
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    strides,
    dilations,
    pad,
    undefined,
    depthwise,
    dataFormat === 'NHWC' ? 'channelsLast' : 'channelsFirst',
  );
  return info.outShape;
}

describe('registerWasmTrainingKernels', () => {
  it('registers exactly the kernels wasm lacks, and nothing on a second call', () => {
    assert.deepEqual([...missingBefore].sort(), EXPECTED, 'tfjs-backend-wasm 4.22 should lack these kernels');
    assert.deepEqual([...firstRegistration].sort(), [...EXPECTED, ...REPLACED].sort());
    assert.deepEqual(registerWasmTrainingKernels(), []);
    assert.deepEqual(registerWasmTrainingKernels(), []);
    assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc, conv2dBackpropFilterConfig.kernelFunc);
    assert.equal(
      tf.getKernel('DepthwiseConv2dNativeBackpropFilter', 'wasm')?.kernelFunc,
      depthwiseConv2dNativeBackpropFilterConfig.kernelFunc,
    );
    assert.equal(
      tf.getKernel('DepthwiseConv2dNativeBackpropInput', 'wasm')?.kernelFunc,
      depthwiseConv2dNativeBackpropInputConfig.kernelFunc,
    );
    assert.equal(tf.getKernel('UnsortedSegmentSum', 'wasm')?.kernelFunc, unsortedSegmentSumConfig.kernelFunc);
    // The two replaced kernels: ours registered, wasm's own config kept (setupFunc included) as fallback.
    for (const name of REPLACED) assert.ok(originals[name] != null, `tfjs-backend-wasm 4.22 should have ${name}`);
    const convInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
    assert.equal(convInput?.kernelFunc, conv2dBackpropInput);
    assert.equal(keptConv2dBackpropInput.get(), originals.Conv2DBackpropInput);
    assert.equal(convInput?.setupFunc, originals.Conv2DBackpropInput?.setupFunc);
    const bmm = tf.getKernel('BatchMatMul', 'wasm');
    assert.equal(bmm?.kernelFunc, batchMatMul);
    assert.equal(keptBatchMatMul.get(), originals.BatchMatMul);
    assert.equal(bmm?.setupFunc, originals.BatchMatMul?.setupFunc);
    // Kernels the wasm backend has natively and that are not replaced stay untouched.
    assert.equal(tf.getKernel('MaxPool', 'wasm')?.kernelFunc, originals.MaxPool?.kernelFunc);
    assert.notEqual(tf.getKernel('MaxPool', 'wasm')?.kernelFunc, undefined);
    assert.equal(tf.getKernel('Conv2D', 'cpu')?.backendName, 'cpu');
  });
});

describe('Conv2DBackpropFilter on wasm matches cpu', () => {
  const cases: Array<{ x: [number, number, number, number]; f: [number, number, number, number]; s: number; pad: Pad; fmt?: 'NHWC' | 'NCHW' }> = [
    { x: [2, 7, 7, 3], f: [3, 3, 3, 4], s: 1, pad: 'same' },
    { x: [2, 7, 7, 3], f: [3, 3, 3, 4], s: 1, pad: 'valid' },
    { x: [3, 9, 8, 2], f: [3, 3, 2, 5], s: 2, pad: 'same' },
    { x: [3, 9, 8, 2], f: [3, 3, 2, 5], s: 2, pad: 'valid' },
    { x: [2, 8, 8, 4], f: [3, 3, 4, 3], s: 2, pad: 'same' },
    { x: [1, 11, 5, 3], f: [5, 2, 3, 2], s: 2, pad: 'valid' },
    { x: [2, 6, 6, 3], f: [1, 1, 3, 4], s: 1, pad: 'valid' },
    { x: [2, 1, 9, 3], f: [1, 3, 3, 4], s: 2, pad: 'same' }, // Conv1D as Conv2D
    { x: [2, 7, 6, 3], f: [3, 3, 3, 2], s: 2, pad: 1 },
    { x: [2, 7, 6, 3], f: [3, 3, 3, 2], s: 1, pad: [[0, 0], [2, 0], [1, 2], [0, 0]] },
    { x: [2, 3, 7, 7], f: [3, 3, 3, 4], s: 2, pad: 'same', fmt: 'NCHW' },
    // More than one chunk of 4096 patch columns, chunk edges inside an image.
    { x: [3, 40, 40, 2], f: [3, 3, 2, 4], s: 1, pad: 'valid' },
    { x: [5, 41, 40, 2], f: [3, 3, 2, 3], s: 1, pad: 'same' },
    { x: [9, 45, 44, 1], f: [5, 3, 1, 2], s: 2, pad: 'same' },
    // The SIMD kernel's vector paths: blocks of 16 output channels (plus a remainder), input channels in pairs (plus an odd one).
    { x: [2, 9, 9, 5], f: [3, 3, 5, 20], s: 1, pad: 'same' },
    { x: [3, 8, 7, 4], f: [3, 3, 4, 32], s: 2, pad: 'valid' },
    { x: [2, 6, 6, 1], f: [3, 3, 1, 16], s: 1, pad: 'same' },
    { x: [2, 7, 9, 3], f: [2, 3, 3, 17], s: 2, pad: 'same' },
  ];
  for (const [i, c] of cases.entries()) {
    it(`x ${c.x} filter ${c.f} stride ${c.s} pad ${JSON.stringify(c.pad)} ${c.fmt ?? 'NHWC'}`, async () => {
      const rand = seeded(100 + i);
      const fmt = c.fmt ?? 'NHWC';
      const dyShape = outShape(c.x, c.f, c.s, c.pad, false, fmt);
      const inputs = {
        x: host(randomArray(rand, tf.util.sizeFromShape(c.x)), c.x),
        dy: host(randomArray(rand, tf.util.sizeFromShape(dyShape)), dyShape),
      };
      const attrs = { strides: c.s, pad: c.pad, dataFormat: fmt, filterShape: c.f };
      const expected = await runKernelOn('cpu', 'Conv2DBackpropFilter', inputs, attrs);
      const actual = await runKernelOn('wasm', 'Conv2DBackpropFilter', inputs, attrs);
      assert.deepEqual(actual.shape, c.f);
      assertClose(actual.values, expected.values, 1e-4, 'dW');
    });
  }
});

describe('DepthwiseConv2dNative backprop kernels on wasm match cpu', () => {
  const cases: Array<{ x: [number, number, number, number]; f: [number, number, number, number]; s: number; pad: Pad; d?: number }> = [
    { x: [2, 7, 7, 3], f: [3, 3, 3, 1], s: 1, pad: 'same' },
    { x: [2, 7, 7, 3], f: [3, 3, 3, 1], s: 1, pad: 'valid' },
    { x: [3, 9, 8, 2], f: [3, 3, 2, 1], s: 2, pad: 'same' },
    { x: [3, 9, 8, 2], f: [3, 3, 2, 1], s: 2, pad: 'valid' },
    { x: [2, 8, 8, 4], f: [3, 3, 4, 2], s: 2, pad: 'same' },
    { x: [2, 7, 5, 3], f: [5, 2, 3, 3], s: 1, pad: 'valid' },
    { x: [1, 10, 10, 2], f: [4, 4, 2, 1], s: 2, pad: 'same' },
    { x: [2, 7, 6, 3], f: [3, 3, 3, 2], s: 2, pad: 1 },
  ];
  for (const [i, c] of cases.entries()) {
    it(`x ${c.x} filter ${c.f} stride ${c.s} pad ${c.pad}${c.d ? ` dilation ${c.d}` : ''}`, async () => {
      const rand = seeded(200 + i);
      const dyShape = outShape(c.x, c.f, c.s, c.pad, true, 'NHWC', c.d ?? 1);
      const x = host(randomArray(rand, tf.util.sizeFromShape(c.x)), c.x);
      const filter = host(randomArray(rand, tf.util.sizeFromShape(c.f)), c.f);
      const dy = host(randomArray(rand, tf.util.sizeFromShape(dyShape)), dyShape);
      const common = { strides: c.s, pad: c.pad, dilations: c.d ?? 1 };

      const fAttrs = { ...common, filterShape: c.f };
      const dwCpu = await runKernelOn('cpu', 'DepthwiseConv2dNativeBackpropFilter', { x, dy }, fAttrs);
      const dwWasm = await runKernelOn('wasm', 'DepthwiseConv2dNativeBackpropFilter', { x, dy }, fAttrs);
      assert.deepEqual(dwWasm.shape, c.f);
      assertClose(dwWasm.values, dwCpu.values, 1e-4, 'dFilter');

      const iAttrs = { ...common, inputShape: c.x };
      const dxCpu = await runKernelOn('cpu', 'DepthwiseConv2dNativeBackpropInput', { dy, filter }, iAttrs);
      const dxWasm = await runKernelOn('wasm', 'DepthwiseConv2dNativeBackpropInput', { dy, filter }, iAttrs);
      assert.deepEqual(dxWasm.shape, c.x);
      assertClose(dxWasm.values, dxCpu.values, 1e-4, 'dx');
    });
  }
});

describe('DepthwiseConv2dNative backprop kernels with dilation', () => {
  // The cpu kernels ignore dilations (tfjs never asks for dilated gradients), so the reference is
  // the equivalent undilated problem on cpu: a filter with d-1 zeros inserted between taps.
  for (const c of [
    { x: [2, 9, 9, 2] as [number, number, number, number], k: 3, m: 1, pad: 'same' as const, d: 2 },
    { x: [1, 11, 10, 3] as [number, number, number, number], k: 2, m: 2, pad: 'valid' as const, d: 3 },
  ]) {
    it(`x ${c.x} kernel ${c.k} multiplier ${c.m} pad ${c.pad} dilation ${c.d}`, async () => {
      const rand = seeded(250 + c.d);
      const ch = c.x[3];
      const f: [number, number, number, number] = [c.k, c.k, ch, c.m];
      const ke = (c.k - 1) * c.d + 1;
      const fe: [number, number, number, number] = [ke, ke, ch, c.m];
      const dyShape = outShape(c.x, f, 1, c.pad, true, 'NHWC', c.d);
      const x = host(randomArray(rand, tf.util.sizeFromShape(c.x)), c.x);
      const filter = host(randomArray(rand, tf.util.sizeFromShape(f)), f);
      const dilated = new Float32Array(tf.util.sizeFromShape(fe));
      const inner = ch * c.m;
      for (let i = 0; i < c.k; i++)
        for (let j = 0; j < c.k; j++)
          for (let q = 0; q < inner; q++) dilated[(i * c.d * ke + j * c.d) * inner + q] = filter.values[(i * c.k + j) * inner + q];
      const dy = host(randomArray(rand, tf.util.sizeFromShape(dyShape)), dyShape);

      const dwWasm = await runKernelOn('wasm', 'DepthwiseConv2dNativeBackpropFilter', { x, dy }, { strides: 1, pad: c.pad, dilations: c.d, filterShape: f });
      const dwCpu = await runKernelOn('cpu', 'DepthwiseConv2dNativeBackpropFilter', { x, dy }, { strides: 1, pad: c.pad, dilations: 1, filterShape: fe });
      const picked: number[] = [];
      for (let i = 0; i < c.k; i++)
        for (let j = 0; j < c.k; j++)
          for (let q = 0; q < inner; q++) picked.push(dwCpu.values[(i * c.d * ke + j * c.d) * inner + q]);
      assertClose(dwWasm.values, picked, 1e-4, 'dFilter');

      const dxWasm = await runKernelOn('wasm', 'DepthwiseConv2dNativeBackpropInput', { dy, filter }, { strides: 1, pad: c.pad, dilations: c.d, inputShape: c.x });
      const dxCpu = await runKernelOn('cpu', 'DepthwiseConv2dNativeBackpropInput', { dy, filter: host(dilated, fe) }, { strides: 1, pad: c.pad, dilations: 1, inputShape: c.x });
      assertClose(dxWasm.values, dxCpu.values, 1e-4, 'dx');
    });
  }
});

describe('UnsortedSegmentSum on wasm', () => {
  it('matches cpu for float data with repeated ids and 2-D rows', async () => {
    const rand = seeded(300);
    const ids = new Int32Array(40).map(() => Math.floor(rand() * 7));
    const x = host(randomArray(rand, 40 * 6), [40, 6]);
    const attrs = { numSegments: 9 }; // segments 7 and 8 stay empty
    const inputs = { x, segmentIds: host(ids, [40]) };
    const expected = await runKernelOn('cpu', 'UnsortedSegmentSum', inputs, attrs);
    const actual = await runKernelOn('wasm', 'UnsortedSegmentSum', inputs, attrs);
    assert.deepEqual(actual.shape, [9, 6]);
    assertClose(actual.values, expected.values, 1e-5, 'sum');
  });

  it('matches cpu for rank-2 ids, rank-4 data, int32 data and out-of-range ids', async () => {
    const rand = seeded(301);
    const ids = new Int32Array(12).map(() => Math.floor(rand() * 5));
    ids[3] = -1;
    ids[7] = 5; // == numSegments: dropped
    const xf = host(randomArray(rand, 12 * 6), [3, 4, 2, 3]);
    const attrs = { numSegments: 5 };
    // The cpu kernel only takes 1-D ids; the same sum with ids and rows flattened is the reference.
    const fCpu = await runKernelOn('cpu', 'UnsortedSegmentSum', { x: host(xf.values, [12, 2, 3]), segmentIds: host(ids, [12]) }, attrs);
    const fWasm = await runKernelOn('wasm', 'UnsortedSegmentSum', { x: xf, segmentIds: host(ids, [3, 4]) }, attrs);
    assert.deepEqual(fWasm.shape, [5, 2, 3]);
    assertClose(fWasm.values, fCpu.values, 1e-5, 'rank-4 float');

    const xi = host(new Int32Array(12).map(() => Math.floor(rand() * 100) - 50), [12]);
    const i = { x: xi, segmentIds: host(ids, [12]) };
    const iCpu = await runKernelOn('cpu', 'UnsortedSegmentSum', i, attrs);
    const iWasm = await runKernelOn('wasm', 'UnsortedSegmentSum', i, attrs);
    assert.equal(iWasm.dtype, 'int32');
    assert.deepEqual(Array.from(iWasm.values), Array.from(iCpu.values));
  });

  it('handles an embedding-sized gradient (vocab 20000, 3200 tokens x 32) exactly', async () => {
    const rand = seeded(302);
    const n = 3200;
    const d = 32;
    const vocab = 20000;
    const ids = new Int32Array(n).map(() => Math.floor(rand() * rand() * vocab)); // skewed: many repeats
    const data = randomArray(rand, n * d);
    const expected = new Float64Array(vocab * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) expected[ids[i] * d + j] += data[i * d + j];
    const start = performance.now();
    const actual = await runKernelOn('wasm', 'UnsortedSegmentSum', { x: host(data, [n, d]), segmentIds: host(ids, [n]) }, { numSegments: vocab });
    const ms = performance.now() - start;
    assert.deepEqual(actual.shape, [vocab, d]);
    assertClose(actual.values, expected, 1e-5, 'embedding grad');
    assert.ok(ms < 2000, `took ${ms.toFixed(0)} ms`);
  });
});

describe('Conv2DBackpropInput on wasm (replacement) matches cpu', () => {
  type Case = {
    x: [number, number, number, number];
    f: [number, number, number, number];
    s: number | [number, number];
    pad: Pad;
    fmt?: 'NHWC' | 'NCHW';
    round?: 'floor' | 'round' | 'ceil';
  };
  const cases: Case[] = [
    { x: [2, 7, 7, 3], f: [3, 3, 3, 4], s: 1, pad: 'same' },
    { x: [2, 7, 7, 3], f: [3, 3, 3, 4], s: 1, pad: 'valid' },
    { x: [3, 9, 8, 2], f: [3, 3, 2, 5], s: 2, pad: 'same' },
    { x: [3, 9, 8, 2], f: [3, 3, 2, 5], s: 2, pad: 'valid' },
    { x: [2, 8, 8, 4], f: [3, 3, 4, 3], s: 2, pad: 'same' },
    { x: [1, 11, 5, 3], f: [5, 2, 3, 2], s: 2, pad: 'valid' },
    { x: [2, 10, 11, 3], f: [3, 3, 3, 2], s: 3, pad: 'same' },
    { x: [2, 10, 11, 3], f: [2, 2, 3, 2], s: 3, pad: 'valid' }, // stride > kernel: rows no window touches
    { x: [2, 9, 7, 3], f: [3, 3, 3, 2], s: [2, 1], pad: 'same' },
    { x: [2, 6, 6, 3], f: [1, 1, 3, 4], s: 1, pad: 'valid' },
    { x: [2, 1, 9, 3], f: [1, 3, 3, 4], s: 2, pad: 'same' }, // Conv1D as Conv2D
    { x: [2, 7, 6, 3], f: [3, 3, 3, 2], s: 2, pad: 1 },
    { x: [2, 8, 7, 3], f: [3, 3, 3, 2], s: 2, pad: 1, round: 'floor' },
    { x: [2, 8, 7, 3], f: [3, 3, 3, 2], s: 2, pad: 1, round: 'ceil' },
    { x: [2, 8, 7, 3], f: [3, 3, 3, 2], s: 2, pad: 1, round: 'round' },
    { x: [2, 7, 6, 3], f: [3, 3, 3, 2], s: 1, pad: [[0, 0], [2, 0], [1, 2], [0, 0]] },
    { x: [2, 7, 6, 3], f: [3, 3, 3, 2], s: 2, pad: [[0, 0], [0, 3], [2, 1], [0, 0]] },
    { x: [2, 3, 7, 7], f: [3, 3, 3, 4], s: 1, pad: 'valid', fmt: 'NCHW' },
    { x: [2, 3, 7, 7], f: [3, 3, 3, 4], s: 2, pad: 'same', fmt: 'NCHW' },
    { x: [2, 3, 9, 8], f: [3, 3, 3, 2], s: 2, pad: [[0, 0], [0, 0], [1, 0], [2, 1]], fmt: 'NCHW' },
  ];
  for (const [i, c] of cases.entries()) {
    const label = `x ${c.x} filter ${c.f} stride ${c.s} pad ${JSON.stringify(c.pad)} ${c.fmt ?? 'NHWC'}${c.round ? ` ${c.round}` : ''}`;
    it(label, async () => {
      const rand = seeded(600 + i);
      const fmt = c.fmt ?? 'NHWC';
      const info = tf.backend_util.computeConv2DInfo(c.x, c.f, c.s, 1, c.pad, c.round, false, fmt === 'NHWC' ? 'channelsLast' : 'channelsFirst');
      const dyShape = info.outShape;
      const inputs = {
        dy: host(randomArray(rand, tf.util.sizeFromShape(dyShape)), dyShape),
        filter: host(randomArray(rand, tf.util.sizeFromShape(c.f)), c.f),
      };
      const attrs = { strides: c.s, pad: c.pad, dataFormat: fmt, dimRoundingMode: c.round, inputShape: c.x };
      const expected = await runKernelOn('cpu', 'Conv2DBackpropInput', inputs, attrs);
      const actual = await runKernelOn('wasm', 'Conv2DBackpropInput', inputs, attrs);
      assert.deepEqual(actual.shape, c.x);
      assertClose(actual.values, expected.values, 1e-4, 'dx');
    });
  }

  it('hands dilations > 1 to the kept wasm kernel', async () => {
    const kept = keptConv2dBackpropInput.get();
    assert.ok(kept != null);
    let calls = 0;
    keptConv2dBackpropInput.set({ ...kept, kernelFunc: (args) => (calls++, kept.kernelFunc(args)) });
    try {
      const rand = seeded(650);
      const x: [number, number, number, number] = [2, 6, 6, 3];
      const f: [number, number, number, number] = [3, 3, 3, 2];
      const dyShape = outShape(x, f, 1, 'same', false);
      const inputs = {
        dy: host(randomArray(rand, tf.util.sizeFromShape(dyShape)), dyShape),
        filter: host(randomArray(rand, tf.util.sizeFromShape(f)), f),
      };
      const base = { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: x };
      await runKernelOn('wasm', 'Conv2DBackpropInput', inputs, base);
      assert.equal(calls, 0, 'the composed path handles dilation 1');
      const viaKept = await runKernelOn('wasm', 'Conv2DBackpropInput', inputs, { ...base, dilations: 2 });
      assert.equal(calls, 1, 'dilations 2 goes to the kept kernel');
      const expected = await runKernelOn('cpu', 'Conv2DBackpropInput', inputs, base); // both ignore the attribute
      assertClose(viaKept.values, expected.values, 1e-4, 'dx via kept kernel');
    } finally {
      keptConv2dBackpropInput.set(kept);
    }
  });
});

describe('BatchMatMul on wasm (transpose wrapper) matches cpu', () => {
  // [a shape (untransposed), b shape (untransposed)]; sizes cover the direct path (small), the
  // explicit-transpose path (ratio >= 8), the reshape path (a unit dimension) and the tall Dense case.
  const shapes: Array<{ a: number[]; b: number[]; what: string }> = [
    { a: [3, 4], b: [4, 5], what: 'small, unbatched' },
    { a: [40, 48], b: [48, 36], what: 'unbatched' },
    { a: [3, 24, 40], b: [3, 40, 20], what: 'batched' },
    { a: [4, 24, 32], b: [1, 32, 16], what: 'batch broadcast 4 vs 1' },
    { a: [2, 3, 16, 24], b: [24, 20], what: 'rank 4 against rank 2' },
    { a: [1, 24, 32], b: [2, 32, 16], what: 'batch broadcast 1 vs 2' },
    { a: [32, 1], b: [1, 4000], what: 'K = 1 (Dense dx)' },
    { a: [4000, 32], b: [32, 1], what: 'N = 1 (Dense dW)' },
    { a: [1, 64], b: [64, 3000], what: 'M = 1' },
  ];
  for (const [i, c] of shapes.entries()) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      it(`${c.what}: a ${c.a} b ${c.b} transposeA ${ta} transposeB ${tb}`, async () => {
        const rand = seeded(700 + i);
        const swap = (s: number[]) => [...s.slice(0, -2), s[s.length - 1], s[s.length - 2]];
        const aShape = ta ? swap(c.a) : c.a;
        const bShape = tb ? swap(c.b) : c.b;
        const inputs = {
          a: host(randomArray(rand, tf.util.sizeFromShape(aShape)), aShape),
          b: host(randomArray(rand, tf.util.sizeFromShape(bShape)), bShape),
        };
        const attrs = { transposeA: ta, transposeB: tb };
        const expected = await runKernelOn('cpu', 'BatchMatMul', inputs, attrs);
        const actual = await runKernelOn('wasm', 'BatchMatMul', inputs, attrs);
        assert.deepEqual(actual.shape, expected.shape);
        assertClose(actual.values, expected.values, 1e-4, 'product');
      });
    }
  }
});

describe('no tensor leaks', () => {
  it('repeated kernel calls leave numTensors, numBytes and backend buffers unchanged', () => {
    const rand = seeded(400);
    const x = tf.tensor(randomArray(rand, 2 * 8 * 8 * 3), [2, 8, 8, 3]) as tf.Tensor4D;
    const dy = tf.tensor(randomArray(rand, 2 * 4 * 4 * 4), [2, 4, 4, 4]) as tf.Tensor4D;
    const dyDw = tf.tensor(randomArray(rand, 2 * 4 * 4 * 6), [2, 4, 4, 6]) as tf.Tensor4D;
    const dwFilter = tf.tensor(randomArray(rand, 3 * 3 * 3 * 2), [3, 3, 3, 2]) as tf.Tensor4D;
    const data = tf.tensor(randomArray(rand, 10 * 4), [10, 4]);
    const ids = tf.tensor1d([0, 2, 2, 9, 1, -1, 4, 4, 0, 3], 'int32');
    const convFilter = tf.tensor(randomArray(rand, 3 * 3 * 3 * 4), [3, 3, 3, 4]) as tf.Tensor4D;
    const dyNchw = tf.tensor(randomArray(rand, 2 * 4 * 4 * 4), [2, 4, 4, 4]) as tf.Tensor4D;
    const ma = tf.tensor(randomArray(rand, 2 * 40 * 48), [2, 40, 48]);
    const mb = tf.tensor(randomArray(rand, 48 * 36), [48, 36]);
    const mTall = tf.tensor(randomArray(rand, 4000 * 32), [32, 4000]);
    const mCol = tf.tensor(randomArray(rand, 32), [32, 1]);
    const calls = (): tf.Tensor[] => [
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] }) as tf.Tensor,
      tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy: dyDw }, { strides: 2, pad: 'same', dilations: 1, filterShape: [3, 3, 3, 2] }) as tf.Tensor,
      tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: dyDw, filter: dwFilter }, { strides: 2, pad: 'same', dilations: 1, inputShape: [2, 8, 8, 3] }) as tf.Tensor,
      tf.engine().runKernel('UnsortedSegmentSum', { x: data, segmentIds: ids }, { numSegments: 6 }) as tf.Tensor,
      tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: convFilter }, { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: [2, 8, 8, 3] }) as tf.Tensor,
      tf.engine().runKernel('Conv2DBackpropInput', { dy: dyNchw, filter: convFilter }, { strides: 2, pad: 'same', dataFormat: 'NCHW', inputShape: [2, 3, 8, 8] }) as tf.Tensor,
      tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: convFilter }, { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: [2, 8, 8, 3], dilations: 2 }) as tf.Tensor,
      tf.engine().runKernel('BatchMatMul', { a: mb, b: ma }, { transposeA: true, transposeB: true }) as tf.Tensor,
      tf.engine().runKernel('BatchMatMul', { a: ma, b: mb }, { transposeA: false, transposeB: false }) as tf.Tensor,
      tf.engine().runKernel('BatchMatMul', { a: mTall, b: mCol }, { transposeA: true, transposeB: false }) as tf.Tensor,
      tf.engine().runKernel('BatchMatMul', { a: mCol, b: mCol }, { transposeA: false, transposeB: true }) as tf.Tensor,
    ];
    // IS_TEST makes the engine verify, after every kernel, that the backend holds no data ids
    // besides the outputs (Engine.checkKernelForMemLeak).
    const wasTest = tf.env().getBool('IS_TEST');
    tf.env().set('IS_TEST', true);
    try {
      tf.dispose(calls()); // warm-up
    } finally {
      tf.env().set('IS_TEST', wasTest);
    }
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const before = { ...tf.memory(), dataIds: backend.numDataIds() };
    for (let i = 0; i < 5; i++) {
      const outs = calls();
      assert.equal(tf.memory().numTensors, before.numTensors + outs.length, 'only the outputs are alive');
      tf.dispose(outs);
    }
    const after = { ...tf.memory(), dataIds: backend.numDataIds() };
    assert.equal(after.numTensors, before.numTensors);
    assert.equal(after.numBytes, before.numBytes);
    assert.equal(after.dataIds, before.dataIds);
    tf.dispose([x, dy, dyDw, dwFilter, data, ids, convFilter, dyNchw, ma, mb, mTall, mCol]);
  });
});

describe('Conv2DBackpropFilter without the SIMD kernels', () => {
  it('falls back to one XNNPACK convolution with the batch as channels (same values)', async () => {
    const rand = seeded(1300);
    const x: [number, number, number, number] = [3, 9, 8, 2];
    const f: [number, number, number, number] = [3, 3, 2, 5];
    const attrs = { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: f };
    const dyShape = outShape(x, f, 2, 'same', false);
    const inputs = {
      x: host(randomArray(rand, tf.util.sizeFromShape(x)), x),
      dy: host(randomArray(rand, tf.util.sizeFromShape(dyShape)), dyShape),
    };
    const expected = await runKernelOn('cpu', 'Conv2DBackpropFilter', inputs, attrs);
    const tensors = { x: tf.tensor(inputs.x.values, x), dy: tf.tensor(inputs.dy.values, dyShape) };
    // A backend object without the wasm heap: the SIMD kernels are unavailable to the kernel.
    const out = conv2dBackpropFilterConfig.kernelFunc({ inputs: tensors, attrs, backend: {} } as never) as tf.Tensor;
    assert.ok(out instanceof tf.Tensor);
    assertClose(out.dataSync(), expected.values, 1e-4, 'dW');
    tf.dispose([out, tensors.x, tensors.dy]);
  });
});
