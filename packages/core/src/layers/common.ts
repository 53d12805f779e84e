/**
 * Small helpers shared by the Polymodal layers: argument types, initializer identifiers and the parsing of
 * the `[query, value, key?, mask?]` input lists that the attention layers accept.
 */
import * as tf from '@tensorflow/tfjs';

/** The constructor arguments every `tf.layers.Layer` accepts (name, trainable, inputShape, dtype, ...). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
export type Shape = tf.Shape;
export type Kwargs = { [key: string]: any };
export type Initializer = ReturnType<typeof tf.initializers.glorotUniform>;

/**
 * Initializers a Polymodal layer config may name. They are stored by name in `getConfig()` so that the
 * config stays plain JSON and survives the snake_case conversion applied when a model is saved.
 */
export type InitializerName =
  | 'glorotUniform'
  | 'glorotNormal'
  | 'heUniform'
  | 'heNormal'
  | 'leCunUniform'
  | 'leCunNormal'
  | 'zeros'
  | 'ones'
  | 'randomNormal'
  | 'randomUniform'
  | 'truncatedNormal';

const INITIALIZERS: Record<InitializerName, () => Initializer> = {
  glorotUniform: () => tf.initializers.glorotUniform({}),
  glorotNormal: () => tf.initializers.glorotNormal({}),
  heUniform: () => tf.initializers.heUniform({}),
  heNormal: () => tf.initializers.heNormal({}),
  leCunUniform: () => tf.initializers.leCunUniform({}),
  leCunNormal: () => tf.initializers.leCunNormal({}),
  zeros: () => tf.initializers.zeros(),
  ones: () => tf.initializers.ones(),
  randomNormal: () => tf.initializers.randomNormal({ stddev: 0.05 }),
  randomUniform: () => tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05 }),
  truncatedNormal: () => tf.initializers.truncatedNormal({ stddev: 0.05 }),
};

export function checkInitializerName(name: unknown, option: string, layer: string): InitializerName {
  if (typeof name !== 'string' || !(name in INITIALIZERS)) {
    throw new Error(
      `${layer}: ${option} must be one of ${Object.keys(INITIALIZERS).join(', ')}; got ${JSON.stringify(name)}`,
    );
  }
  return name as InitializerName;
}

export function makeInitializer(name: InitializerName): Initializer {
  return INITIALIZERS[name]();
}

export function checkPositiveInt(value: unknown, option: string, layer: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${layer}: ${option} must be a positive integer; got ${JSON.stringify(value)}`);
  }
  return value;
}

export function checkRate(value: unknown, option: string, layer: string): number {
  if (value == null) return 0;
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw new Error(`${layer}: ${option} must be a number in [0, 1); got ${JSON.stringify(value)}`);
  }
  return value;
}

/** True when `shape` is a list of shapes rather than one shape. */
export function isShapeList(shape: Shape | Shape[]): shape is Shape[] {
  return Array.isArray(shape) && shape.length > 0 && Array.isArray(shape[0]);
}

/**
 * Where each role lives in an attention layer's input list. `value` and `key` may point at the same entry
 * as `query` (self-attention); `mask` is the index of the `[batch, Tv]` padding mask (1 = keep), if any.
 */
export interface AttentionInputRoles {
  query: number;
  value: number;
  key: number;
  mask: number | null;
}

/**
 * Reads the roles from the ranks of the inputs: every rank-3 entry is, in order, query, value, key; a
 * single rank-2 entry, which must come last, is the padding mask.
 *   x                       -> self-attention
 *   [x]                     -> self-attention
 *   [x, mask]               -> self-attention with a padding mask
 *   [query, value]          -> key = value
 *   [query, value, key]
 *   [query, value, mask] and [query, value, key, mask]
 */
export function attentionInputRoles(ranks: number[], layer: string): AttentionInputRoles {
  const describe = () => `input ranks [${ranks.join(', ')}]`;
  if (ranks.length === 0 || ranks.length > 4) {
    throw new Error(`${layer}: expected 1 to 4 inputs ([query, value, key?, mask?]); got ${ranks.length}`);
  }
  let mask: number | null = null;
  let sequences = ranks.length;
  if (ranks[ranks.length - 1] === 2 && ranks.length > 1) {
    mask = ranks.length - 1;
    sequences -= 1;
  }
  for (let i = 0; i < sequences; i++) {
    if (ranks[i] !== 3) {
      throw new Error(
        `${layer}: query, value and key must be rank 3 [batch, steps, features] and the optional padding ` +
          `mask rank 2 [batch, valueSteps], last; got ${describe()}`,
      );
    }
  }
  if (sequences > 3) throw new Error(`${layer}: at most query, value and key may be given; got ${describe()}`);
  const value = sequences >= 2 ? 1 : 0;
  const key = sequences >= 3 ? 2 : value;
  return { query: 0, value, key, mask };
}
