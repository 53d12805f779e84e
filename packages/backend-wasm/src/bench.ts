/**
 * Micro-benchmark of the userland wasm training kernels (not a test).
 *
 *   cd packages/backend-wasm && node --import tsx src/bench.ts
 *
 * Times Conv2DBackpropFilter for x [32, 64, 64, 3], filter 3x3x3x32 (strides 1 and 2, 'same') on
 * wasm, plus the other registered kernels at typical training sizes (the seed model's and the image CNN
 * bench's), and prints ms per call.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

import { keptBatchMatMul, registerWasmTrainingKernels } from './training-kernels.js';
import { keptGatherV2 } from './gather-v2.js';
import { keptSlice } from './slice.js';
import { keptSum } from './sum.js';
import { keptFusedMatMul } from './fused-mat-mul.js';
import { keptMaxPoolGrad } from './max-pool-grad.js';
import { keptConv2D, keptFusedConv2D } from './conv2d.js';
import { keptAdd } from './add.js';

/** One call plus a dataSync (forces completion). The array is not returned from tidy: tidy would walk it. */
function callOnce(run: () => tf.Tensor): void {
  const out = run();
  out.dataSync();
  out.dispose();
}

function timeKernel(label: string, run: () => tf.Tensor, reps = 10): number {
  for (let i = 0; i < 2; i++) callOnce(run); // warm-up (XNNPACK setup, allocator)
  const before = tf.memory().numTensors;
  const start = performance.now();
  for (let i = 0; i < reps; i++) callOnce(run);
  const ms = (performance.now() - start) / reps;
  if (tf.memory().numTensors !== before) throw new Error(`${label}: tensors leaked`);
  console.log(`${label.padEnd(72)} ${ms.toFixed(2).padStart(8)} ms/call`);
  return ms;
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const registered = registerWasmTrainingKernels();
  console.log(`backend ${tf.getBackend()}, registered: ${registered.join(', ') || '(already registered)'}`);

  const x = tf.randomNormal([32, 64, 64, 3]);
  for (const stride of [1, 2]) {
    const out = Math.ceil(64 / stride);
    const dy = tf.randomNormal([32, out, out, 32]);
    timeKernel(`Conv2DBackpropFilter x[32,64,64,3] f[3,3,3,32] stride ${stride} same`, () =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: stride, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 32] }) as tf.Tensor,
    );
    dy.dispose();
  }

  const xd = tf.randomNormal([32, 32, 32, 32]);
  const dyd = tf.randomNormal([32, 32, 32, 32]);
  const fd = tf.randomNormal([3, 3, 32, 1]);
  timeKernel('DepthwiseConv2dNativeBackpropFilter x[32,32,32,32] f[3,3,32,1] s1 same', () =>
    tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: xd, dy: dyd }, { strides: 1, pad: 'same', dilations: 1, filterShape: [3, 3, 32, 1] }) as tf.Tensor,
  );
  timeKernel('DepthwiseConv2dNativeBackpropInput dy[32,32,32,32] f[3,3,32,1] s1 same', () =>
    tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: dyd, filter: fd }, { strides: 1, pad: 'same', dilations: 1, inputShape: [32, 32, 32, 32] }) as tf.Tensor,
  );

  const tokens = tf.randomNormal([3200, 64]);
  const ids = tf.randomUniform([3200], 0, 20000, 'int32');
  timeKernel('UnsortedSegmentSum x[3200,64] numSegments 20000 (embedding grad)', () =>
    tf.engine().runKernel('UnsortedSegmentSum', { x: tokens, segmentIds: ids }, { numSegments: 20000 }) as tf.Tensor,
  );
  tf.dispose([x, xd, dyd, fd, tokens, ids]);

  // Replaced kernels against the wasm kernels they replace (kept and callable), at the seed model's sizes.
  const backend = tf.backend();
  const both = (label: string, kernel: string, kept: tf.KernelConfig | undefined, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap) => {
    timeKernel(`${label} (Polymodal)`, () => tf.engine().runKernel(kernel, inputs, attrs) as tf.Tensor);
    timeKernel(`${label} (wasm's own)`, () => {
      const out = kept!.kernelFunc({ inputs, attrs, backend }) as tf.TensorInfo;
      return tf.engine().makeTensorFromTensorInfo(out);
    });
  };
  const act = tf.randomNormal([32, 62, 62, 32]);
  const feats = tf.randomNormal([32, 123040]);
  const column = tf.randomNormal([32, 1]);
  const w = tf.randomNormal([1, 123040, 1]);
  const table = tf.randomNormal([1000, 64]);
  const tokenIds = tf.randomUniform([3200], 0, 1000, 'int32');
  both('Sum dy[32,62,62,32] over 0,1,2 (conv bias gradient)', tf.Sum, keptSum.get(), { x: act }, { axis: [0, 1, 2], keepDims: false });
  both('GatherV2 [1000,64] by 3200 ids (embedding)', tf.GatherV2, keptGatherV2.get(), { x: table, indices: tokenIds }, { axis: 0, batchDims: 0 });
  both('Slice [32,123040] -> [32,123008]', tf.Slice, keptSlice.get(), { x: feats }, { begin: [0, 0], size: [32, 123008] });
  both('BatchMatMul x^T . dy, x [32,123040], dy [32,1] (Dense kernel gradient)', tf.BatchMatMul, keptBatchMatMul.get(),
    { a: feats, b: column }, { transposeA: true, transposeB: false });
  both('_FusedMatMul [1,32,123040] . [1,123040,1] (Dense logits)', tf._FusedMatMul, keptFusedMatMul.get(), { a: tf.reshape(feats, [1, 32, 123040]), b: w }, { transposeA: false, transposeB: false, activation: 'linear' });
  tf.dispose([act, feats, column, w, table, tokenIds]);

  // At the image CNN bench's sizes (bench/image-cnn: batch 64, 28x28x1). wasm's Conv2D and matMul here reuse one
  // filter / weights buffer, which XNNPACK packs once: in training both are new at every step.
  const image = tf.randomNormal([64, 28, 28, 1]);
  const filter = tf.randomNormal([3, 3, 1, 32]);
  const conv = tf.randomNormal([64, 28, 28, 32]);
  const pooled = tf.maxPool(conv as tf.Tensor4D, 2, 2, 'valid');
  const bias = tf.randomNormal([32]);
  const hidden = tf.randomNormal([64, 3136]);
  const dense = tf.randomNormal([3136, 128]);
  both('Conv2D x[64,28,28,1] f[3,3,1,32] same (first layer)', tf.Conv2D, keptConv2D.get(), { x: image, filter }, { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 });
  both('MaxPoolGrad x[64,28,28,32] 2x2 stride 2', tf.MaxPoolGrad, keptMaxPoolGrad.get(), { dy: pooled, input: conv, output: pooled }, { filterSize: 2, strides: 2, pad: 'valid' });
  both('Add [64,28,28,32] + [32] (bias)', tf.Add, keptAdd.get(), { a: conv, b: bias }, {});
  timeKernel('BatchMatMul [64,3136] . [3136,128], new weights per call (Polymodal)', () => tf.tidy(() => tf.matMul(hidden, tf.add(dense, 0))));
  timeKernel("BatchMatMul [64,3136] . [3136,128], new weights per call (wasm's own)", () => tf.tidy(() => {
    const weights = tf.add(dense, 0);
    return tf.engine().makeTensorFromTensorInfo(keptBatchMatMul.get()!.kernelFunc({ inputs: { a: hidden, b: weights }, attrs: { transposeA: false, transposeB: false }, backend }) as tf.TensorInfo);
  }));
  // The image CNN's second layer at inference (tfjs fuses bias and relu there): by Winograd against XNNPACK's
  // fused convolution, and the three unfused ops Winograd's Conv2D ran before FusedConv2D took Winograd.
  const pooledInput = tf.randomNormal([64, 14, 14, 32]);
  const secondFilter = tf.randomNormal([3, 3, 32, 64]);
  const secondBias = tf.randomNormal([64]);
  both('FusedConv2D x[64,14,14,32] f[3,3,32,64] same, bias, relu (second layer)', tf.FusedConv2D, keptFusedConv2D.get(),
    { x: pooledInput, filter: secondFilter, bias: secondBias }, { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1, activation: 'relu' });
  timeKernel('Conv2D + Add + Relu, the same layer (Polymodal)', () => tf.tidy(() => tf.relu(tf.add(tf.conv2d(pooledInput as tf.Tensor4D, secondFilter as tf.Tensor4D, 1, 'same'), secondBias))));
  tf.dispose([image, filter, conv, pooled, bias, hidden, dense, pooledInput, secondFilter, secondBias]);
}

await main();
