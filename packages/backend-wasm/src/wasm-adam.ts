/**
 * Adam on the wasm backend as one SIMD pass per variable (PolymodalAdamUpdate, adam-update.ts), where tfjs's
 * AdamOptimizer runs ~13 full-size kernels and uploads 5 scalars per variable and step (for the seed model's 8
 * weights ~110 of a step's 270 kernel calls: 164 with this one). Same arithmetic as tfjs's, bit for bit: training
 * with it gives the weights and moments tf.train.adam gives. Measured (2 cores, load ~0.5): applyGradients of the
 * seed model's 8 weights 1.2-1.5 ms -> 0.3-0.4 ms (median; the [123040, 1] kernel dominates, memory-bound).
 *
 * The state is tfjs's: the moments are tfjs variables, beta^t running products in accBeta1 / accBeta2 (updated
 * with tfjs's own multiplications), getWeights / setWeights in tfjs's format (iterations, every first moment,
 * every second moment), so core's optimizer-state capture and saved state read the same with either optimizer.
 * Moments are kept per variable name (tfjs keeps them by position), so a step that trains another set of
 * variables (a backbone unfrozen mid-run) keeps the moments of those it still trains; in the usual case (the
 * same variables every step) the order, and so getWeights, is tfjs's.
 */
import * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE_KERNEL, registerAdamUpdateKernel, type AdamUpdateAttrs } from './adam-update.js';
import { simdKernels } from './simd/simd-kernels.js';

/** tfjs's { name, tensor } pair (not re-exported by @tensorflow/tfjs). */
interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

interface Moment {
  /** The name getWeights reports (tfjs's `<variable>/m`, or the name it was restored under). */
  readonly name: string;
  readonly variable: tf.Variable;
}

interface Moments {
  readonly first: Moment;
  readonly second: Moment;
}

function gradientEntries(gradients: tf.NamedTensorMap | NamedTensor[]): [string, tf.Tensor | undefined][] {
  return Array.isArray(gradients) ? gradients.map((g) => [g.name, g.tensor]) : Object.keys(gradients).map((name) => [name, gradients[name]]);
}

function zeroMoment(name: string, value: tf.Variable): Moment {
  return { name, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
}

export class WasmAdamOptimizer extends tf.Optimizer {
  /** Name matters for Python compatibility and for core's optimizer-state capture. */
  static get className(): string {
    return 'Adam';
  }

  /** beta1^t and beta2^t as running products (tfjs's fields, read by core's optimizer-state capture). */
  readonly accBeta1: tf.Variable;
  readonly accBeta2: tf.Variable;
  private moments = new Map<string, Moments>();
  /** Moments restored by setWeights, positional as tfjs's format is: adopted by the next step's variables. */
  private restored: Moments[] | null = null;

  constructor(
    /** Read every step: core's setLearningRate writes it. */
    public learningRate: number,
    protected beta1: number,
    protected beta2: number,
    protected epsilon: number | null = null,
  ) {
    super();
    this.accBeta1 = tf.tidy(() => tf.scalar(beta1).variable(false));
    this.accBeta2 = tf.tidy(() => tf.scalar(beta2).variable(false));
    if (epsilon == null) this.epsilon = tf.backend().epsilon();
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    if (tf.getBackend() !== 'wasm') throw new Error(`WasmAdamOptimizer needs the wasm backend (active: ${tf.getBackend()})`);
    const entries = gradientEntries(variableGradients);
    this.adoptRestored(entries.map(([name]) => name));
    const attrs: AdamUpdateAttrs = { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon! };
    tf.tidy(() => {
      for (const [name, gradient] of entries) {
        const value = tf.engine().registeredVariables[name]!;
        // Made before the gradient is checked, as tfjs does, so getWeights lists the same moments.
        const { first, second } = this.momentsFor(name, value);
        if (gradient == null) continue;
        const inputs = { value, m: first.variable, v: second.variable, gradient, accBeta1: this.accBeta1, accBeta2: this.accBeta2 };
        const [newValue, newM, newV] = tf.engine().runKernel(ADAM_UPDATE_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        first.variable.assign(newM!);
        second.variable.assign(newV!);
        value.assign(newValue!);
      }
      this.accBeta1.assign(tf.mul(this.accBeta1, this.beta1));
      this.accBeta2.assign(tf.mul(this.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }

  private momentsFor(name: string, value: tf.Variable): Moments {
    let moments = this.moments.get(name);
    if (!moments) {
      moments = { first: zeroMoment(`${name}/m`, value), second: zeroMoment(`${name}/v`, value) };
      this.moments.set(name, moments);
    }
    return moments;
  }

  /** Gives the moments restored by setWeights to the variables of the first step after it, in order. */
  private adoptRestored(names: string[]): void {
    const restored = this.restored;
    if (!restored) return;
    if (restored.length !== names.length) {
      throw new Error(`Adam: the restored optimizer state holds moments for ${restored.length} variables, but ${names.length} are trained`);
    }
    names.forEach((name, i) => this.moments.set(name, restored[i]!));
    this.restored = null;
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const moments = this.restored ?? [...this.moments.values()];
    const named = (moment: Moment) => ({ name: moment.name, tensor: moment.variable });
    return [await this.saveIterations(), ...moments.map((m) => named(m.first)), ...moments.map((m) => named(m.second))];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const slots = await this.extractIterations(weightValues);
    tf.tidy(() => {
      this.accBeta1.assign(tf.pow(this.beta1, this.iterations_ + 1));
      this.accBeta2.assign(tf.pow(this.beta2, this.iterations_ + 1));
    });
    this.releaseMoments();
    const count = slots.length / 2;
    // Variables over the given tensors' data (tfjs counts references): the caller still owns those tensors.
    const moment = (slot: NamedTensor): Moment => ({ name: slot.name, variable: slot.tensor.variable(false) });
    this.restored = slots.slice(0, count).map((slot, i) => ({ first: moment(slot), second: moment(slots[count + i]!) }));
  }

  private releaseMoments(): void {
    const all = [...this.moments.values(), ...(this.restored ?? [])];
    tf.dispose(all.flatMap((m) => [m.first.variable, m.second.variable]));
    this.moments = new Map();
    this.restored = null;
  }

  override dispose(): void {
    this.releaseMoments();
    tf.dispose([this.accBeta1, this.accBeta2]);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

/** Adam as one SIMD pass per variable when wasm (with WebAssembly SIMD) is the active backend; null otherwise. */
export function wasmAdam(learningRate: number, beta1: number, beta2: number, epsilon?: number): tf.Optimizer | null {
  if (tf.getBackend() !== 'wasm' || simdKernels(tf.backend()) == null) return null;
  registerAdamUpdateKernel();
  return new WasmAdamOptimizer(learningRate, beta1, beta2, epsilon ?? null);
}
