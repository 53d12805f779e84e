/**
 * A reusable conformance test for custom `tf.layers.Layer` classes, in the spirit of Keras 3's
 * `run_layer_test`. It depends on no test runner: it throws a `LayerTestError` (an Error with
 * `code: 'ERR_ASSERTION'`, like node:assert's) that names the failed check and says what to fix.
 *
 * Checks, in order:
 *  1. registration: the class declares its own `static className` and is registered with
 *     `tf.serialization.registerClass`, so a saved model can find it again;
 *  2. symbolic call: applying the layer to `tf.input`s works;
 *  3. eager output shape: calling it on random data gives the expected concrete shape;
 *  4. computeOutputShape agrees with the shape the eager call really produced;
 *  5. symbolic output shape equals `expectedOutputShape`;
 *  6. weight and parameter counts; every variable created while building is reported as a weight; weight
 *     names are unique (saved weights are matched by name);
 *  7. no tensors leak across 3 eager calls (inference and training mode);
 *  8. config round trip: `getConfig()` is plain JSON, the registered `fromConfig` rebuilds a layer with an
 *     equal config, inference is deterministic, and with the weights copied over the rebuilt layer computes
 *     the same output;
 *  9. save/load round trip: a LayersModel holding the layer, saved through an in-memory IOHandler and loaded
 *     with `tf.loadLayersModel`, restores every weight and computes the same output;
 * 10. training: in a model with a Dense head, every trainable weight of the layer receives a gradient, one
 *     optimizer step changes the layer's weights, and a further identical step leaks no tensor.
 */
import * as tf from '@tensorflow/tfjs';

export type LayerTestDtype = 'float32' | 'int32';

export interface LayerTestSpec {
  /** Returns a fresh, unbuilt layer; called several times. */
  create: () => tf.layers.Layer;
  /** Per-sample input shape, batch excluded; a list of shapes for a layer with several inputs. */
  inputShape: number[] | number[][];
  /** Default 2. */
  batchSize?: number;
  /** Dtype of the random inputs (one per input for several inputs). Default 'float32'. */
  inputDtype?: LayerTestDtype | LayerTestDtype[];
  /**
   * Random inputs are drawn from [0, inputMaxValue): integers for int32 (e.g. token ids < vocab size;
   * default 10), floats for float32 (default: [-1, 1) when not given). One per input allowed.
   */
  inputMaxValue?: number | number[];
  /** Output shape with the batch dimension null; other nulls match any size. */
  expectedOutputShape: (number | null)[];
  expectedTrainableWeights?: number;
  expectedNonTrainableWeights?: number;
  /** Total number of trainable parameters (sum of the sizes of the trainable weights). */
  expectedParams?: number;
  /** Run the training-step checks. Default true. */
  trainingStep?: boolean;
  /** Absolute tolerance when comparing outputs of the same weights. Default 1e-5. */
  tolerance?: number;
  /** Seed of the random inputs. Default 1234. */
  seed?: number;
}

/** The names of the checks, as they appear in `LayerTestError.check`. */
export type LayerTestCheck =
  | 'spec'
  | 'registration'
  | 'symbolic call'
  | 'eager output shape'
  | 'computeOutputShape'
  | 'symbolic output shape'
  | 'weight counts'
  | 'param count'
  | 'eager tensor leak'
  | 'config round trip'
  | 'save/load round trip'
  | 'training step'
  | 'training tensor leak';

export class LayerTestError extends Error {
  /** Same code as node:assert's AssertionError, so runners that special-case it format it alike. */
  readonly code = 'ERR_ASSERTION';
  constructor(
    readonly layerClass: string,
    readonly check: LayerTestCheck,
    detail: string,
    readonly actual?: unknown,
    readonly expected?: unknown,
  ) {
    super(`runLayerTest(${layerClass}) failed check '${check}': ${detail}`);
    this.name = 'LayerTestError';
  }
}

type AnyLayer = tf.layers.Layer;
type Shape = (number | null)[];

