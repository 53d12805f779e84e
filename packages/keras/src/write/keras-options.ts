/** Translations of tfjs option values into Keras 3's: activations, regularizers, shapes. */
import { noKerasTwin, type SourceLayer } from './tfjs-source.js';

/** tfjs activation names and the Keras 3 activation computing the same function. */
const ACTIVATIONS: ReadonlyMap<string, string> = new Map([
  ['linear', 'linear'],
  ['relu', 'relu'],
  ['relu6', 'relu6'],
  ['elu', 'elu'],
  ['selu', 'selu'],
  ['sigmoid', 'sigmoid'],
  ['tanh', 'tanh'],
  ['softmax', 'softmax'],
  ['softplus', 'softplus'],
  ['softsign', 'softsign'],
  ['swish', 'silu'],
  ['mish', 'mish'],
  ['gelu', 'gelu'],
]);

/**
 * Activations that look alike but differ: tfjs's hardSigmoid is 0.2x + 0.5, Keras 3's is x/6 + 0.5; tfjs's
 * gelu_new is the tanh approximation, which Keras's string "gelu" is not.
 */
const DIFFERENT: ReadonlyMap<string, string> = new Map([
  ['hardSigmoid', "tfjs's hardSigmoid (0.2x + 0.5; Keras 3's hard_sigmoid is x/6 + 0.5)"],
  ['gelu_new', "tfjs's gelu_new (the tanh approximation)"],
]);

export function kerasActivation(source: SourceLayer, value: unknown, option = 'activation'): string {
  const name = value == null ? 'linear' : String(value);
  const keras = ACTIVATIONS.get(name);
  if (keras !== undefined) return keras;
  throw noKerasTwin(source, `${option} ${DIFFERENT.get(name) ?? JSON.stringify(name)}`, `Use one of ${[...ACTIVATIONS.keys()].join(', ')} to export it to Keras.`);
}

/** tfjs's `{ className: 'L1L2', config: { l1, l2 } }` as Keras's serialized regularizer, or null. */
export function kerasRegularizer(source: SourceLayer, value: unknown, option: string): unknown {
  if (value == null) return null;
  const { className, config } = value as { className?: string; config?: { l1?: number; l2?: number } };
  if (className === 'L1L2' || className === 'l1l2') {
    return { module: 'keras.regularizers', class_name: 'L1L2', config: { l1: config?.l1 ?? 0, l2: config?.l2 ?? 0 }, registered_name: null };
  }
  throw noKerasTwin(source, `${option} ${JSON.stringify(className)}`);
}

/** A tfjs size given as a number or a list, as Keras's tuple of `rank` numbers. */
export function tuple(value: unknown, rank: number): number[] {
  if (Array.isArray(value)) return value.length === rank ? value.map(Number) : Array.from({ length: rank }, () => Number(value[0]));
  return Array.from({ length: rank }, () => Number(value));
}

/** tfjs's data formats are Keras's names already; channels_last when unset. */
export function dataFormat(value: unknown): string {
  return value === 'channelsFirst' ? 'channels_first' : 'channels_last';
}

export function padding(source: SourceLayer, value: unknown): string {
  const name = value == null ? 'valid' : String(value);
  if (name === 'valid' || name === 'same' || name === 'causal') return name;
  throw noKerasTwin(source, `padding ${JSON.stringify(name)}`);
}
