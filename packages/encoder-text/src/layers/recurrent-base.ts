/**
 * What PolymodalLSTM and PolymodalGRU share: Keras-compatible weights (`kernel [D, G*units]`,
 * `recurrent_kernel [units, G*units]`, `bias`), input and recurrent dropout with one mask per sequence (as
 * Keras), the input projection of every time step in one matMul, and a time loop whose forward pass and
 * backward pass (back-propagation through time) are written by hand inside one `tf.customGrad`, so the
 * gradient tape records one node per layer call instead of a dozen per time step.
 */
import * as tf from '@tensorflow/tfjs';
import { checkPositiveInt, checkRate } from '@polymodal/core';
import { noteOnce } from './fused-recurrence.js';

export type RecurrentLayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
export type Kwargs = { [key: string]: any };

/** Initializers a recurrent layer config may name (stored by name so the config stays plain JSON). */
export type RecurrentInitializerName = 'glorotUniform' | 'glorotNormal' | 'orthogonal' | 'zeros' | 'heUniform' | 'leCunUniform';

const INITIALIZERS: Record<RecurrentInitializerName, () => ReturnType<typeof tf.initializers.zeros>> = {
  glorotUniform: () => tf.initializers.glorotUniform({}),
  glorotNormal: () => tf.initializers.glorotNormal({}),
  orthogonal: () => tf.initializers.orthogonal({ gain: 1 }),
  zeros: () => tf.initializers.zeros(),
  heUniform: () => tf.initializers.heUniform({}),
  leCunUniform: () => tf.initializers.leCunUniform({}),
};

export interface PolymodalRecurrentArgs extends RecurrentLayerArgs {
  units: number;
  /** Return the whole output sequence `[batch, steps, units]` instead of the last output `[batch, units]`. */
  returnSequences?: boolean;
  /**
   * Read the sequence from its last step to its first. Unlike Keras, a returned sequence is aligned with the
   * input steps (output step t belongs to input step t), as Keras's Bidirectional wrapper aligns it.
   */
  goBackwards?: boolean;
  /** Fraction of input features dropped in training (one mask per sequence). Default 0. */
  dropout?: number;
  /** Fraction of the recurrent state dropped before the recurrent matMul in training. Default 0. */
  recurrentDropout?: number;
  /** Default 'glorotUniform' (Keras). */
  kernelInitializer?: RecurrentInitializerName;
  /** Default 'orthogonal' (Keras). */
  recurrentInitializer?: RecurrentInitializerName;
  /**
   * How the time loop runs: 'loops' (plain JavaScript loops over typed arrays: fastest on the cpu and wasm
   * backends, where each tfjs op has a high fixed cost), 'ops' (a few tfjs ops per step: for GPU backends,
   * where data stays on the device), or 'auto' (default: the active backend's fused time loop where it has one
   * for the layer (LSTM: BlockLSTMV2 on tensorflow, two SIMD kernels on wasm with @polymodal/backend-wasm; GRU with
   * resetAfter false: GRUBlockCell on tensorflow), else
   * 'loops' on cpu and wasm and 'ops' elsewhere). All compute the same values and gradients (within 1e-5).
   */
  implementation?: RecurrentImplementation;
}

export type RecurrentImplementation = 'auto' | 'loops' | 'ops';


function checkInitializer(name: unknown, option: string, layer: string): RecurrentInitializerName {
  if (typeof name !== 'string' || !(name in INITIALIZERS)) {
    throw new Error(`${layer}: ${option} must be one of ${Object.keys(INITIALIZERS).join(', ')}; got ${JSON.stringify(name)}`);
  }
  return name as RecurrentInitializerName;
}

/** A dropout mask of 0 and 1/keep values, Keras's inverted dropout. */
export function dropoutMask(shape: number[], rate: number): tf.Tensor {
  return tf.tidy(() => tf.div(tf.floor(tf.add(tf.randomUniform(shape), 1 - rate)), 1 - rate));
}

