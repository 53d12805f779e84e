/**
 * Training kernels missing from @tensorflow/tfjs-backend-wasm 4.22, composed from kernels the wasm
 * backend implements natively so gradients run at wasm speed (never delegated to the cpu backend).
 *
 * Missing in tfjs-backend-wasm 4.22 and needed for training (found by diffing the kernel registry
 * against the cpu backend and by computing gradients of common layers on wasm):
 *   - Conv2DBackpropFilter                 Conv1D, Conv2D, SeparableConv2D (pointwise) filter grads
 *                                          (Polymodal's SIMD kernel, simd/: ~10-15 ms for x [32,64,64,3])
 *   - DepthwiseConv2dNativeBackpropFilter  DepthwiseConv2D / SeparableConv2D depthwise filter grads
 *   - DepthwiseConv2dNativeBackpropInput   input grad of a depthwise conv that is not the first layer
 *   - UnsortedSegmentSum                   gradient of Gather, i.e. of every Embedding layer
 *
 * Kernels wasm does have are REPLACED where wasm's own ones are slow where training needs them (the
 * replaced config is kept and called for the cases the replacement does not handle). Figures: seed
 * model sizes (batch 32, 64x64x3 images, 123,040 features into a one-unit Dense), wasm, 2 cores:
 *   - Conv2DBackpropInput   a flipped-filter XNNPACK convolution on the stride-spread dy instead of
 *                           wasm's naive loop (~5x: 229 -> 44 ms for dy [32,62,62,32], 3x3x3x32);
 *                           fallback: wasm's kernel (non-float32, dilations > 1)
 *   - BatchMatMul           one-column / one-row products and outer products (inner dimension 1) on
 *                           Polymodal's SIMD kernels (simd/, vector-products.ts: 7.7 -> ~0.5-1 ms for a
 *                           Dense kernel gradient, 11.8 -> ~1 ms for its input gradient); a^T . b on
 *                           the SIMD GEMM reading a in place (gemm-product.ts); otherwise an
 *                           operand transposed explicitly when transposeA / transposeB is set and it
 *                           pays, then unbatched products whose b is new on Polymodal's SIMD GEMM
 *                           (gemm-product.ts: XNNPACK packs b first; x [64, 3136] . W [3136, 128]
 *                           ~6 -> ~1.8 ms CPU), the rest on wasm's GEMM; weights guard (below)
 *   - _FusedMatMul          one-column products without activation on the SIMD kernels (5 -> 1.5 ms);
 *                           weights guard
 *   - Identity, Cast        to the same dtype: share the input's buffer instead of copying it
 *   - Slice, SplitV         copy runs straight from the heap (wasm's copy the whole input out first:
 *                           20 -> 2 ms to split a concatenation's gradient [32, 123040])
 *   - GatherV2              whole-slice copies (wasm's costs ~50 ns an element: 10 -> 0.7 ms for an
 *                           Embedding lookup of 3,200 tokens, ~20 ms per batch selected by model.fit)
 *   - Sum                   over leading axes as one XNNPACK average pooling (23 -> 1.5 ms for a conv
 *                           bias gradient)
 *   - MaxPoolGrad           each window's argmax found once, on the SIMD kernels (~33 -> ~1.5 ms CPU
 *                           for x [64, 28, 28, 32], 2x2 stride 2)
 *   - Conv2D                first layers on images (1-4 input channels, output channels a multiple of
 *                           16) on the SIMD kernels, filter read in place (conv2d.ts: ~3 -> ~1.3 ms CPU
 *                           for x [64, 28, 28, 1], 3x3x1x32; ~8.3 -> ~6.8 ms for the seed model's); 3x3
 *                           stride-1 layers by Winograd F(2x2, 3x3) (~16 -> ~9.7 ms CPU for x [64, 14, 14,
 *                           32], 3x3x32x64, and as much for the Conv2DBackpropInput built on it)
 *   - FusedConv2D           the same first layers outside training (or linear in training), with the
 *                           bias and relu applied as the kernel stores (~9.3 -> ~6 ms for the seed model's)
 *   - Add                   a bias vector along the last axis on the SIMD kernels (add.ts: ~1.2 ->
 *                           ~0.5 ms CPU for [64, 28, 28, 32] + [32])
 * Figures marked CPU: process CPU time per call on this project's loaded 2-core machine (load 3-20), fresh
 * operands per call as in training; compare them with each other, not with the older wall-clock ones.
 * The weights guard (xnn-weights-guard.ts) gives wasm's matMul a fresh copy of b when b's buffer was
 * packed by XNNPACK under another shape, which wasm's operator cache (keyed by buffer id) would reuse.
 *
 * The wasm backend's own kernels must be registered first, so that kernels the installed wasm backend already
 * provides are detected and left alone (and the ones replaced exist to be kept as fallbacks): hence the import.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { batchMatMul, keptBatchMatMul } from './batch-mat-mul.js';
import { conv2dBackpropInput, keptConv2dBackpropInput } from './conv2d-backprop-input.js';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwise-conv2d-native-backprop-filter.js';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwise-conv2d-native-backprop-input.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';
import { gatherV2, keptGatherV2 } from './gather-v2.js';
import { cast, identity, keptCast, keptIdentity } from './identity.js';
import { keptSlice, keptSplitV, slice, splitV } from './slice.js';
import { keptSum, sum } from './sum.js';
import { fusedMatMul, keptFusedMatMul } from './fused-mat-mul.js';
import { keptMaxPoolGrad, maxPoolGrad } from './max-pool-grad.js';
import { conv2d, fusedConv2d, keptConv2D, keptFusedConv2D } from './conv2d.js';
import { add, keptAdd } from './add.js';
import type { KeptKernel } from './kept-kernel.js';

export const wasmTrainingKernelConfigs: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  unsortedSegmentSumConfig,
];

/** A wasm kernel replaced by a faster one, and where the replaced config (its fallback / callee) is kept. */
interface KernelReplacement {
  kernelFunc: (args: never) => tf.TensorInfo | tf.TensorInfo[];
  kept: KeptKernel;
}

