// Keras 3's serialized-object form, `{ module, class_name, config, registered_name }`, shared by the reader and the
// writer. Legacy (Keras 2 / tf.keras) files use `{ class_name, config }`; `unwrapKerasObject` reads both.

/** A serialized Keras 3 object (a layer, initializer, regularizer, dtype policy, ...). */
export interface KerasObject {
  module: string;
  class_name: string;
  config: Record<string, unknown>;
  registered_name: string | null;
  build_config?: { input_shape: unknown };
}

/** A Keras 3 object of a built-in class (registered_name null, as Keras writes for its own classes). */
export function kerasObject(module: string, className: string, config: Record<string, unknown>): KerasObject {
  return { module, class_name: className, config, registered_name: null };
}

/** The `float32` (or other) dtype policy Keras 3 writes in every layer's config. */
export function dtypePolicy(name = 'float32'): KerasObject {
  return kerasObject('keras', 'DTypePolicy', { name });
}

/** The dtype name of a layer config's `dtype`: a Keras 3 policy object, a legacy string, or absent (float32). */
export function dtypeName(value: unknown): string {
  if (value === undefined || value === null) return 'float32';
  if (typeof value === 'string') return value;
  const config = (value as { config?: { name?: unknown } }).config;
  return typeof config?.name === 'string' ? config.name : String((value as { class_name?: unknown }).class_name);
}

/** `{ className, config }` of a serialized object in either form; null for null/undefined; a bare string is a class name. */
export function unwrapKerasObject(value: unknown): { className: string; config: Record<string, unknown> } | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return { className: value, config: {} };
  const object = value as { class_name?: unknown; config?: unknown };
  if (typeof object.class_name !== 'string') throw new Error(`expected a serialized Keras object, got ${JSON.stringify(value).slice(0, 80)}`);
  return { className: object.class_name, config: (object.config ?? {}) as Record<string, unknown> };
}

/** The class name Keras 3 gives a tensor reference inside a node's `args`. */
export const KERAS_TENSOR = '__keras_tensor__';

/** A reference to output `tensorIndex` of node `nodeIndex` of layer `layer`, as Keras 3 writes it in `inbound_nodes` args. */
export function kerasTensor(layer: string, nodeIndex: number, tensorIndex: number, shape: (number | null)[], dtype = 'float32') {
  return { class_name: KERAS_TENSOR, config: { shape, dtype, keras_history: [layer, nodeIndex, tensorIndex] } };
}
