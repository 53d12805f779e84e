/**
 * The last step of the gated fusion: each modality's projected vector scaled by its gate, then summed or concatenated.
 * A layer of its own because tfjs has no serializable way to take column i of the gates.
 */
import * as tf from '@tensorflow/tfjs';

export type GatedCombine = 'sum' | 'concat';

const COMBINES: readonly GatedCombine[] = ['sum', 'concat'];

type Shape = tf.Shape;

export interface PolymodalGatedCombineArgs {
  /** `sum`: `[batch, width]`; `concat`: `[batch, inputs * width]`. Default `sum`. */
  combine?: GatedCombine;
  name?: string;
  trainable?: boolean;
  dtype?: tf.DataType;
}

/**
 * `[gates, h_1, ..., h_n]` -> `sum_i gates[:, i] * h_i` (or the `h_i * gates[:, i]` side by side), with `gates`
 * `[batch, n]` and every `h_i` `[batch, width]`. No weights.
 */
export class PolymodalGatedCombine extends tf.layers.Layer {
  /** @nocollapse */
  static className = 'PolymodalGatedCombine';

  readonly combine: GatedCombine;

  constructor(args: PolymodalGatedCombineArgs = {}) {
    super(args);
    const combine = args.combine ?? 'sum';
    if (!COMBINES.includes(combine)) {
      throw new Error(`${PolymodalGatedCombine.className}: combine must be one of ${COMBINES.join(', ')}; got ${JSON.stringify(combine)}`);
    }
    this.combine = combine;
  }

  /** The width of the h_i, after checking `[gates [batch, n], n vectors of one width]`. */
  private widthOf(inputShape: Shape | Shape[]): number {
    const shapes = inputShape as Shape[];
    const describe = () => JSON.stringify(inputShape);
    if (!Array.isArray(shapes) || shapes.length < 2 || !shapes.every(Array.isArray)) {
      throw new Error(`${PolymodalGatedCombine.className} '${this.name}': expects [gates, h_1, ..., h_n]; got ${describe()}`);
    }
    const [gates, ...vectors] = shapes;
    if (gates.length !== 2 || (gates[1] != null && gates[1] !== vectors.length)) {
      throw new Error(`${PolymodalGatedCombine.className} '${this.name}': gates must be [batch, ${vectors.length}] (one per vector); got ${describe()}`);
    }
    const width = vectors[0][1];
    if (width == null || !vectors.every((shape) => shape.length === 2 && shape[1] === width)) {
      throw new Error(`${PolymodalGatedCombine.className} '${this.name}': every vector must be [batch, width] with one known width; got ${describe()}`);
    }
    return width;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const width = this.widthOf(inputShape);
    const batch = (inputShape as Shape[])[0][0];
    const vectors = (inputShape as Shape[]).length - 1;
    return [batch, this.combine === 'sum' ? width : vectors * width];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const [gates, ...vectors] = inputs as tf.Tensor[];
      this.widthOf((inputs as tf.Tensor[]).map((t) => t.shape));
      // One input: no split, sum or concat (tfjs's split gradient fails on a single piece).
      if (vectors.length === 1) return tf.mul(vectors[0], gates);
      const columns = tf.split(gates, vectors.length, 1);
      const gated = vectors.map((h, i) => tf.mul(h, columns[i]));
      return this.combine === 'sum' ? tf.addN(gated) : tf.concat(gated, 1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), combine: this.combine };
  }
}
tf.serialization.registerClass(PolymodalGatedCombine);