const fmt = (shape: readonly (number | null)[] | undefined | null): string =>
  shape == null ? String(shape) : `[${shape.map((d) => (d == null ? 'null' : String(d))).join(', ')}]`;

function shapesMatch(actual: readonly (number | null)[], expected: readonly (number | null)[], wildcard: boolean): boolean {
  if (actual.length !== expected.length) return false;
  return actual.every((d, i) => d === expected[i] || (wildcard && expected[i] == null));
}

/** The first difference between two JSON-like values, as a path and description, or null when equal. */
function firstDifference(actual: unknown, expected: unknown, path = 'config'): string | null {
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
function withLayerDefaults(config: tf.serialization.ConfigDict): tf.serialization.ConfigDict {
  return { ...config, dtype: config['dtype'] ?? 'float32' };
}

/** The first value that is not plain JSON (function, class instance, tensor, NaN, Infinity), or null. */
function nonJsonValue(value: unknown, path = 'config'): string | null {
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
function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(tf.cast(a, 'float32'), tf.cast(b, 'float32')))).dataSync()[0]);
}

function single(output: tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | tf.SymbolicTensor[], who: string, check: LayerTestCheck) {
  if (Array.isArray(output)) {
    if (output.length !== 1) {
      throw new LayerTestError(who, check, `the layer returned ${output.length} outputs; runLayerTest supports layers with one output`);
    }
    return output[0];
  }
  return output;
}

