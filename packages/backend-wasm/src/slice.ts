/**
 * Slice and SplitV reading their input in place in the wasm heap. tfjs-backend-wasm 4.22's Slice
 * first copies the whole input out of the heap (readSync) and SplitV calls that Slice once per
 * part, so splitting the gradient of a concatenation [32, 123040] copied ~50 MB (~20 ms of a seed
 * model step). Here each output is filled by one copy per contiguous run.
 */
import * as tf from '@tensorflow/tfjs';
import { isWasmHeapBackend, KeptKernel, type KernelArgs, type WasmHeapBackend } from './kept-kernel.js';

export const keptSlice = new KeptKernel(tf.Slice);
export const keptSplitV = new KeptKernel(tf.SplitV);

type HeapArray = Float32Array | Int32Array | Uint8Array;

/**
 * Copies the box `begin`/`size` of `x` (shape `shape`) into `out`. Trailing axes taken whole are
 * merged into one run, so a row-major box is copied with as few `set` calls as it has runs.
 */
export function copyBox(x: HeapArray, shape: number[], begin: number[], size: number[], out: HeapArray): void {
  const rank = shape.length;
  if (rank === 0) {
    out[0] = x[0];
    return;
  }
  const strides = tf.util.computeStrides(shape);
  // Innermost axis that is not taken whole: the run spans it and everything after it.
  let k = rank - 1;
  while (k > 0 && begin[k] === 0 && size[k] === shape[k]) k--;
  const run = size[k] * (k + 1 < rank ? strides[k] : 1);
  if (run === 0) return;
  const outer = size.slice(0, k);
  const count = tf.util.sizeFromShape(outer);
  const index = new Array<number>(k).fill(0);
  let base = begin[k] * (k + 1 < rank ? strides[k] : 1);
  for (let a = 0; a < k; a++) base += begin[a] * strides[a];
  let offset = base;
  for (let n = 0, o = 0; n < count; n++, o += run) {
    out.set(x.subarray(offset, offset + run), o);
    // Odometer over the outer axes.
    for (let a = k - 1; a >= 0; a--) {
      if (++index[a] < outer[a]) {
        offset += strides[a];
        break;
      }
      offset -= (outer[a] - 1) * strides[a];
      index[a] = 0;
    }
  }
}

function handled(x: tf.TensorInfo, backend: unknown): backend is WasmHeapBackend {
  return x.dtype !== 'string' && x.dtype !== 'complex64' && isWasmHeapBackend(backend);
}

export function slice(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as unknown as { x: tf.TensorInfo };
  if (!handled(x, args.backend)) return keptSlice.call(args) as tf.TensorInfo;
  const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
  const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
  tf.slice_util.assertParamsValid(x as tf.Tensor, b, s);
  const out = args.backend.makeOutput(s, x.dtype);
  // Views taken after the allocation: makeOutput may grow (and so detach) the heap.
  copyBox(args.backend.typedArrayFromHeap(x), x.shape, b, s, args.backend.typedArrayFromHeap(out));
  return out;
}

export function splitV(args: KernelArgs): tf.TensorInfo[] {
  const { x } = args.inputs as unknown as { x: tf.TensorInfo };
  if (!handled(x, args.backend)) return keptSplitV.call(args) as tf.TensorInfo[];
  const backend = args.backend;
  const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
  const $axis = tf.util.parseAxisParam(axis, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, $axis);
  const outs = sizes.map((s) => {
    const shape = [...x.shape];
    shape[$axis] = s;
    return backend.makeOutput(shape, x.dtype);
  });
  const xv = backend.typedArrayFromHeap(x);
  const begin = new Array<number>(x.shape.length).fill(0);
  for (const out of outs) {
    copyBox(xv, x.shape, begin, out.shape, backend.typedArrayFromHeap(out));
    begin[$axis] += out.shape[$axis];
  }
  return outs;
}
