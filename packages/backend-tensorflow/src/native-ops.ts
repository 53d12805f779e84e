/**
 * Calls a TensorFlow op that tfjs-node has no kernel for, straight through its binding: tensors in, tensors out
 * (tracked by tfjs's engine like any kernel's outputs, so tf.tidy frees them). The int64 scalar inputs some ops
 * take (BlockLSTM's seq_len_max) are made and freed here: tfjs has no int64 dtype.
 */
import * as tf from '@tensorflow/tfjs';

interface Binding {
  readonly TF_ATTR_BOOL: number;
  readonly TF_ATTR_FLOAT: number;
  readonly TF_ATTR_INT: number;
  readonly TF_ATTR_STRING: number;
  readonly TF_ATTR_SHAPE: number;
  readonly TF_ATTR_TYPE: number;
  readonly TF_FLOAT: number;
  readonly TF_INT64: number;
  createTensor(shape: number[], dtype: number, values: Int32Array | Float32Array): number;
  deleteTensor(id: number): void;
  executeOp(name: string, attrs: OpAttr[], inputIds: number[], outputs: number): unknown[];
}

export interface OpAttr {
  readonly name: string;
  readonly type: number;
  readonly value: number | boolean | string | readonly number[] | readonly string[];
}

export interface NodeBackend {
  readonly binding: Binding;
  getInputTensorIds(tensors: tf.Tensor[]): number[];
  createOutputTensor(metadata: unknown): tf.Tensor;
}

/** An op input: a tensor, or an int64 scalar. */
export type OpInput = tf.Tensor | { readonly int64: number };

/** The tfjs-node backend object when it is the active backend and has what this module uses; else null. */
export function nodeBackend(): NodeBackend | null {
  if (tf.getBackend() !== 'tensorflow') return null;
  const backend = tf.backend() as unknown as Partial<NodeBackend>;
  const binding = backend.binding as Partial<Binding> | undefined;
  const usable = typeof backend.getInputTensorIds === 'function' && typeof backend.createOutputTensor === 'function' &&
    typeof binding?.executeOp === 'function' && typeof binding.createTensor === 'function' && typeof binding.deleteTensor === 'function' &&
    typeof binding.TF_INT64 === 'number';
  return usable ? (backend as NodeBackend) : null;
}

/** Attributes: a float, a bool, or the float32 type `T`. */
export function floatAttr(backend: NodeBackend, name: string, value: number): OpAttr {
  return { name, type: backend.binding.TF_ATTR_FLOAT, value };
}

export function boolAttr(backend: NodeBackend, name: string, value: boolean): OpAttr {
  return { name, type: backend.binding.TF_ATTR_BOOL, value };
}

/** A string attribute (lists need the patched binding, fused-ops.ts). */
export function stringAttr(backend: NodeBackend, name: string, value: string): OpAttr {
  return { name, type: backend.binding.TF_ATTR_STRING, value };
}

export function intListAttr(backend: NodeBackend, name: string, value: readonly number[]): OpAttr {
  return { name, type: backend.binding.TF_ATTR_INT, value };
}

export function float32TypeAttr(backend: NodeBackend): OpAttr {
  return typeAttr(backend, 'T');
}

/** A type attribute named `name` (float32: the only one this package's ops need). */
export function typeAttr(backend: NodeBackend, name: string): OpAttr {
  return { name, type: backend.binding.TF_ATTR_TYPE, value: backend.binding.TF_FLOAT };
}

export function shapeAttr(backend: NodeBackend, name: string, shape: readonly number[]): OpAttr {
  return { name, type: backend.binding.TF_ATTR_SHAPE, value: shape };
}

/** Runs `op` with `inputs` and returns its `outputs` tensors. */
export function executeOp(backend: NodeBackend, op: string, attrs: OpAttr[], inputs: OpInput[], outputs: number): tf.Tensor[] {
  const { binding } = backend;
  const made: number[] = [];
  try {
    const ids = inputs.map((input) => {
      if (input instanceof tf.Tensor) return backend.getInputTensorIds([input])[0]!;
      const id = binding.createTensor([], binding.TF_INT64, new Int32Array([input.int64, 0]));
      made.push(id);
      return id;
    });
    return binding.executeOp(op, attrs, ids, outputs).map((metadata) => backend.createOutputTensor(metadata));
  } finally {
    for (const id of made) binding.deleteTensor(id);
  }
}