class Harness {
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

function checkRegistration(h: Harness, layer: AnyLayer): { cls: any; fromConfig: (cls: any, config: any) => AnyLayer } {
  const cls = layer.constructor as any;
  if (!Object.prototype.hasOwnProperty.call(cls, 'className') || typeof cls.className !== 'string') {
    const inherited = typeof cls.className === 'string' ? ` (it inherits '${cls.className}' from a parent class)` : '';
    h.fail(
      'registration',
      `class ${cls.name} must declare its own \`static className = '${cls.name}'\`${inherited}; tfjs saves and finds ` +
        'layers by this name',
    );
  }
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[cls.className];
  if (!entry) {
    h.fail(
      'registration',
      `class '${cls.className}' is not registered: call tf.serialization.registerClass(${cls.name}) right after the ` +
        'class, otherwise tf.loadLayersModel cannot rebuild it',
    );
  }
  if (entry[0] !== cls) {
    h.fail(
      'registration',
      `the className '${cls.className}' is registered for a different class (${entry[0].name}); class names must be unique`,
    );
  }
  return { cls, fromConfig: entry[1] as any };
}

function checkShapesAndWeights(h: Harness): void {
  const { spec } = h;
  const layer = h.own(h.create());
  const variablesBefore = Object.keys(tf.engine().registeredVariables).length;
  const symbolic = h.guard('symbolic call', 'apply() on tf.input(s)', () =>
    single(layer.apply(h.feed(h.symbolicInputs())) as tf.SymbolicTensor | tf.SymbolicTensor[], h.who, 'symbolic call'),
  ) as tf.SymbolicTensor;

  // Eager output shape.
  const inputs = h.randomInputs();
  const eager = h.guard('eager output shape', 'apply() on random tensors', () =>
    single(layer.apply(h.feed(inputs)) as tf.Tensor | tf.Tensor[], h.who, 'eager output shape'),
  ) as tf.Tensor;
  const eagerShape = [...eager.shape];
  eager.dispose();
  const expectedConcrete = h.expectedConcrete();
  if (!shapesMatch(eagerShape, expectedConcrete, true)) {
    h.fail(
      'eager output shape',
      `calling the layer on inputs ${h.shapes.map((s) => fmt([h.batch, ...s])).join(', ')} gave shape ${fmt(eagerShape)}; ` +
        `expected ${fmt(expectedConcrete)}`,
      eagerShape,
      expectedConcrete,
    );
  }

  // computeOutputShape must describe what call() really does.
  const concreteInputShapes = h.shapes.map((s) => [h.batch, ...s]);
  const computed = h.guard('computeOutputShape', 'computeOutputShape()', () =>
    layer.computeOutputShape(h.feed(concreteInputShapes)),
  ) as Shape | Shape[];
  const computedShape = Array.isArray(computed[0]) ? (computed as Shape[]) : [computed as Shape];
  if (computedShape.length !== 1 || !shapesMatch(eagerShape, computedShape[0], false)) {
    h.fail(
      'computeOutputShape',
      `computeOutputShape(${concreteInputShapes.map(fmt).join(', ')}) returned ${computedShape.map(fmt).join(', ')} but ` +
        `call() produced ${fmt(eagerShape)}; symbolic models (tf.model) use computeOutputShape, so they would see the ` +
        'wrong shape',
      computed,
      eagerShape,
    );
  }

  // Symbolic output shape, batch null.
  const symbolicShape = [...symbolic.shape];
  if (!shapesMatch(symbolicShape, spec.expectedOutputShape, false)) {
    h.fail(
      'symbolic output shape',
      `applying the layer to tf.input(s) ${h.shapes.map((s) => fmt([null, ...s])).join(', ')} gave ${fmt(symbolicShape)}; ` +
        `expected ${fmt(spec.expectedOutputShape)} (computeOutputShape with a null batch)`,
      symbolicShape,
      spec.expectedOutputShape,
    );
  }

  // Weight and parameter counts.
  const trainable = layer.trainableWeights;
  const nonTrainable = layer.nonTrainableWeights;
  const names = (ws: tf.LayerVariable[]) => (ws.length ? ws.map((w) => `${w.originalName} ${fmt(w.shape)}`).join(', ') : 'none');
  if (spec.expectedTrainableWeights != null && trainable.length !== spec.expectedTrainableWeights) {
    h.fail(
      'weight counts',
      `expected ${spec.expectedTrainableWeights} trainable weights, the layer has ${trainable.length}: ${names(trainable)}. ` +
        'Weights must be created with addWeight() in build() (or reported through trainableWeights for sublayers)',
      trainable.length,
      spec.expectedTrainableWeights,
    );
  }
  if (spec.expectedNonTrainableWeights != null && nonTrainable.length !== spec.expectedNonTrainableWeights) {
    h.fail(
      'weight counts',
      `expected ${spec.expectedNonTrainableWeights} non-trainable weights, the layer has ${nonTrainable.length}: ${names(nonTrainable)}`,
      nonTrainable.length,
      spec.expectedNonTrainableWeights,
    );
  }
  const params = trainable.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 0), 1), 0);
  if (spec.expectedParams != null && params !== spec.expectedParams) {
    h.fail(
      'param count',
      `expected ${spec.expectedParams} trainable parameters, the layer has ${params} (${names(trainable)})`,
      params,
      spec.expectedParams,
    );
  }
  // Variables made while building but not reported by the layer are neither trained, saved nor loaded.
  const created = Object.keys(tf.engine().registeredVariables).length - variablesBefore;
  if (created > layer.weights.length) {
    h.fail(
      'weight counts',
      `building the layer created ${created} variables but it reports only ${layer.weights.length} weights ` +
        `(${names([...trainable, ...nonTrainable])}); unreported variables are not trained, saved or loaded. Create ` +
        'weights with addWeight(), or report sublayer weights through the trainableWeights/nonTrainableWeights getters',
      layer.weights.length,
      created,
    );
  }
  const weightNames = layer.weights.map((w) => w.originalName);
  const duplicate = weightNames.find((n, i) => weightNames.indexOf(n) !== i);
  if (duplicate) {
    h.fail(
      'weight counts',
      `two weights share the name '${duplicate}'; saved weights are matched by name, so loading would fail. Give ` +
        'each addWeight() a distinct name (sublayers: build them through apply() so their names are scoped)',
    );
  }

  // Leaks across repeated eager calls, in inference and training mode.
  for (const training of [false, true]) {
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const out = layer.apply(h.feed(inputs), { training }) as tf.Tensor | tf.Tensor[];
      tf.dispose(out);
    }
    const leaked = tf.memory().numTensors - before;
    if (leaked !== 0) {
      h.fail(
        'eager tensor leak',
        `3 eager calls (training: ${training}) left ${leaked} more tensor(s) allocated than before ` +
          `(${(leaked / 3).toFixed(2)} per call); wrap call() in tf.tidy() and dispose intermediate tensors`,
        leaked,
        0,
      );
    }
  }
}

