/**
 * A post-norm Transformer encoder block, as keras_nlp's `TransformerEncoder(normalize_first=False)`:
 *
 *   a = Dropout(MultiHeadAttention(x, x, mask))
 *   y = LayerNorm(x + a)
 *   f = Dropout(Dense(D)(Dense(ffDim, activation)(y)))
 *   out = LayerNorm(y + f)
 *
 * It is composed of sublayers. tfjs tracks only weights created through `addWeight` on the layer itself,
 * so this class reports its sublayers' weights through the `trainableWeights` / `nonTrainableWeights`
 * accessors (as tfjs's Bidirectional wrapper does), and builds each sublayer by applying it to a symbolic
 * input: `apply` opens a name scope, so the weights get distinct, deterministic names
 * (`<block>/self_attention/query/kernel`, `<block>/ffn_output/kernel`, ...) and a saved model loads back.
 */
import * as tf from '@tensorflow/tfjs';

import {
  attentionInputRoles,
  checkPositiveInt,
  checkRate,
  isShapeList,
  type Kwargs,
  type LayerArgs,
  type Shape,
} from './common.js';
import { ACTIVATIONS, type Activation } from './activations.js';
import { PolymodalMultiHeadAttention } from './multi-head-attention.js';

/** Polymodal's activations, plus gelu (computed here, since tfjs has no gelu activation). */
export type FeedForwardActivation = Activation | 'gelu';

export interface PolymodalTransformerEncoderBlockArgs extends LayerArgs {
  numHeads: number;
  /** Size of each attention head; defaults to features / numHeads (which must divide evenly). */
  keyDim?: number | null;
  /** Width of the hidden feed-forward layer. */
  ffDim: number;
  /** Dropout rate on the attention probabilities and after the attention and feed-forward sublayers. */
  dropout?: number;
  /** Activation of the hidden feed-forward layer. Default 'relu'. */
  activation?: FeedForwardActivation;
  /** Default 1e-5 (keras_nlp's default). */
  layerNormEpsilon?: number;
  /** Lets each step attend only to itself and earlier steps. Default false. */
  useCausalMask?: boolean;
  /** Also output the self-attention's probabilities `[batch, numHeads, T, T]`: the block returns `[out, scores]`. */
  returnAttentionScores?: boolean;
}

const FEED_FORWARD_ACTIVATIONS: readonly FeedForwardActivation[] = [...ACTIVATIONS, 'gelu'];

/**
 * `[batch, T, D]` -> `[batch, T, D]`, or `[x, mask]` with a `[batch, T]` padding mask (1 = real token).
 * A Keras mask from an upstream `embedding({maskZero: true})` is honoured and carried on.
 *
 * Parameters, with H heads of size K and D features: attention 4*D*H*K + 3*H*K + D, two layer norms 4*D,
 * feed-forward D*ffDim + ffDim + ffDim*D + D.
 */
export class PolymodalTransformerEncoderBlock extends tf.layers.Layer {
  /** @nocollapse */
  static className = 'PolymodalTransformerEncoderBlock';

  readonly numHeads: number;
  readonly keyDim: number | null;
  readonly ffDim: number;
  readonly dropout: number;
  readonly activation: FeedForwardActivation;
  readonly layerNormEpsilon: number;
  readonly useCausalMask: boolean;
  readonly returnAttentionScores: boolean;

  private attention: PolymodalMultiHeadAttention | null = null;
  private attentionNorm: tf.layers.Layer;
  private ffnIntermediate: tf.layers.Layer;
  private ffnOutput: tf.layers.Layer | null = null;
  private ffnNorm: tf.layers.Layer;

  constructor(args: PolymodalTransformerEncoderBlockArgs) {
    super(args);
    const who = PolymodalTransformerEncoderBlock.className;
    this.numHeads = checkPositiveInt(args.numHeads, 'numHeads', who);
    this.keyDim = args.keyDim == null ? null : checkPositiveInt(args.keyDim, 'keyDim', who);
    this.ffDim = checkPositiveInt(args.ffDim, 'ffDim', who);
    this.dropout = checkRate(args.dropout, 'dropout', who);
    const activation = args.activation ?? 'relu';
    if (!FEED_FORWARD_ACTIVATIONS.includes(activation)) {
      throw new Error(`${who}: activation must be one of ${FEED_FORWARD_ACTIVATIONS.join(', ')}; got ${JSON.stringify(activation)}`);
    }
    this.activation = activation;
    this.layerNormEpsilon = args.layerNormEpsilon ?? 1e-5;
    if (!(this.layerNormEpsilon > 0)) throw new Error(`${who}: layerNormEpsilon must be > 0`);
    this.useCausalMask = args.useCausalMask ?? false;
    this.returnAttentionScores = args.returnAttentionScores ?? false;
    this.supportsMasking = true;

    // Sublayer names only need to be unique inside the block: their weights are scoped by the block name.
    this.attentionNorm = tf.layers.layerNormalization({ name: 'attention_norm', epsilon: this.layerNormEpsilon });
    this.ffnIntermediate = tf.layers.dense({ name: 'ffn_intermediate', units: this.ffDim, activation: this.activation });
    this.ffnNorm = tf.layers.layerNormalization({ name: 'ffn_norm', epsilon: this.layerNormEpsilon });
  }

  private sublayers(): tf.layers.Layer[] {
    const all = [this.attention, this.attentionNorm, this.ffnIntermediate, this.ffnOutput, this.ffnNorm];
    return all.filter((l): l is NonNullable<typeof l> => l != null);
  }

