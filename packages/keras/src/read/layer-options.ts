// Option translators shared by the layer translators: activations, regularizers, constraints, data formats.
import { unwrapKerasObject } from '../format/keras-objects.js';
import { unsupported, type LayerOrigin } from './unsupported.js';

export type Config = Record<string, unknown>;

/** A Keras layer as tfjs-layers builds it: its class name and config. */
export interface TranslatedLayer {
  /** The tfjs class name. */
  className: string;
  config: Config;
}

/** Keras activation names -> tfjs names (only those that compute the same function). */
const ACTIVATIONS: ReadonlyMap<string, string> = new Map([
  ['linear', 'linear'], ['relu', 'relu'], ['relu6', 'relu6'], ['sigmoid', 'sigmoid'], ['softmax', 'softmax'],
  ['tanh', 'tanh'], ['elu', 'elu'], ['selu', 'selu'], ['softplus', 'softplus'], ['softsign', 'softsign'],
  ['swish', 'swish'], ['silu', 'swish'], ['mish', 'mish'],
]);

export function activation(value: unknown, origin: LayerOrigin, option = 'activation'): string {
  const object = unwrapKerasObject(value ?? 'linear');
  // Keras 2 wrote some activations as `{ class_name: "function", config: "relu" }`.
  const name = object?.className === 'function' && typeof (value as { config?: unknown }).config === 'string' ? String((value as { config: string }).config) : object?.className;
  const tfjs = name === undefined ? undefined : ACTIVATIONS.get(name);
  if (!tfjs) throw unsupported(origin, `${option} "${name}" has no exact tfjs equivalent (supported: ${[...ACTIVATIONS.keys()].join(', ')})`);
  return tfjs;
}

/** L1, L2 and L1L2 regularizers become tfjs's L1L2; null stays null. */
export function regularizer(value: unknown, origin: LayerOrigin, option: string): Config | null {
  const object = unwrapKerasObject(value);
  if (!object) return null;
  const number = (key: string) => (typeof object.config[key] === 'number' ? (object.config[key] as number) : 0);
  if (object.className === 'L1' || object.className === 'L2' || object.className === 'L1L2') {
    return { class_name: 'L1L2', config: { l1: number('l1'), l2: number('l2') } };
  }
  throw unsupported(origin, `${option} ${object.className} is not supported (only L1, L2 and L1L2 regularizers)`);
}

/** Constraints only act while training; tfjs has other semantics for some, so any constraint is refused. */
export function noConstraint(config: Config, option: string, origin: LayerOrigin): void {
  if (config[option] !== null && config[option] !== undefined) {
    throw unsupported(origin, `option ${option} (${unwrapKerasObject(config[option])?.className}) is not supported`);
  }
}

/** Throws unless `config[option]` is absent or one of `allowed` (compared as JSON). */
export function expectOption(config: Config, option: string, allowed: readonly unknown[], origin: LayerOrigin): void {
  const value = config[option];
  if (value === undefined) return;
  if (!allowed.some((a) => JSON.stringify(a) === JSON.stringify(value))) {
    throw unsupported(origin, `option ${option}=${JSON.stringify(value)} is not supported (supported: ${allowed.map((a) => JSON.stringify(a)).join(', ')})`);
  }
}

export function dataFormat(config: Config, origin: LayerOrigin): string {
  expectOption(config, 'data_format', ['channels_last', 'channels_first', null], origin);
  return (config.data_format as string | null | undefined) ?? 'channels_last';
}

/** A Keras int-or-tuple option as a list of `rank` ints. */
export function tuple(value: unknown, rank: number): number[] {
  return Array.isArray(value) ? value.map(Number) : Array.from({ length: rank }, () => Number(value));
}