function checkConfigRoundTrip(h: Harness, fromConfig: (cls: any, config: any) => AnyLayer, cls: any): void {
  const layer = h.own(h.create());
  h.guard('config round trip', 'apply() on tf.input(s)', () => layer.apply(h.feed(h.symbolicInputs())));
  const config = h.guard('config round trip', 'getConfig()', () => layer.getConfig());
  const bad = nonJsonValue(config);
  if (bad) {
    h.fail('config round trip', `getConfig() must return plain JSON (it is written to model.json): ${bad}`);
  }
  // What a saved model.json gives back: undefined entries dropped, everything else as JSON.
  const json = JSON.parse(JSON.stringify(config));
  const clone = h.own(
    h.guard('config round trip', `${cls.className}.fromConfig(getConfig())`, () => fromConfig(cls, json)),
  );
  if (!(clone instanceof cls)) {
    h.fail('config round trip', `fromConfig returned a ${clone?.constructor?.name}, not a ${cls.name}`);
  }
  const cloneConfig = h.guard('config round trip', 'getConfig() of the rebuilt layer', () => clone.getConfig());
  const diff = firstDifference(withLayerDefaults(cloneConfig), withLayerDefaults(config));
  if (diff) {
    h.fail(
      'config round trip',
      `the layer rebuilt with fromConfig(getConfig()) has a different config (rebuilt vs original): ${diff}. ` +
        'The constructor must read back every field getConfig() writes',
      cloneConfig,
      config,
    );
  }
  h.guard('config round trip', 'apply() of the rebuilt layer on tf.input(s)', () => clone.apply(h.feed(h.symbolicInputs())));
  const originalWeights = layer.weights;
  const cloneWeights = clone.weights;
  const describe = (ws: tf.LayerVariable[]) => ws.map((w) => fmt(w.shape)).join(', ') || 'none';
  if (
    originalWeights.length !== cloneWeights.length ||
    originalWeights.some((w, i) => !shapesMatch(w.shape, cloneWeights[i].shape, false))
  ) {
    h.fail(
      'config round trip',
      `the layer rebuilt from its config has weights ${describe(cloneWeights)} where the original has ` +
        `${describe(originalWeights)}: getConfig() probably misses a constructor option that shapes the weights`,
    );
  }
  h.guard('config round trip', 'setWeights() with the original weights', () => clone.setWeights(layer.getWeights()));
  const inputs = h.randomInputs(h.batch, 1);
  const a = layer.apply(h.feed(inputs)) as tf.Tensor;
  const b = h.guard('config round trip', 'eager call of the rebuilt layer', () => clone.apply(h.feed(inputs)) as tf.Tensor);
  try {
    if (!shapesMatch(b.shape, a.shape, false)) {
      h.fail('config round trip', `the rebuilt layer outputs ${fmt(b.shape)}, the original ${fmt(a.shape)}`);
    }
    const again = layer.apply(h.feed(inputs)) as tf.Tensor;
    const selfDiff = maxAbsDiff(a, again);
    again.dispose();
    if (!(selfDiff <= h.tolerance)) {
      h.fail(
        'config round trip',
        `two inference calls on the same input differ (max |diff| = ${selfDiff}); call() must be deterministic ` +
          'unless kwargs.training is true',
      );
    }
    const diffValue = maxAbsDiff(a, b);
    if (!(diffValue <= h.tolerance)) {
      h.fail(
        'config round trip',
        `with identical weights, the layer rebuilt from getConfig() computes a different output (max |diff| = ` +
          `${diffValue}): getConfig() probably misses an option that changes the computation, or the layer ` +
          'keeps state outside its reported weights',
        diffValue,
        h.tolerance,
      );
    }
  } finally {
    tf.dispose([a, b]);
  }
}

