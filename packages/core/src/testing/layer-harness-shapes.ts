/** Layer checks 1-7: registration, symbolic and eager shapes, weight counts and names, no leaks across calls. */
import * as tf from '@tensorflow/tfjs';
import { LayerTestError } from './layer-test-spec.js';
import { fmt, Harness, shapesMatch, single, type AnyLayer, type Shape } from './layer-harness-state.js';

export function checkRegistration(h: Harness, layer: AnyLayer): { cls: any; fromConfig: (cls: any, config: any) => AnyLayer } {
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

export function checkShapesAndWeights(h: Harness): void {
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