/** A backend's fused time loop (core's FusedLstmRoutine.lstm, FusedGruRoutine.gru): every h `[T, batch, units]`. */
type FusedTimeLoop = (timeMajor: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D) => tf.Tensor3D;

/** Recurrent layer base; subclasses give the gate count, bias shape and the time loop. */
export abstract class PolymodalRecurrentBase extends tf.layers.Layer {
  readonly units: number;
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly kernelInitializer: RecurrentInitializerName;
  readonly recurrentInitializer: RecurrentInitializerName;
  readonly implementation: RecurrentImplementation;

  protected kernel: tf.LayerVariable | null = null;
  protected recurrentKernel: tf.LayerVariable | null = null;
  protected bias: tf.LayerVariable | null = null;

  /** Gates per unit: 4 for LSTM (i, f, c, o), 3 for GRU (z, r, h). */
  protected abstract readonly gates: number;
  protected abstract who(): string;
  /** Shape of the bias weight. */
  protected abstract biasShape(): number[];
  /** The bias's initial values (Keras's unit forget bias, or zeros). */
  protected abstract initialBias(): tf.Tensor;
  /**
   * The recurrence over time-major inputs `xp [T, batch, G*units]` (input projection, bias included where
   * the cell adds it to the input side), from a zero state. Returns `[T, batch, units]` when
   * `sequences`, else `[batch, units]`. `recurrentMask` is `[batch, units]` or null.
   */
  protected abstract recurOps(xp: tf.Tensor3D, recurrentMask: tf.Tensor | null, sequences: boolean): tf.Tensor;
  /** The same recurrence as `recurOps`, run as typed-array loops (one customGrad node, no per-step ops). */
  protected abstract recurLoops(xp: tf.Tensor3D, recurrentMask: tf.Tensor | null, sequences: boolean): tf.Tensor;
  /** Bias added to the input projection of every step. */
  protected abstract inputBias(): tf.Tensor;

  constructor(args: PolymodalRecurrentArgs) {
    super(args);
    const who = this.constructor.name;
    this.units = checkPositiveInt(args.units, 'units', who);
    this.returnSequences = args.returnSequences ?? false;
    this.goBackwards = args.goBackwards ?? false;
    this.dropout = checkRate(args.dropout, 'dropout', who);
    this.recurrentDropout = checkRate(args.recurrentDropout, 'recurrentDropout', who);
    this.kernelInitializer = checkInitializer(args.kernelInitializer ?? 'glorotUniform', 'kernelInitializer', who);
    this.recurrentInitializer = checkInitializer(args.recurrentInitializer ?? 'orthogonal', 'recurrentInitializer', who);
    const implementation = args.implementation ?? 'auto';
    if (!['auto', 'loops', 'ops'].includes(implementation)) {
      throw new Error(`${who}: implementation must be 'auto', 'loops' or 'ops'; got ${JSON.stringify(implementation)}`);
    }
    this.implementation = implementation;
  }

  /** Whether calls run the typed-array loops (see `implementation`). */
  usesLoops(): boolean {
    if (this.implementation !== 'auto') return this.implementation === 'loops';
    const backend = tf.getBackend();
    return backend === 'cpu' || backend === 'wasm';
  }

