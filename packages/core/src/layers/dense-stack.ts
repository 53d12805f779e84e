/**
 * The dense stack every encoder, fusion and the task head put on top of their features:
 * Dense [+ BatchNorm + Activation] [+ Dropout], once per entry of `units`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Activation } from './activations.js';

export interface DenseStackOptions {
  /** One dense layer per entry; `[]` returns `x` unchanged. */
  readonly units: readonly number[];
  /** Default `relu`. With `batchNorm` it is applied after the normalization instead of inside the dense layer. */
  readonly activation?: Activation;
  /** Rate of a dropout layer after each dense layer; 0 (the default) adds none. */
  readonly dropout?: number;
  /** L2 penalty on each dense kernel; 0 (the default) adds none. */
  readonly l2?: number;
  /** Batch normalization between each dense layer and its activation. */
  readonly batchNorm?: boolean;
}

export interface DenseStackNaming {
  /** Makes a model-unique layer name from a suffix: pass `ctx.layerName`. */
  readonly layerName: (suffix: string) => string;
  /** Suffix of the i-th (0-based) dense layer; default `dense_<i + 1>`. */
  readonly dense?: (index: number, units: number) => string;
}

function apply(layer: tf.layers.Layer, x: tf.SymbolicTensor): tf.SymbolicTensor {
  return layer.apply(x) as tf.SymbolicTensor;
}

/** Adds the stack to `x`; layer names are `dense_1`, `batch_norm_1`, `activation_1`, `dropout_1`, ... through `naming.layerName`. */
export function denseStack(x: tf.SymbolicTensor, options: DenseStackOptions, naming: DenseStackNaming): tf.SymbolicTensor {
  const activation = options.activation ?? 'relu';
  const dropout = options.dropout ?? 0;
  const l2 = options.l2 ?? 0;
  const denseSuffix = naming.dense ?? ((index: number) => `dense_${index + 1}`);
  options.units.forEach((units, i) => {
    x = apply(tf.layers.dense({
      units,
      activation: options.batchNorm ? 'linear' : activation,
      kernelRegularizer: l2 > 0 ? tf.regularizers.l2({ l2 }) : undefined,
      name: naming.layerName(denseSuffix(i, units)),
    }), x);
    if (options.batchNorm) {
      x = apply(tf.layers.batchNormalization({ name: naming.layerName(`batch_norm_${i + 1}`) }), x);
      x = apply(tf.layers.activation({ activation, name: naming.layerName(`activation_${i + 1}`) }), x);
    }
    if (dropout > 0) x = apply(tf.layers.dropout({ rate: dropout, name: naming.layerName(`dropout_${i + 1}`) }), x);
  });
  return x;
}
