/**
 * _FusedMatMul (Dense layers) for the wasm backend, REPLACING tfjs-backend-wasm 4.22's registration:
 * a product with one output column and no activation (a one-unit Dense layer's logits, 5 -> 1.2 ms
 * for x [32, 123040]) goes to Polymodal's SIMD kernel, its bias added here; everything else to wasm's
 * own kernel, through the weights guard.
 */
import * as tf from '@tensorflow/tfjs';
import { isWasmHeapBackend, KeptKernel, type KernelArgs } from './kept-kernel.js';
import { vectorProduct } from './vector-products.js';
import { withUnambiguousWeights } from './xnn-weights-guard.js';

export const keptFusedMatMul = new KeptKernel(tf._FusedMatMul);

export function fusedMatMul(args: KernelArgs): tf.TensorInfo {
  const { a, b, bias, preluActivationWeights } = args.inputs as unknown as Record<string, tf.TensorInfo | undefined>;
  const { transposeA, transposeB, activation } = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean; activation?: string };
  const linear = activation == null || activation === 'linear';
  const backend = args.backend;
  if (linear && preluActivationWeights == null && isWasmHeapBackend(backend) && (bias == null || (bias.dtype === 'float32' && tf.util.sizeFromShape(bias.shape) === 1))) {
    const product = vectorProduct(a!, b!, !!transposeA, !!transposeB, backend);
    if (product != null) {
      if (bias != null) {
        // One bias value, broadcast to every output.
        const values = backend.typedArrayFromHeap(product) as Float32Array;
        const shift = (backend.typedArrayFromHeap(bias) as Float32Array)[0];
        for (let i = 0; i < values.length; i++) values[i] += shift;
      }
      return product;
    }
  }
  return withUnambiguousWeights(args, (guarded) => keptFusedMatMul.call(guarded) as tf.TensorInfo);
}