  // tfjs collects a model's weights (for fit, save, load, countParams, dispose) from these accessors.
  override get trainableWeights(): tf.LayerVariable[] {
    if (!this.trainable) return [];
    return this.sublayers().flatMap((l) => l.trainableWeights);
  }
  override set trainableWeights(weights: tf.LayerVariable[]) {
    super.trainableWeights = weights;
  }
  override get nonTrainableWeights(): tf.LayerVariable[] {
    if (!this.trainable) return this.sublayers().flatMap((l) => l.weights);
    return this.sublayers().flatMap((l) => l.nonTrainableWeights);
  }
  override set nonTrainableWeights(weights: tf.LayerVariable[]) {
    super.nonTrainableWeights = weights;
  }
  override get trainable(): boolean {
    return super.trainable;
  }
  override set trainable(value: boolean) {
    super.trainable = value;
    // Called by the base constructor before the sublayers exist.
    if (this.attentionNorm) for (const l of this.sublayers()) l.trainable = value;
  }

  private splitShapes(inputShape: Shape | Shape[]): { x: Shape; mask: Shape | null } {
    const shapes = isShapeList(inputShape) ? inputShape : [inputShape as Shape];
    const who = `${PolymodalTransformerEncoderBlock.className} '${this.name}'`;
    const roles = attentionInputRoles(
      shapes.map((s) => s.length),
      who,
    );
    if (roles.value !== 0 || roles.key !== 0) {
      throw new Error(`${who}: expects x [batch, steps, features] or [x, mask]; got ${JSON.stringify(inputShape)}`);
    }
    return { x: shapes[0], mask: roles.mask == null ? null : shapes[roles.mask] };
  }

  override build(inputShape: Shape | Shape[]): void {
    const { x: xShape, mask: maskShape } = this.splitShapes(inputShape);
    const features = xShape[2];
    if (features == null) {
      throw new Error(`${PolymodalTransformerEncoderBlock.className} '${this.name}': the feature dimension must be known`);
    }
    let keyDim = this.keyDim;
    if (keyDim == null) {
      if (features % this.numHeads !== 0) {
        throw new Error(
          `${PolymodalTransformerEncoderBlock.className} '${this.name}': ${features} features do not split into ` +
            `${this.numHeads} heads; set keyDim`,
        );
      }
      keyDim = features / this.numHeads;
    }
    this.attention = new PolymodalMultiHeadAttention({
      name: 'self_attention',
      numHeads: this.numHeads,
      keyDim,
      dropout: this.dropout,
      useCausalMask: this.useCausalMask,
      returnAttentionScores: this.returnAttentionScores,
    });
    this.ffnOutput = tf.layers.dense({ name: 'ffn_output', units: features });
    if (!this.trainable) for (const l of this.sublayers()) l.trainable = false;

    // Build every sublayer through a symbolic apply: it runs build() inside the sublayer's name scope.
    const x = tf.input({ batchShape: xShape });
    const attentionInputs = maskShape ? [x, tf.input({ batchShape: maskShape })] : x;
    const attended = firstOf(this.attention.apply(attentionInputs) as tf.SymbolicTensor | tf.SymbolicTensor[]);
    const normed = this.attentionNorm.apply(attended) as tf.SymbolicTensor;
    const hidden = this.ffnOutput.apply(this.ffnIntermediate.apply(normed)) as tf.SymbolicTensor;
    this.ffnNorm.apply(hidden);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const x = this.splitShapes(inputShape).x;
    if (!this.returnAttentionScores) return [...x];
    return [[...x], [x[0], this.numHeads, x[1], x[1]]];
  }

  override computeMask(inputs: tf.Tensor | tf.Tensor[], mask?: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    const own = mask == null ? null : ((Array.isArray(mask) ? (mask[0] ?? null) : mask) as tf.Tensor | null);
    if (this.returnAttentionScores) return [own, null] as unknown as tf.Tensor[];
    return own as unknown as tf.Tensor;
  }

  private maybeDropout(x: tf.Tensor, training: boolean): tf.Tensor {
    return training && this.dropout > 0 ? tf.dropout(x, this.dropout) : x;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      if (!this.attention || !this.ffnOutput) {
        throw new Error(`${PolymodalTransformerEncoderBlock.className} '${this.name}' was called before build()`);
      }
      const training = kwargs?.['training'] === true;
      const list = Array.isArray(inputs) ? inputs : [inputs];
      this.splitShapes(list.map((t) => t.shape));
      const x = list[0];
      const sub: Kwargs = { training };
      if (kwargs?.['mask'] != null) sub['mask'] = kwargs['mask'];

      const result = this.attention.apply(list.length > 1 ? list : x, sub) as tf.Tensor | tf.Tensor[];
      const attended = firstOf(result);
      const y = this.attentionNorm.apply(tf.add(x, this.maybeDropout(attended, training))) as tf.Tensor;
      const hidden = this.ffnIntermediate.apply(y) as tf.Tensor;
      const ff = this.maybeDropout(this.ffnOutput.apply(hidden) as tf.Tensor, training);
      const out = this.ffnNorm.apply(tf.add(y, ff)) as tf.Tensor;
      return Array.isArray(result) ? [out, result[1]] : out;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      numHeads: this.numHeads,
      keyDim: this.keyDim,
      ffDim: this.ffDim,
      dropout: this.dropout,
      activation: this.activation,
      layerNormEpsilon: this.layerNormEpsilon,
      useCausalMask: this.useCausalMask,
      returnAttentionScores: this.returnAttentionScores,
    };
  }
}

/** The attention's output, whether or not it also returned its scores. */
function firstOf<T>(result: T | T[]): T {
  return Array.isArray(result) ? result[0] : result;
}
tf.serialization.registerClass(PolymodalTransformerEncoderBlock);
