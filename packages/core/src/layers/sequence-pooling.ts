/** Turning a `[batch, steps, features]` sequence into a `[batch, features]` vector, as fusions and text encoders do. */
import * as tf from '@tensorflow/tfjs';

export type SequencePooling = 'mean' | 'max';

/** Global average or max pooling over the steps, in a layer named `name` (pass it through `ctx.layerName`). */
export function poolSequence(x: tf.SymbolicTensor, pooling: SequencePooling, name: string): tf.SymbolicTensor {
  const pool = pooling === 'max' ? tf.layers.globalMaxPooling1d({ name }) : tf.layers.globalAveragePooling1d({ name });
  return pool.apply(x) as tf.SymbolicTensor;
}
