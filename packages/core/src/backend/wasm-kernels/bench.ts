/**
 * Micro-benchmark of the userland wasm training kernels (not a test).
 *
 *   cd packages/core && node --import tsx src/backend/wasm-kernels/bench.ts
 *
 * Times Conv2DBackpropFilter for x [32, 64, 64, 3], filter 3x3x3x32 (strides 1 and 2, 'same') on
 * wasm, plus the other registered kernels at typical training sizes, and prints ms per call.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

import { registerWasmTrainingKernels } from './index.js';

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
}

await main();