  private featuresOf(inputShape: tf.Shape | tf.Shape[]): { shape: tf.Shape; features: number } {
    const shape = (Array.isArray(inputShape[0]) ? (inputShape as tf.Shape[])[0] : inputShape) as tf.Shape;
    if (shape.length !== 3 || shape[2] == null) {
      throw new Error(`${this.who()} '${this.name}': expects [batch, steps, features] with known features; got [${shape.join(', ')}]`);
    }
    return { shape, features: shape[2] };
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const { features } = this.featuresOf(inputShape);
    const width = this.gates * this.units;
    this.kernel = this.addWeight('kernel', [features, width], 'float32', INITIALIZERS[this.kernelInitializer]());
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, width], 'float32', INITIALIZERS[this.recurrentInitializer]());
    this.bias = this.addWeight('bias', this.biasShape(), 'float32', tf.initializers.zeros());
    const initial = this.initialBias();
    this.bias.write(initial);
    initial.dispose();
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const { shape } = this.featuresOf(inputShape);
    return this.returnSequences ? [shape[0], shape[1], this.units] : [shape[0], this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      if (!this.kernel) throw new Error(`${this.who()} '${this.name}' was called before build()`);
      let x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      if (x.dtype !== 'float32') x = tf.cast(x, 'float32');
      const [batch, steps, features] = x.shape;
      const training = kwargs?.['training'] === true;
      if (training && this.dropout > 0) x = tf.mul(x, tf.expandDims(dropoutMask([batch, features], this.dropout), 1));
      const out = this.recurFused(x, training) ?? this.recur(x, training);
      if (!this.returnSequences) return out;
      const aligned = this.goBackwards ? tf.reverse(out, 0) : out;
      return tf.transpose(aligned, [1, 0, 2]);
    });
  }

  /** The time loop from `x [batch, T, D]`: the input projection of every step in one matMul, then the recurrence. */
  private recur(x: tf.Tensor3D, training: boolean): tf.Tensor {
    const [batch, steps, features] = x.shape;
    const width = this.gates * this.units;
    const projected = tf.add(tf.matMul(tf.reshape(x, [batch * steps, features]), this.kernel!.read()), this.inputBias());
    let xp = tf.transpose(tf.reshape(projected, [batch, steps, width]), [1, 0, 2]) as tf.Tensor3D;
    if (this.goBackwards) xp = tf.reverse(xp, 0);
    const mask = training && this.recurrentDropout > 0 ? dropoutMask([batch, this.units], this.recurrentDropout) : null;
    return this.usesLoops() ? this.recurLoops(xp, mask, this.returnSequences) : this.recurOps(xp, mask, this.returnSequences);
  }

  /**
   * The whole time loop as the backend's fused op (see fused-recurrence.ts), from `x [batch, T, D]`: the same
   * time-major result as the loops, or null where there is none (then the loops run).
   */
  protected recurFused(_x: tf.Tensor3D, _training: boolean): tf.Tensor | null {
    return null;
  }

  /**
   * For `recurFused`: runs `loop` (a backend's fused time loop, every h `[T, batch, units]`) over `x [batch, T, D]`
   * with the layer's weights and returns what the loops would. Null, said once, when training with recurrent
   * dropout: the fused kernels take no mask for h.
   */
  protected fusedTimeLoop(x: tf.Tensor3D, training: boolean, loop: FusedTimeLoop): tf.Tensor | null {
    if (training && this.recurrentDropout > 0) {
      noteOnce(`${this.who()} recurrentDropout`, `${this.who()}: recurrentDropout has no fused kernel on ${tf.getBackend()} (the fused kernel takes no mask for h), ` +
        'so training runs the per-step loop (slower); predictions still use the fused kernel');
      return null;
    }
    const [batch, steps] = x.shape;
    let timeMajor = tf.transpose(x, [1, 0, 2]) as tf.Tensor3D;
    if (this.goBackwards) timeMajor = tf.reverse(timeMajor, 0);
    const hs = loop(timeMajor, this.kernel!.read() as tf.Tensor2D, this.recurrentKernel!.read() as tf.Tensor2D, this.bias!.read() as tf.Tensor1D);
    return this.returnSequences ? hs : tf.reshape(tf.slice(hs, [steps - 1, 0, 0], [1, batch, this.units]), [batch, this.units]);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      returnSequences: this.returnSequences,
      goBackwards: this.goBackwards,
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
      kernelInitializer: this.kernelInitializer,
      recurrentInitializer: this.recurrentInitializer,
      implementation: this.implementation,
    };
  }
}
