/**
 * Multi-head attention built only from matMul, softmax, reshape and transpose, so that it has gradients on
 * every backend (tfjs's internal MultiHeadAttention uses einsum, which has none).
 *
 * Semantics follow `keras.layers.MultiHeadAttention(num_heads, key_dim, value_dim=None, dropout=0.0,
 * use_bias=True, output_shape=None)`, with the projection kernels stored flattened: the query kernel is
 * `[queryDim, numHeads * keyDim]` where Keras stores `[queryDim, numHeads, keyDim]`, which holds the same
 * number of parameters. With Dq, Dk, Dv the last dims of query, key and value, H heads, K = keyDim,
 * V = valueDim and O = outputShape (default Dq), the layer holds, with useBias,
 *
 *   (Dq*H*K + H*K) + (Dk*H*K + H*K) + (Dv*H*V + H*V) + (H*V*O + O)
 *
 * parameters (without bias, drop the four bias terms), exactly as Keras.
 */
import * as tf from '@tensorflow/tfjs';

import {
  attentionInputRoles,
  checkInitializerName,
  checkPositiveInt,
  checkRate,
  isShapeList,
  makeInitializer,
  type AttentionInputRoles,
  type InitializerName,
  type Kwargs,
  type LayerArgs,
  type Shape,
} from './common.js';

export interface PolymodalMultiHeadAttentionArgs extends LayerArgs {
  /** Number of attention heads. */
  numHeads: number;
  /** Size of each head for query and key. */
  keyDim: number;
  /** Size of each head for value; defaults to keyDim. */
  valueDim?: number | null;
  /** Dropout rate on the attention probabilities, applied in training only. Default 0. */
  dropout?: number;
  /** Whether the four projections have biases. Default true. */
  useBias?: boolean;
  /** Last dimension of the output; defaults to the query's last dimension (Keras `output_shape`). */
  outputShape?: number | null;
  /** Masks attention to later value steps (lower-triangular [Tq, Tv] mask), as Keras `use_causal_mask`. */
  useCausalMask?: boolean;
  /**
   * Also output the attention probabilities `[batch, numHeads, Tq, Tv]` (after masking, before dropout), as Keras's
   * `return_attention_scores`: the layer then returns `[output, scores]`. Default false.
   */
  returnAttentionScores?: boolean;
  /** Default 'glorotUniform'. */
  kernelInitializer?: InitializerName;
  /** Default 'zeros'. */
  biasInitializer?: InitializerName;
}

/** Value added to the scores of masked positions before softmax, as Keras's masked softmax does. */
const LARGE_NEGATIVE = -1e9;

interface Projection {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
}

/**
 * Multi-head (scaled dot-product) attention.
 *
 * Inputs: `x` (self-attention), `[query, value]`, `[query, value, key]`, optionally followed by a padding
 * mask `[batch, Tv]` (1 or true = attend, 0 = ignore), e.g. `[x, mask]` or `[query, value, mask]`.
 * query is `[batch, Tq, Dq]`, value `[batch, Tv, Dv]`, key `[batch, Tv, Dk]` (defaults to value).
 * Output: `[batch, Tq, outputShape]`.
 *
 * Keras-style implicit masks (from `tf.layers.embedding({maskZero: true})`) are honoured too: the mask of
 * the query input masks query rows and the masks of value and key mask key columns. The output carries
 * the query's mask on.
 */
export class PolymodalMultiHeadAttention extends tf.layers.Layer {
  /** @nocollapse */
  static className = 'PolymodalMultiHeadAttention';

  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly dropout: number;
  readonly useBias: boolean;
  /** The configured `outputShape` (null: the query's last dimension). */
  readonly outputDim: number | null;
  readonly useCausalMask: boolean;
  readonly returnAttentionScores: boolean;
  readonly kernelInitializer: InitializerName;
  readonly biasInitializer: InitializerName;

  private query: Projection | null = null;
  private key: Projection | null = null;
  private value: Projection | null = null;
  private attentionOutput: Projection | null = null;

