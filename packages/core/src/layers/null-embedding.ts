/**
 * A learned stand-in for a missing modality: where a row's presence mask is 0, the encoder's features are replaced by
 * one trained vector (Ludwig and AutoGluon impute zeros; a learned vector lets the model tell "missing" from "zero").
 */
import * as tf from '@tensorflow/tfjs';

import type { BuildContext, EncoderOutput } from '../plugin/contracts.js';
import {
  checkInitializerName,
  makeInitializer,
  type InitializerName,
  type Kwargs,
  type LayerArgs,
  type Shape,
} from './common.js';

export interface PolymodalNullEmbeddingArgs extends LayerArgs {
  /** How the learned vector starts. Default 'zeros' (a missing modality first counts as all-zero features). */
  initializer?: InitializerName;
}

/**
 * `[x, present]` -> `present * x + (1 - present) * vector`, with `x` `[batch, units]` or `[batch, steps, units]` (the
 * vector replaces every step) and `present` `[batch, 1]` (1 = the row has this modality). Parameters: units.
 *
 * `x` of a missing row is zeroed before the product, so whatever it held (even NaN from pooling an empty sequence)
 * cannot reach the output. A Keras mask on a sequence `x` is carried on with every step of a missing row unmasked:
 * those steps now hold the vector, and a downstream pooling over no unmasked step would divide by zero.
 */
export class PolymodalNullEmbedding extends tf.layers.Layer {
  /** @nocollapse */
  static className = 'PolymodalNullEmbedding';

  readonly initializer: InitializerName;
  private vector: tf.LayerVariable | null = null;

  constructor(args: PolymodalNullEmbeddingArgs = {}) {
    super(args);
    this.initializer = checkInitializerName(args.initializer ?? 'zeros', 'initializer', PolymodalNullEmbedding.className);
    this.supportsMasking = true;
  }

  /** The features' and the mask's shapes, checked. */
  private shapesOf(inputShape: Shape | Shape[]): { features: Shape; present: Shape } {
    const shapes = inputShape as Shape[];
    const valid = Array.isArray(shapes) && shapes.length === 2 && Array.isArray(shapes[0]) && Array.isArray(shapes[1]);
    if (!valid) {
      throw new Error(`${PolymodalNullEmbedding.className} '${this.name}': expects two inputs [features, present]; got ${JSON.stringify(inputShape)}`);
    }
    const [features, present] = shapes;
    if (features.length !== 2 && features.length !== 3) {
      throw new Error(
        `${PolymodalNullEmbedding.className} '${this.name}': features must be [batch, units] or [batch, steps, units]; ` +
          `got ${JSON.stringify(features)}`,
      );
    }
    if (present.length !== 2 || (present[1] != null && present[1] !== 1)) {
      throw new Error(`${PolymodalNullEmbedding.className} '${this.name}': present must be [batch, 1]; got ${JSON.stringify(present)}`);
    }
    return { features, present };
  }

  override build(inputShape: Shape | Shape[]): void {
    const units = this.shapesOf(inputShape).features.at(-1);
    if (units == null) {
      throw new Error(`${PolymodalNullEmbedding.className} '${this.name}': the feature dimension must be known`);
    }
    this.vector = this.addWeight('vector', [units], 'float32', makeInitializer(this.initializer));
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return [...this.shapesOf(inputShape).features];
  }

  override computeMask(inputs: tf.Tensor | tf.Tensor[], mask?: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    const featureMask = Array.isArray(mask) ? mask[0] : mask;
    if (featureMask == null) return null as unknown as tf.Tensor;
    return tf.tidy(() => {
      const present = (inputs as tf.Tensor[])[1];
      // [batch, 1] broadcast over the steps of the [batch, steps] mask.
      return tf.logicalOr(tf.cast(featureMask, 'bool'), tf.lessEqual(present, 0));
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      if (!this.vector) throw new Error(`${PolymodalNullEmbedding.className} '${this.name}' was called before build()`);
      if (!Array.isArray(inputs) || inputs.length !== 2) {
        throw new Error(`${PolymodalNullEmbedding.className} '${this.name}': expects two inputs [features, present]`);
      }
      const [x, presentRows] = inputs;
      this.shapesOf([x.shape, presentRows.shape]);
      // [batch, 1] for vectors, [batch, 1, 1] for sequences: one factor per row, broadcast over steps and units.
      const present = x.rank === 3 ? tf.expandDims(presentRows, 2) : presentRows;
      const kept = tf.where(tf.greater(present, 0), x, tf.zerosLike(x));
      const absent = tf.sub(1, present);
      return tf.add(tf.mul(present, kept), tf.mul(absent, this.vector.read()));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), initializer: this.initializer };
  }
}
tf.serialization.registerClass(PolymodalNullEmbedding);

/**
 * An encoder's features with missing rows replaced by a learned vector: `output.tensor` itself when the input is
 * required (no `present` mask), else a `PolymodalNullEmbedding` layer applied to `[tensor, present]`. `name` (the
 * input's name) makes the layer's name readable; `ctx.layerName` keeps it unique either way.
 */
export function replaceMissing(output: EncoderOutput, ctx: BuildContext, name?: string): tf.SymbolicTensor {
  if (output.present === undefined) return output.tensor;
  const layer = new PolymodalNullEmbedding({ name: ctx.layerName(name === undefined ? 'null_embedding' : `${name}_null_embedding`) });
  return layer.apply([output.tensor, output.present]) as tf.SymbolicTensor;
}
