/**
 * A learned position embedding added to a sequence of token embeddings, like keras_nlp's
 * `PositionEmbedding(sequence_length)` followed by the addition `TokenAndPositionEmbedding` performs.
 */
import * as tf from '@tensorflow/tfjs';

import {
  checkInitializerName,
  checkPositiveInt,
  isShapeList,
  makeInitializer,
  type InitializerName,
  type Kwargs,
  type LayerArgs,
  type Shape,
} from './common.js';

export interface PolymodalPositionalEmbeddingArgs extends LayerArgs {
  /** The longest sequence the layer accepts: the table holds one row per position. */
  sequenceLength: number;
  /** Default 'glorotUniform' (as keras_nlp). */
  initializer?: InitializerName;
}

/**
 * `[batch, T, D]` -> `[batch, T, D]`: adds row `t` of a learned `[sequenceLength, D]` table to step `t`.
 * T may be shorter than sequenceLength (the first T rows are used). Parameters: sequenceLength * D.
 * An incoming Keras mask is carried on unchanged.
 */
export class PolymodalPositionalEmbedding extends tf.layers.Layer {
  /** @nocollapse */
  static className = 'PolymodalPositionalEmbedding';

  readonly sequenceLength: number;
  readonly initializer: InitializerName;
  private embeddings: tf.LayerVariable | null = null;

  constructor(args: PolymodalPositionalEmbeddingArgs) {
    super(args);
    const who = PolymodalPositionalEmbedding.className;
    this.sequenceLength = checkPositiveInt(args.sequenceLength, 'sequenceLength', who);
    this.initializer = checkInitializerName(args.initializer ?? 'glorotUniform', 'initializer', who);
    this.supportsMasking = true;
  }

  private inputShapeOf(inputShape: Shape | Shape[]): Shape {
    const shape = isShapeList(inputShape) ? inputShape[0] : (inputShape as Shape);
    if ((isShapeList(inputShape) && inputShape.length !== 1) || shape.length !== 3) {
      throw new Error(
        `${PolymodalPositionalEmbedding.className} '${this.name}': expects one input [batch, steps, features]; ` +
          `got ${JSON.stringify(inputShape)}`,
      );
    }
    const steps = shape[1];
    if (steps != null && steps > this.sequenceLength) {
      throw new Error(
        `${PolymodalPositionalEmbedding.className} '${this.name}': input has ${steps} steps but ` +
          `sequenceLength is ${this.sequenceLength}`,
      );
    }
    return shape;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = this.inputShapeOf(inputShape);
    const features = shape[2];
    if (features == null) {
      throw new Error(`${PolymodalPositionalEmbedding.className} '${this.name}': the feature dimension must be known`);
    }
    this.embeddings = this.addWeight(
      'embeddings',
      [this.sequenceLength, features],
      'float32',
      makeInitializer(this.initializer),
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return [...this.inputShapeOf(inputShape)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      if (!this.embeddings) {
        throw new Error(`${PolymodalPositionalEmbedding.className} '${this.name}' was called before build()`);
      }
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      this.inputShapeOf(x.shape);
      const [, steps, features] = x.shape;
      // [T, D] broadcast over the batch.
      const positions = tf.slice(this.embeddings.read(), [0, 0], [steps, features]);
      return tf.add(x, positions);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      sequenceLength: this.sequenceLength,
      initializer: this.initializer,
    };
  }
}
tf.serialization.registerClass(PolymodalPositionalEmbedding);