  constructor(args: PolymodalMultiHeadAttentionArgs) {
    super(args);
    const who = PolymodalMultiHeadAttention.className;
    this.numHeads = checkPositiveInt(args.numHeads, 'numHeads', who);
    this.keyDim = checkPositiveInt(args.keyDim, 'keyDim', who);
    this.valueDim = args.valueDim == null ? this.keyDim : checkPositiveInt(args.valueDim, 'valueDim', who);
    this.dropout = checkRate(args.dropout, 'dropout', who);
    this.useBias = args.useBias ?? true;
    this.outputDim = args.outputShape == null ? null : checkPositiveInt(args.outputShape, 'outputShape', who);
    this.useCausalMask = args.useCausalMask ?? false;
    this.returnAttentionScores = args.returnAttentionScores ?? false;
    this.kernelInitializer = checkInitializerName(args.kernelInitializer ?? 'glorotUniform', 'kernelInitializer', who);
    this.biasInitializer = checkInitializerName(args.biasInitializer ?? 'zeros', 'biasInitializer', who);
    this.supportsMasking = true;
  }

  private roles(ranks: number[]): AttentionInputRoles {
    return attentionInputRoles(ranks, `${PolymodalMultiHeadAttention.className} '${this.name}'`);
  }

  private shapesOf(inputShape: Shape | Shape[]): { shapes: Shape[]; roles: AttentionInputRoles } {
    const shapes = isShapeList(inputShape) ? inputShape : [inputShape as Shape];
    return { shapes, roles: this.roles(shapes.map((s) => s.length)) };
  }

  private lastDim(shape: Shape, role: string): number {
    const dim = shape[shape.length - 1];
    if (dim == null) {
      throw new Error(
        `${PolymodalMultiHeadAttention.className} '${this.name}': the last dimension of the ${role} must be ` +
          `known; got shape [${shape.join(', ')}]`,
      );
    }
    return dim;
  }

  private addProjection(name: string, inDim: number, outDim: number): Projection {
    const kernel = this.addWeight(
      `${name}/kernel`,
      [inDim, outDim],
      'float32',
      makeInitializer(this.kernelInitializer),
    );
    const bias = this.useBias
      ? this.addWeight(`${name}/bias`, [outDim], 'float32', makeInitializer(this.biasInitializer))
      : null;
    return { kernel, bias };
  }

  override build(inputShape: Shape | Shape[]): void {
    const { shapes, roles } = this.shapesOf(inputShape);
    const queryDim = this.lastDim(shapes[roles.query], 'query');
    const valueDim = this.lastDim(shapes[roles.value], 'value');
    const keyDim = this.lastDim(shapes[roles.key], 'key');
    const heads = this.numHeads;
    this.query = this.addProjection('query', queryDim, heads * this.keyDim);
    this.key = this.addProjection('key', keyDim, heads * this.keyDim);
    this.value = this.addProjection('value', valueDim, heads * this.valueDim);
    this.attentionOutput = this.addProjection('attention_output', heads * this.valueDim, this.outputDim ?? queryDim);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const { shapes, roles } = this.shapesOf(inputShape);
    const query = shapes[roles.query];
    const output: Shape = [query[0], query[1], this.outputDim ?? query[2]];
    if (!this.returnAttentionScores) return output;
    return [output, [query[0], this.numHeads, query[1], shapes[roles.value][1]]];
  }

  override computeMask(inputs: tf.Tensor | tf.Tensor[], mask?: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    // The output has one row per query step, so it carries the query's mask; the padding-mask input, if
    // any, describes the value steps and is not carried on.
    const queryMask = mask == null ? null : ((Array.isArray(mask) ? (mask[0] ?? null) : mask) as tf.Tensor | null);
    // The scores carry no mask of their own.
    if (this.returnAttentionScores) return [queryMask, null] as unknown as tf.Tensor[];
    return queryMask as unknown as tf.Tensor;
  }

  /** `x [batch, T, D]` times a `[D, units]` kernel plus bias, as `[batch, T, units]`. */
  private project(x: tf.Tensor, p: Projection): tf.Tensor3D {
    const [batch, steps, features] = x.shape as number[];
    let y = tf.matMul(tf.reshape(x, [batch * steps, features]), p.kernel.read());
    if (p.bias) y = tf.add(y, p.bias.read());
    return tf.reshape(y, [batch, steps, (y.shape as number[])[1]]);
  }

  /** `[batch, T, heads * size]` -> `[batch, heads, T, size]`. */
  private splitHeads(x: tf.Tensor3D, size: number): tf.Tensor4D {
    const [batch, steps] = x.shape;
    return tf.transpose(tf.reshape(x, [batch, steps, this.numHeads, size]), [0, 2, 1, 3]);
  }