/** Saves `model` into memory, as model.json + weights would be written, and returns the artifacts. */
async function saveToMemory(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved) throw new Error('model.save() did not call the IOHandler');
  const artifacts = saved as tf.io.ModelArtifacts;
  // What reading model.json back from disk gives: plain JSON, no object identity shared with the model.
  return {
    ...artifacts,
    modelTopology: JSON.parse(JSON.stringify(artifacts.modelTopology)),
    weightSpecs: JSON.parse(JSON.stringify(artifacts.weightSpecs)),
  };
}

async function checkSaveLoad(h: Harness): Promise<void> {
  const layer = h.create();
  const inputs = h.symbolicInputs();
  const output = h.guard('save/load round trip', 'apply() on tf.input(s)', () => layer.apply(h.feed(inputs))) as tf.SymbolicTensor;
  const model = h.own(tf.model({ inputs, outputs: output }));
  const artifacts = await h.guardAsync('save/load round trip', 'model.save()', () => saveToMemory(model));
  const layerWeightNames = layer.weights.map((w) => w.originalName);
  const savedNames = new Set((artifacts.weightSpecs ?? []).map((s) => s.name));
  const missing = layerWeightNames.filter((n) => !savedNames.has(n));
  if (missing.length) {
    h.fail('save/load round trip', `model.save() did not write the layer's weights ${missing.join(', ')}`);
  }
  let loaded: tf.LayersModel;
  try {
    loaded = h.own(await tf.loadLayersModel(tf.io.fromMemory(artifacts)));
  } catch (e) {
    const message = (e as Error)?.message ?? String(e);
    const hint = /no target variable|weights are not set/.test(message)
      ? ` Saved weight names: ${[...savedNames].join(', ')}. Weights are matched by name, so a new instance of the ` +
        'layer must give its weights the same names: give sublayers fixed names instead of generated ones'
      : '';
    h.fail('save/load round trip', `tf.loadLayersModel(saved artifacts) threw: ${message}.${hint}`);
  }
  const loadedLayer = loaded.layers.find((l) => l.name === layer.name);
  if (!loadedLayer) h.fail('save/load round trip', `the loaded model has no layer named '${layer.name}'`);
  if (loadedLayer.getClassName() !== layer.getClassName()) {
    h.fail('save/load round trip', `the loaded layer is a ${loadedLayer.getClassName()}, not a ${layer.getClassName()}`);
  }
  const configDiff = firstDifference(withLayerDefaults(loadedLayer.getConfig()), withLayerDefaults(layer.getConfig()));
  if (configDiff) {
    h.fail(
      'save/load round trip',
      `the loaded layer's config differs (loaded vs original): ${configDiff}. Configs are saved with snake_case keys ` +
        'and loaded back to camelCase, so string values and keys must survive that conversion, and undefined becomes null',
    );
  }
  const originalWeights = layer.weights;
  const loadedWeights = loadedLayer.weights;
  if (originalWeights.length !== loadedWeights.length) {
    h.fail(
      'save/load round trip',
      `the loaded layer has ${loadedWeights.length} weights, the original ${originalWeights.length}`,
    );
  }
  for (let i = 0; i < originalWeights.length; i++) {
    const d = tf.tidy(() => maxAbsDiff(originalWeights[i].read(), loadedWeights[i].read()));
    if (!(d <= 0)) {
      h.fail(
        'save/load round trip',
        `weight '${originalWeights[i].originalName}' was not restored (max |diff| = ${d}); is every weight created ` +
          'with addWeight() in build() and reported by the layer?',
      );
    }
  }
  const x = h.randomInputs(h.batch, 2);
  const a = model.predict(h.feed(x)) as tf.Tensor;
  const b = loaded.predict(h.feed(x)) as tf.Tensor;
  try {
    const d = maxAbsDiff(a, b);
    if (!(d <= h.tolerance)) {
      h.fail(
        'save/load round trip',
        `the loaded model computes a different output (max |diff| = ${d}); some state is not saved: weights made ` +
          'outside addWeight(), or sublayer weights not reported through trainableWeights',
        d,
        h.tolerance,
      );
    }
  } finally {
    tf.dispose([a, b]);
  }
}

