/** The layer harness's state (the spec, resolved; inputs; what to dispose) and the value helpers its checks share. */
import * as tf from '@tensorflow/tfjs';
import { LayerTestError, type LayerTestCheck, type LayerTestDtype, type LayerTestSpec } from './layer-test-spec.js';

export type AnyLayer = tf.layers.Layer;
export type Shape = (number | null)[];

export const fmt = (shape: readonly (number | null)[] | undefined | null): string =>
  shape == null ? String(shape) : `[${shape.map((d) => (d == null ? 'null' : String(d))).join(', ')}]`;

export function shapesMatch(actual: readonly (number | null)[], expected: readonly (number | null)[], wildcard: boolean): boolean {
  if (actual.length !== expected.length) return false;
  return actual.every((d, i) => d === expected[i] || (wildcard && expected[i] == null));
}

/** The first difference between two JSON-like values, as a path and description, or null when equal. */
export function firstDifference(actual: unknown, expected: unknown, path = 'config'): string | null {
  const norm = (v: unknown) => (v === undefined ? null : v);
  actual = norm(actual);
  expected = norm(expected);
  if (actual === expected) return null;
  if (typeof actual === 'number' && typeof expected === 'number' && Number.isNaN(actual) && Number.isNaN(expected)) {
    return null;
  }
  if (Array.isArray(actual) || Array.isArray(expected)) {
    if (!Array.isArray(actual) || !Array.isArray(expected)) {
      return `${path}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`;
    }
    if (actual.length !== expected.length) {
      return `${path}: length ${actual.length} vs ${expected.length} (${JSON.stringify(actual)} vs ${JSON.stringify(expected)})`;
    }
    for (let i = 0; i < actual.length; i++) {
      const d = firstDifference(actual[i], expected[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (actual !== null && expected !== null && typeof actual === 'object' && typeof expected === 'object') {
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    const keys = new Set([...Object.keys(a), ...Object.keys(e)]);
    for (const key of [...keys].sort()) {
      const d = firstDifference(a[key], e[key], `${path}.${key}`);
      if (d) return d;
    }
    return null;
  }
  return `${path}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`;
}

/** A config with tfjs's own defaults filled in: a missing `dtype` is float32 (tfjs writes it only sometimes). */
export function withLayerDefaults(config: tf.serialization.ConfigDict): tf.serialization.ConfigDict {
  return { ...config, dtype: config['dtype'] ?? 'float32' };
}

/** The first value that is not plain JSON (function, class instance, tensor, NaN, Infinity), or null. */
export function nonJsonValue(value: unknown, path = 'config'): string | null {
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${path} is ${value}`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = nonJsonValue(value[i], `${path}[${i}]`);
      if (bad) return bad;
    }
    return null;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      return `${path} is a ${(value as object).constructor?.name ?? 'class instance'}, not plain JSON`;
    }
    for (const [key, v] of Object.entries(value)) {
      const bad = nonJsonValue(v, `${path}.${key}`);
      if (bad) return bad;
    }
    return null;
  }
  return `${path} is a ${typeof value}`;
}

/** Largest absolute difference between two tensors of equal shape. */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(tf.cast(a, 'float32'), tf.cast(b, 'float32')))).dataSync()[0]);
}

export function single(output: tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | tf.SymbolicTensor[], who: string, check: LayerTestCheck) {
  if (Array.isArray(output)) {
    if (output.length !== 1) {
      throw new LayerTestError(who, check, `the layer returned ${output.length} outputs; runLayerTest supports layers with one output`);
    }
    return output[0];
  }
  return output;
}

export class Harness {
  readonly shapes: number[][];
  readonly multi: boolean;
  readonly dtypes: LayerTestDtype[];
  readonly maxValues: (number | undefined)[];
  readonly batch: number;
  readonly tolerance: number;
  readonly seed: number;
  who = 'layer';
  /** Tensors and layers to dispose at the end, whatever happens. */
  private readonly owned: { dispose(): unknown }[] = [];

  constructor(readonly spec: LayerTestSpec) {
    const shape = spec.inputShape;
    if (!Array.isArray(shape) || shape.length === 0) {
      throw new LayerTestError(this.who, 'spec', `inputShape must be an array; got ${JSON.stringify(shape)}`);
    }
    this.multi = shape.length > 0 && Array.isArray(shape[0]);
    this.shapes = this.multi ? (shape as number[][]) : [shape as number[]];
    for (const s of this.shapes) {
      if (!Array.isArray(s) || s.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d <= 0)) {
        throw new LayerTestError(this.who, 'spec', `inputShape entries must be positive integers (batch excluded); got ${JSON.stringify(shape)}`);
      }
    }
    const perInput = <T>(value: T | T[] | undefined, name: string): (T | undefined)[] => {
      if (!Array.isArray(value)) return this.shapes.map(() => value);
      if (value.length !== this.shapes.length) {
        throw new LayerTestError(this.who, 'spec', `${name} has ${value.length} entries for ${this.shapes.length} inputs`);
      }
      return value;
    };
    this.dtypes = perInput(spec.inputDtype, 'inputDtype').map((d) => d ?? 'float32');
    this.maxValues = perInput(spec.inputMaxValue, 'inputMaxValue');
    this.batch = spec.batchSize ?? 2;
    if (!Number.isInteger(this.batch) || this.batch <= 0) {
      throw new LayerTestError(this.who, 'spec', `batchSize must be a positive integer; got ${spec.batchSize}`);
    }
    if (!Array.isArray(spec.expectedOutputShape)) {
      throw new LayerTestError(this.who, 'spec', 'expectedOutputShape must be an array, batch dimension null');
    }
    this.tolerance = spec.tolerance ?? 1e-5;
    this.seed = spec.seed ?? 1234;
  }

  own<T extends { dispose(): unknown }>(x: T): T {
    this.owned.push(x);
    return x;
  }

  fail(check: LayerTestCheck, detail: string, actual?: unknown, expected?: unknown): never {
    throw new LayerTestError(this.who, check, detail, actual, expected);
  }

  /** Runs `fn`, turning any error it throws into a failure of `check` that keeps the original message. */
  guard<T>(check: LayerTestCheck, what: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof LayerTestError) throw e;
      this.fail(check, `${what} threw: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  async guardAsync<T>(check: LayerTestCheck, what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof LayerTestError) throw e;
      this.fail(check, `${what} threw: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  create(): AnyLayer {
    const layer = this.spec.create();
    if (!(layer instanceof tf.layers.Layer)) {
      throw new LayerTestError(this.who, 'spec', 'create() must return a tf.layers.Layer');
    }
    return layer;
  }

  symbolicInputs(): tf.SymbolicTensor[] {
    return this.shapes.map((shape, i) => tf.input({ shape, dtype: this.dtypes[i] }));
  }

  /** Random concrete inputs, the same for every call with the same `seedOffset`. */
  randomInputs(batch = this.batch, seedOffset = 0): tf.Tensor[] {
    return this.shapes.map((shape, i) => {
      const full = [batch, ...shape];
      const seed = this.seed + 101 * i + 7919 * seedOffset;
      const max = this.maxValues[i];
      const t =
        this.dtypes[i] === 'int32'
          ? tf.randomUniform(full, 0, max ?? 10, 'int32', seed)
          : tf.randomUniform(full, max == null ? -1 : 0, max ?? 1, 'float32', seed);
      return this.own(t);
    });
  }

  feed<T>(list: T[]): T | T[] {
    return this.multi ? list : list[0];
  }

  expectedConcrete(): Shape {
    const e = this.spec.expectedOutputShape;
    return e.map((d, i) => (i === 0 && d == null ? this.batch : d));
  }

  /** Frees what the checks made: models first (they free their layers), then what is left of layers, tensors. */
  dispose(): void {
    const quietly = (f: () => unknown) => {
      try {
        f();
      } catch {
        // Already disposed, e.g. a layer freed with its model or an unbuilt layer.
      }
    };
    for (const x of this.owned.reverse()) {
      if (x instanceof tf.LayersModel) quietly(() => x.dispose());
      else if (x instanceof tf.layers.Layer) for (const w of x.weights) quietly(() => w.dispose());
      else quietly(() => x.dispose());
    }
    this.owned.length = 0;
  }
}