  /**
   * The attention mask as `[batch or 1, 1, Tq, Tv]` with 1 = attend, or null when nothing is masked.
   * Combines the implicit (Keras) masks, the padding-mask input and the causal mask like Keras's
   * `_compute_attention_mask`.
   */
  private attentionMask(
    inputs: tf.Tensor[],
    roles: AttentionInputRoles,
    implicit: tf.Tensor | tf.Tensor[] | undefined,
    tq: number,
    tv: number,
  ): tf.Tensor | null {
    const implicitMasks = implicit == null ? [] : Array.isArray(implicit) ? implicit : [implicit];
    const implicitFor = (index: number): tf.Tensor | null => implicitMasks[index] ?? null;
    let mask: tf.Tensor | null = null;
    const and = (m: tf.Tensor) => {
      mask = mask == null ? m : tf.mul(mask, m);
    };
    const queryMask = implicitFor(roles.query);
    if (queryMask) and(tf.expandDims(tf.cast(queryMask, 'float32'), 2)); // [B, Tq, 1]
    const valueMask = implicitFor(roles.value);
    if (valueMask) and(tf.expandDims(tf.cast(valueMask, 'float32'), 1)); // [B, 1, Tv]
    const keyMask = roles.key !== roles.value ? implicitFor(roles.key) : null;
    if (keyMask) and(tf.expandDims(tf.cast(keyMask, 'float32'), 1));
    if (roles.mask != null) {
      const padding = inputs[roles.mask];
      if (padding.shape[1] !== tv) {
        throw new Error(
          `${PolymodalMultiHeadAttention.className} '${this.name}': the padding mask must be [batch, ${tv}] ` +
            `(one entry per value step); got [${padding.shape.join(', ')}]`,
        );
      }
      and(tf.expandDims(tf.cast(tf.notEqual(padding, 0), 'float32'), 1));
    }
    if (this.useCausalMask) {
      // Lower-triangular, as Keras's tril(ones([Tq, Tv])): query step i attends to value steps j <= i.
      const causal = new Float32Array(tq * tv);
      for (let i = 0; i < tq; i++) for (let j = 0; j <= i && j < tv; j++) causal[i * tv + j] = 1;
      and(tf.tensor3d(causal, [1, tq, tv]));
    }
    return mask == null ? null : tf.expandDims(mask as tf.Tensor, 1);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      if (!this.query || !this.key || !this.value || !this.attentionOutput) {
        throw new Error(`${PolymodalMultiHeadAttention.className} '${this.name}' was called before build()`);
      }
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const roles = this.roles(list.map((t) => t.rank));
      const queryIn = list[roles.query];
      const valueIn = list[roles.value];
      const keyIn = list[roles.key];
      const [batch, tq] = queryIn.shape as number[];
      const tv = (valueIn.shape as number[])[1];
      if (keyIn.shape[1] !== tv) {
        throw new Error(
          `${PolymodalMultiHeadAttention.className} '${this.name}': key and value must have the same number ` +
            `of steps; got key [${keyIn.shape.join(', ')}] and value [${valueIn.shape.join(', ')}]`,
        );
      }

      // [B, H, T, size]; the query is scaled before the dot product, as Keras does.
      const q = tf.mul(this.splitHeads(this.project(queryIn, this.query), this.keyDim), 1 / Math.sqrt(this.keyDim));
      const k = this.splitHeads(this.project(keyIn, this.key), this.keyDim);
      const v = this.splitHeads(this.project(valueIn, this.value), this.valueDim);

      let scores: tf.Tensor = tf.matMul(q, k, false, true); // [B, H, Tq, Tv]
      const mask = this.attentionMask(list, roles, kwargs?.['mask'], tq, tv);
      if (mask) scores = tf.add(scores, tf.mul(tf.sub(1, mask), LARGE_NEGATIVE));
      const attention: tf.Tensor = tf.softmax(scores);
      const probs = kwargs?.['training'] === true && this.dropout > 0 ? tf.dropout(attention, this.dropout) : attention;

      const context = tf.matMul(probs, v); // [B, H, Tq, V]
      const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch, tq, this.numHeads * this.valueDim]);
      const output = this.project(merged, this.attentionOutput);
      return this.returnAttentionScores ? [output, attention] : output;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      numHeads: this.numHeads,
      keyDim: this.keyDim,
      valueDim: this.valueDim,
      dropout: this.dropout,
      useBias: this.useBias,
      outputShape: this.outputDim,
      useCausalMask: this.useCausalMask,
      returnAttentionScores: this.returnAttentionScores,
      kernelInitializer: this.kernelInitializer,
      biasInitializer: this.biasInitializer,
    };
  }
}
tf.serialization.registerClass(PolymodalMultiHeadAttention);
