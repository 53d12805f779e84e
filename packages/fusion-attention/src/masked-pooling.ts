import * as tf from '@tensorflow/tfjs';
import type { SequencePooling } from '@polymodal/core';

/** Added before a max so that a masked token never wins it. */
const LARGE_NEGATIVE = -1e9;

export interface PolymodalMaskedPoolingArgs {
  name?: string;
  pooling: SequencePooling;
}

/**
 * `[x, mask]` -> `[batch, d]`: the mean or max of `x` (`[batch, T, d]`) over the tokens whose mask (`[batch, T]`) is
 * 1, so a missing modality's tokens do not enter the pooling. No weights.
 */
export class PolymodalMaskedPooling extends tf.layers.Layer {
  /** @nocollapse */
  static className = 'PolymodalMaskedPooling';

  readonly pooling: SequencePooling;

  constructor(args: PolymodalMaskedPoolingArgs) {
    super(args);
    if (args.pooling !== 'mean' && args.pooling !== 'max') throw new Error(`${PolymodalMaskedPooling.className}: pooling must be "mean" or "max"; got ${JSON.stringify(args.pooling)}`);
    this.pooling = args.pooling;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [x] = inputShape as tf.Shape[];
    return [x[0], x[2]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, mask] = inputs as tf.Tensor[];
      const weights = tf.expandDims(tf.cast(mask, 'float32'), 2); // [B, T, 1]
      if (this.pooling === 'max') return tf.max(tf.add(tf.mul(x, weights), tf.mul(tf.sub(1, weights), LARGE_NEGATIVE)), 1);
      // At least one token always counts (a row with no input at all is refused before it gets here).
      return tf.div(tf.sum(tf.mul(x, weights), 1), tf.maximum(tf.sum(weights, 1), 1));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), pooling: this.pooling };
  }
}
tf.serialization.registerClass(PolymodalMaskedPooling);
