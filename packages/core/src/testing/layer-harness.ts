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
import { saveToMemory } from './memory-io.js';
import { LayerTestError, type LayerTestSpec } from './layer-test-spec.js';
import { firstDifference, fmt, Harness, maxAbsDiff, nonJsonValue, shapesMatch, single, withLayerDefaults, type AnyLayer } from './layer-harness-state.js';
import { checkRegistration, checkShapesAndWeights } from './layer-harness-shapes.js';

export { LayerTestError, type LayerTestCheck, type LayerTestDtype, type LayerTestSpec } from './layer-test-spec.js';
export { firstDifference } from './layer-harness-state.js';

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
