import * as tf from '@tensorflow/tfjs';

/** One modality's run of tokens: how many, and whether a presence mask decides if they count. */
export interface TokenSegment {
  steps: number;
  optional: boolean;
}

export interface PolymodalTokenMaskArgs {
  name?: string;
  /** The modalities' tokens in order; the layer's inputs after the tokens are the optional ones' presence masks. */
  segments: TokenSegment[];
}

/**
 * `[tokens, ...present]` -> `[batch, tokens]` float32: 1 for a token that counts, 0 for the tokens of a modality whose
 * presence is 0. `tokens` (`[batch, T, d]`) only gives the batch size; each `present` is `[batch, 1]`. No weights.
 */
export class PolymodalTokenMask extends tf.layers.Layer {
  /** @nocollapse */
  static className = 'PolymodalTokenMask';

  readonly segments: TokenSegment[];

  constructor(args: PolymodalTokenMaskArgs) {
    super(args);
    this.segments = args.segments.map(({ steps, optional }) => ({ steps, optional }));
    const total = this.segments.reduce((sum, s) => sum + s.steps, 0);
    if (!this.segments.every((s) => Number.isInteger(s.steps) && s.steps > 0) || total === 0) {
      throw new Error(`${PolymodalTokenMask.className}: every segment needs a positive whole number of steps; got ${JSON.stringify(args.segments)}`);
    }
  }

  private get tokenCount(): number {
    return this.segments.reduce((sum, s) => sum + s.steps, 0);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    // One input (no optional modality) arrives as its shape, several as a list of shapes.
    const tokens = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [tokens[0], this.tokenCount];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [tokens, ...present] = Array.isArray(inputs) ? inputs : [inputs];
      const batch = tokens.shape[0];
      let next = 0;
      const parts = this.segments.map((segment) => {
        if (!segment.optional) return tf.ones([batch, segment.steps]);
        const mask = present[next++];
        return tf.tile(tf.reshape(tf.cast(mask, 'float32'), [batch, 1]), [1, segment.steps]);
      });
      return parts.length === 1 ? parts[0] : tf.concat(parts, 1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), segments: this.segments.map((s) => ({ ...s })) };
  }
}
tf.serialization.registerClass(PolymodalTokenMask);
