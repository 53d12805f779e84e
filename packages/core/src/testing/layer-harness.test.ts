import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import * as tf from '@tensorflow/tfjs';

import { LayerTestError, runLayerTest, type LayerTestCheck, type LayerTestSpec } from './index.js';

type Shape = tf.Shape;
type Kwargs = { [key: string]: any };

interface ProjectArgs {
  units: number;
  scale?: number;
  name?: string;
}

/** A correct little layer: y = scale * (x W + b). Broken variants below each get one thing wrong. */
class GoodProject extends tf.layers.Layer {
  static className = 'HarnessTestGoodProject';
  readonly units: number;
  readonly scale: number;
  protected kernel: tf.LayerVariable | null = null;
  protected bias: tf.LayerVariable | null = null;

  constructor(args: ProjectArgs) {
    super({ name: args.name });
    this.units = args.units;
    this.scale = args.scale ?? 1;
  }
  override build(inputShape: Shape | Shape[]): void {
    const shape = inputShape as Shape;
    this.kernel = this.addWeight('kernel', [shape[shape.length - 1]!, this.units], 'float32', tf.initializers.glorotUniform({}));
    this.bias = this.addWeight('bias', [this.units], 'float32', tf.initializers.ones());
    this.built = true;
  }
  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const shape = inputShape as Shape;
    return [...shape.slice(0, -1), this.units];
  }
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.mul(tf.add(tf.matMul(x as tf.Tensor2D, this.kernel!.read() as tf.Tensor2D), this.bias!.read()), this.scale);
    });
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, scale: this.scale };
  }
}
tf.serialization.registerClass(GoodProject);

class WrongComputeOutputShape extends GoodProject {
  static override className = 'HarnessTestWrongComputeOutputShape';
  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const shape = inputShape as Shape;
    return [shape[0], this.units + 1];
  }
}
tf.serialization.registerClass(WrongComputeOutputShape);

/** getConfig forgets `units`, which shapes the weights. */
class ConfigMissingUnits extends GoodProject {
  static override className = 'HarnessTestConfigMissingUnits';
  constructor(args: ProjectArgs) {
    super({ ...args, units: args.units ?? 2 });
  }
  override getConfig(): tf.serialization.ConfigDict {
    const { units: _units, ...config } = super.getConfig();
    return config;
  }
}
tf.serialization.registerClass(ConfigMissingUnits);

/** getConfig forgets `scale`, which changes only the computation. */
class ConfigMissingScale extends GoodProject {
  static override className = 'HarnessTestConfigMissingScale';
  override getConfig(): tf.serialization.ConfigDict {
    const { scale: _scale, ...config } = super.getConfig();
    return config;
  }
}
tf.serialization.registerClass(ConfigMissingScale);

/** Allocates a tensor outside tf.tidy on every call. */
class LeakyCall extends GoodProject {
  static override className = 'HarnessTestLeakyCall';
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    tf.zeros([1]); // never disposed
    return super.call(inputs, kwargs);
  }
}
tf.serialization.registerClass(LeakyCall);

/** Leaks only on the training path, like a dropout written outside tf.tidy. */
class LeakyTrainingCall extends GoodProject {
  static override className = 'HarnessTestLeakyTrainingCall';
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    if (kwargs['training']) tf.ones([2]);
    return super.call(inputs, kwargs);
  }
}
tf.serialization.registerClass(LeakyTrainingCall);

/** Never passed to registerClass. */
class NotRegistered extends GoodProject {
  static override className = 'HarnessTestNotRegistered';
}

/** Declares no className of its own, so it would be saved (and loaded) as its parent. */
class NoOwnClassName extends GoodProject {}

/** Creates a weight it never uses. */
class UnusedWeight extends GoodProject {
  static override className = 'HarnessTestUnusedWeight';
  override build(inputShape: Shape | Shape[]): void {
    super.build(inputShape);
    this.addWeight('forgotten', [3], 'float32', tf.initializers.ones());
  }
}
tf.serialization.registerClass(UnusedWeight);

/** Uses its weight in a way that can never change it (zero gradient). */
class FrozenByMath extends GoodProject {
  static override className = 'HarnessTestFrozenByMath';
  override build(_inputShape: Shape | Shape[]): void {
    this.addWeight('k', [1], 'float32', tf.initializers.ones());
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
      const k = this.trainableWeights[0].read();
      return tf.add(tf.matMul(x, tf.ones([x.shape[1], this.units])), tf.mul(k, 0));
    });
  }
}
tf.serialization.registerClass(FrozenByMath);

