import * as tf from '@tensorflow/tfjs';

export interface PolymodalAttentionRelianceArgs {
  name?: string;
  /** Tokens per modality, in order (they add up to the blocks' token count). */
  steps: number[];
}

/**
 * `[mask, ...scores]` -> `[batch, modalities]`: the attention each modality's tokens received from the pooled query,
 * averaged over heads and blocks. Each `scores` is one block's `[batch, heads, T, T]` attention; the pooled query is
 * the mean of the tokens that count (`mask` `[batch, T]`), so its attention is their rows' mask-weighted mean. A
 * row's values add up to 1, and a masked modality's is exactly 0. No weights; not trained on.
 */
export class PolymodalAttentionReliance extends tf.layers.Layer {
  /** @nocollapse */
  static className = 'PolymodalAttentionReliance';

  readonly steps: number[];

  constructor(args: PolymodalAttentionRelianceArgs) {
    super(args);
    if (!args.steps.every((n) => Number.isInteger(n) && n > 0)) throw new Error(`${PolymodalAttentionReliance.className}: steps must be positive whole numbers; got ${JSON.stringify(args.steps)}`);
    this.steps = [...args.steps];
    this.trainable = false;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [(inputShape as tf.Shape[])[0][0], this.steps.length];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [mask, ...scores] = inputs as tf.Tensor[];
      const m = tf.cast(mask, 'float32');
      const queryWeights = tf.expandDims(tf.div(m, tf.maximum(tf.sum(m, 1, true), 1e-12)), 2); // [B, T, 1]
      // Mean over heads, then blocks: [B, T (query), T (key)].
      const attention = tf.mean(tf.stack(scores.map((s) => tf.mean(s, 1))), 0);
      const received = tf.sum(tf.mul(attention, queryWeights), 1); // [B, T (key)]
      return tf.concat(tf.split(received, this.steps, 1).map((part) => tf.sum(part, 1, true)), 1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), steps: [...this.steps] };
  }
}
tf.serialization.registerClass(PolymodalAttentionReliance);