async function checkTraining(h: Harness): Promise<void> {
  const layer = h.create();
  const inputs = h.symbolicInputs();
  const features = h.guard('training step', 'apply() on tf.input(s)', () => layer.apply(h.feed(inputs))) as tf.SymbolicTensor;
  const head = tf.layers.dense({ units: 1, kernelInitializer: 'ones', name: `${layer.name}_test_head` });
  const model = h.own(tf.model({ inputs, outputs: head.apply(features) as tf.SymbolicTensor }));
  const x = h.randomInputs(h.batch, 3);
  const outShape = [h.batch, ...(model.outputs[0].shape.slice(1) as number[])];
  const y = h.own(tf.randomUniform(outShape, -1, 1, 'float32', h.seed + 17));
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const loss = () =>
    tf.tidy(() => tf.mean(tf.square(tf.sub(model.apply(h.feed(x), { training: true }) as tf.Tensor, y))) as tf.Scalar);
  const optimizer = h.own(tf.train.adam(0.01));
  const step = () => {
    const { value, grads } = tf.variableGrads(loss, variables);
    optimizer.applyGradients(grads as unknown as Parameters<typeof optimizer.applyGradients>[0]);
    tf.dispose([value, grads]);
  };

  const layerWeights = layer.trainableWeights;
  if (layerWeights.length > 0) {
    // Every trainable weight of the layer must be connected to the output.
    const { value, grads } = h.guard('training step', 'computing gradients', () => tf.variableGrads(loss, variables));
    const unconnected = layerWeights.filter((w) => grads[(w.read() as tf.Variable).name] == null).map((w) => w.originalName);
    tf.dispose([value, grads]);
    if (unconnected.length) {
      h.fail(
        'training step',
        `no gradient reaches the trainable weight(s) ${unconnected.join(', ')}: call() does not use them (or reads ` +
          'them through an op without a gradient, or outside the recorded computation)',
      );
    }
  }
  const before = layerWeights.map((w) => w.read().dataSync().slice());
  h.guard('training step', 'one optimizer step', step);
  if (layerWeights.length > 0) {
    const changed = layerWeights.filter((w, i) => {
      const now = w.read().dataSync();
      return now.some((v, j) => v !== before[i][j]);
    });
    if (changed.length === 0) {
      h.fail('training step', `one optimizer step changed none of the layer's trainable weights (${layerWeights.map((w) => w.originalName).join(', ')})`);
    }
  }
  // The first step may create optimizer state (Adam's moments); an identical second step must allocate nothing
  // that outlives it.
  const tensorsBefore = tf.memory().numTensors;
  step();
  const leaked = tf.memory().numTensors - tensorsBefore;
  if (leaked !== 0) {
    h.fail(
      'training tensor leak',
      `a training step (forward with training: true, gradients, update) left ${leaked} more tensor(s) allocated ` +
        'than before; wrap call() in tf.tidy()',
      leaked,
      0,
    );
  }
}

/**
 * Runs the conformance checks on the layer `spec.create()` returns. Resolves when every check passes, throws a
 * `LayerTestError` naming the first failed check otherwise. Works under any test runner, on the current backend.
 */
export async function runLayerTest(spec: LayerTestSpec): Promise<void> {
  const h = new Harness(spec);
  try {
    const probe = h.own(h.create());
    h.who = probe.getClassName?.() || probe.constructor.name;
    const { cls, fromConfig } = checkRegistration(h, probe);
    checkShapesAndWeights(h);
    checkConfigRoundTrip(h, fromConfig, cls);
    await checkSaveLoad(h);
    if (spec.trainingStep ?? true) await checkTraining(h);
  } finally {
    h.dispose();
  }
}
