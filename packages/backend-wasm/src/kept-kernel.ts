/**
 * What this folder's kernels share: KeptKernel, the wasm registration a replacement kernel took over
 * (registerWasmTrainingKernels records it before swapping the registration; the replacement calls it
 * for the cases it leaves to wasm's own kernel: other dtypes, other axes ...), the kernel arguments,
 * and the parts of the wasm backend that kernels working in its heap use.
 */
import * as tf from '@tensorflow/tfjs';

export class KeptKernel {
  private config: tf.KernelConfig | undefined;

  constructor(readonly kernelName: string) {}

  get(): tf.KernelConfig | undefined {
    return this.config;
  }

  set(config: tf.KernelConfig | undefined): void {
    this.config = config;
  }

  call(args: unknown): tf.TensorInfo | tf.TensorInfo[] {
    if (this.config == null) throw new Error(`${this.kernelName}: the replaced wasm kernel was not recorded`);
    return this.config.kernelFunc(args as Parameters<tf.KernelFunc>[0]);
  }
}

/** The parts of BackendWasm the replacements use (not in the package's public types). */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  incRef(dataId: tf.DataId): void;
  disposeData(dataId: tf.DataId): boolean;
}

export function isWasmHeapBackend(backend: unknown): backend is WasmHeapBackend {
  const b = backend as Partial<WasmHeapBackend> | null;
  return (
    b != null &&
    typeof b.makeOutput === 'function' && typeof b.typedArrayFromHeap === 'function' && typeof b.incRef === 'function' &&
    typeof b.disposeData === 'function'
  );
}

export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}