export const wasmReplacedKernels: readonly KernelReplacement[] = [
  { kernelFunc: conv2dBackpropInput, kept: keptConv2dBackpropInput },
  { kernelFunc: batchMatMul, kept: keptBatchMatMul },
  { kernelFunc: identity, kept: keptIdentity },
  { kernelFunc: cast, kept: keptCast },
  { kernelFunc: slice, kept: keptSlice },
  { kernelFunc: splitV, kept: keptSplitV },
  { kernelFunc: gatherV2, kept: keptGatherV2 },
  { kernelFunc: sum, kept: keptSum },
  { kernelFunc: fusedMatMul, kept: keptFusedMatMul },
  { kernelFunc: maxPoolGrad, kept: keptMaxPoolGrad },
  { kernelFunc: conv2d, kept: keptConv2D },
  { kernelFunc: fusedConv2d, kept: keptFusedConv2D },
  { kernelFunc: add, kept: keptAdd },
];

/**
 * Registers, for the 'wasm' backend, each kernel of {@link wasmTrainingKernelConfigs} that has no
 * 'wasm' registration yet, and replaces the 'wasm' registrations of {@link wasmReplacedKernels}:
 * the registered config is kept (tf.getKernel, in the replacement's KeptKernel) as its fallback, unregistered, and registered again with the replacement's kernelFunc (its
 * setupFunc / disposeFunc unchanged). A replacement is skipped when the kernel is already the
 * replacement, or when wasm has no such kernel to keep. Idempotent: a second call registers nothing
 * and returns [].
 * @returns the names of the kernels registered by this call (added or replaced).
 */
export function registerWasmTrainingKernels(): string[] {
  const registered: string[] = [];
  for (const config of wasmTrainingKernelConfigs) {
    if (tf.getKernel(config.kernelName, 'wasm') != null) continue;
    tf.registerKernel(config);
    registered.push(config.kernelName);
  }
  for (const { kernelFunc, kept } of wasmReplacedKernels) {
    const current = tf.getKernel(kept.kernelName, 'wasm');
    if (current == null || current.kernelFunc === (kernelFunc as unknown as tf.KernelFunc)) continue;
    kept.set(current);
    tf.unregisterKernel(kept.kernelName, 'wasm');
    tf.registerKernel({ ...current, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
    registered.push(kept.kernelName);
  }
  return registered;
}

export {
  batchMatMul,
  keptBatchMatMul,
  conv2dBackpropInput,
  keptConv2dBackpropInput,
  conv2dBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  unsortedSegmentSumConfig,
};