/**
 * Wraps a Dense sublayer but does not report the sublayer's weights: the model saves nothing for them, so a
 * loaded model starts from fresh random weights.
 */
class UntrackedSublayer extends tf.layers.Layer {
  static className = 'HarnessTestUntrackedSublayer';
  readonly units: number;
  private readonly inner: tf.layers.Layer;
  constructor(args: { units: number; name?: string }) {
    super({ name: args.name });
    this.units = args.units;
    this.inner = tf.layers.dense({ units: args.units });
  }
  override build(inputShape: Shape | Shape[]): void {
    this.inner.build(inputShape);
    this.built = true;
  }
  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return this.inner.computeOutputShape(inputShape);
  }
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return this.inner.call(inputs, kwargs);
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units };
  }
}
tf.serialization.registerClass(UntrackedSublayer);

/**
 * Reports its sublayer's weights and scopes their names by building it through apply(), but lets tfjs generate
 * the sublayer's name (dense_Dense7), so a second instance, like the one tf.loadLayersModel builds, names its
 * weights differently and the saved weights find no target.
 */
class AutoNamedSublayer extends tf.layers.Layer {
  static className = 'HarnessTestAutoNamedSublayer';
  readonly units: number;
  private readonly inner: tf.layers.Layer;
  constructor(args: { units: number; name?: string }) {
    super({ name: args.name });
    this.units = args.units;
    this.inner = tf.layers.dense({ units: args.units });
  }
  override build(inputShape: Shape | Shape[]): void {
    this.inner.apply(tf.input({ batchShape: inputShape as Shape }));
    this.built = true;
  }
  override get trainableWeights(): tf.LayerVariable[] {
    return this.inner.trainableWeights;
  }
  override set trainableWeights(w: tf.LayerVariable[]) {
    super.trainableWeights = w;
  }
  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return this.inner.computeOutputShape(inputShape);
  }
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return this.inner.call(inputs, kwargs);
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units };
  }
}
tf.serialization.registerClass(AutoNamedSublayer);

/**
 * Reports two Dense sublayers' weights but builds them with build() rather than apply(), so both kernels get
 * the same unscoped name and a saved model cannot tell them apart.
 */
class CollidingSublayers extends tf.layers.Layer {
  static className = 'HarnessTestCollidingSublayers';
  private readonly first = tf.layers.dense({ units: 3 });
  private readonly second = tf.layers.dense({ units: 3 });
  override build(inputShape: Shape | Shape[]): void {
    this.first.build(inputShape);
    this.second.build([...(inputShape as Shape).slice(0, -1), 3]);
    this.built = true;
  }
  override get trainableWeights(): tf.LayerVariable[] {
    return [...this.first.trainableWeights, ...this.second.trainableWeights];
  }
  override set trainableWeights(w: tf.LayerVariable[]) {
    super.trainableWeights = w;
  }
  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return [...(inputShape as Shape).slice(0, -1), 3];
  }
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => this.second.call(this.first.call(inputs, kwargs), kwargs));
  }
}
tf.serialization.registerClass(CollidingSublayers);

const goodSpec = (create: () => tf.layers.Layer): LayerTestSpec => ({
  create,
  inputShape: [4],
  expectedOutputShape: [null, 3],
});

async function expectFailure(spec: LayerTestSpec, check: LayerTestCheck, message: RegExp): Promise<void> {
  await assert.rejects(runLayerTest(spec), (e: unknown) => {
    assert.ok(e instanceof LayerTestError, `expected a LayerTestError, got ${String(e)}`);
    assert.equal(e.check, check, `wrong check failed; message: ${e.message}`);
    assert.match(e.message, message);
    assert.equal(e.code, 'ERR_ASSERTION');
    return true;
  });
}

describe('runLayerTest', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('passes a correct custom layer and a built-in Dense, with exact counts', async () => {
    await runLayerTest({
      ...goodSpec(() => new GoodProject({ units: 3, scale: 2 })),
      expectedTrainableWeights: 2,
      expectedNonTrainableWeights: 0,
      expectedParams: 4 * 3 + 3,
    });
    await runLayerTest({
      create: () => tf.layers.dense({ units: 5, activation: 'relu' }),
      inputShape: [3, 4],
      batchSize: 3,
      expectedOutputShape: [null, 3, 5],
      expectedParams: 25,
    });
  });

  it('accepts several inputs with per-input dtypes and an embedding with int32 ids', async () => {
    await runLayerTest({
      create: () => tf.layers.add(),
      inputShape: [[2, 3], [2, 3]],
      expectedOutputShape: [null, 2, 3],
      expectedTrainableWeights: 0,
    });
    await runLayerTest({
      create: () => tf.layers.embedding({ inputDim: 7, outputDim: 4 }),
      inputShape: [5],
      inputDtype: 'int32',
      inputMaxValue: 7,
      expectedOutputShape: [null, 5, 4],
      expectedParams: 28,
    });
  });

  it('leaves no tensors behind itself', async () => {
    const before = tf.memory().numTensors;
    await runLayerTest(goodSpec(() => new GoodProject({ units: 3 })));
    assert.equal(tf.memory().numTensors, before);
  });

  it('fails a wrong expected shape or wrong counts', async () => {
    await expectFailure(
      { ...goodSpec(() => new GoodProject({ units: 3 })), expectedOutputShape: [null, 4] },
      'eager output shape',
      /gave shape \[2, 3\]; expected \[2, 4\]/,
    );
    await expectFailure(
      { ...goodSpec(() => new GoodProject({ units: 3 })), expectedParams: 12 },
      'param count',
      /expected 12 trainable parameters, the layer has 15/,
    );
    await expectFailure(
      { ...goodSpec(() => new GoodProject({ units: 3 })), expectedTrainableWeights: 3 },
      'weight counts',
      /expected 3 trainable weights, the layer has 2/,
    );
  });

  it('fails a layer whose computeOutputShape disagrees with call()', async () => {
    await expectFailure(
      goodSpec(() => new WrongComputeOutputShape({ units: 3 })),
      'computeOutputShape',
      /computeOutputShape\(\[2, 4\]\) returned \[2, 4\] but call\(\) produced \[2, 3\]/,
    );
  });

  it('fails a layer whose getConfig misses a field', async () => {
    await expectFailure(
      goodSpec(() => new ConfigMissingUnits({ units: 3 })),
      'config round trip',
      /getConfig\(\) probably misses a constructor option that shapes the weights/,
    );
    await expectFailure(
      goodSpec(() => new ConfigMissingScale({ units: 3, scale: 3 })),
      'config round trip',
      /computes a different output/,
    );
  });

  it('fails a class that is not registered or has no className of its own', async () => {
    await expectFailure(goodSpec(() => new NotRegistered({ units: 3 })), 'registration', /registerClass\(NotRegistered\)/);
    await expectFailure(
      goodSpec(() => new NoOwnClassName({ units: 3 })),
      'registration',
      /must declare its own `static className/,
    );
  });

  it('fails a layer that leaks tensors, in inference or only in training', async () => {
    await expectFailure(
      goodSpec(() => new LeakyCall({ units: 3 })),
      'eager tensor leak',
      /3 eager calls \(training: false\) left 3 more tensor/,
    );
    await expectFailure(
      goodSpec(() => new LeakyTrainingCall({ units: 3 })),
      'eager tensor leak',
      /training: true/,
    );
  });

  it('fails a layer with an unused weight or weights that cannot train', async () => {
    await expectFailure(goodSpec(() => new UnusedWeight({ units: 3 })), 'training step', /no gradient reaches.*forgotten/);
    await expectFailure(goodSpec(() => new FrozenByMath({ units: 3 })), 'training step', /changed none/);
  });

  it('fails a layer whose sublayer weights are untracked, collide by name or are named differently per instance', async () => {
    await expectFailure(
      goodSpec(() => new UntrackedSublayer({ units: 3 })),
      'weight counts',
      /created 2 variables but it reports only 0 weights/,
    );
    await expectFailure(
      goodSpec(() => new AutoNamedSublayer({ units: 3 })),
      'save/load round trip',
      /no target variable.*give sublayers fixed names/,
    );
    await expectFailure(
      goodSpec(() => new CollidingSublayers({})),
      'weight counts',
      /two weights share the name/,
    );
  });

  it('skips the training checks when asked', async () => {
    await runLayerTest({ ...goodSpec(() => new FrozenByMath({ units: 3 })), trainingStep: false });
  });

  it('rejects a malformed spec clearly', async () => {
    await expectFailure({ ...goodSpec(() => new GoodProject({ units: 3 })), inputShape: [] }, 'spec', /inputShape/);
    await expectFailure(
      { ...goodSpec(() => new GoodProject({ units: 3 })), inputShape: [[4], [4]], inputDtype: ['float32'] },
      'spec',
      /inputDtype has 1 entries for 2 inputs/,
    );
  });
});
