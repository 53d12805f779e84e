/**
 * Adam on tfjs-node as TensorFlow's ResourceApplyAdam, the op Keras's Adam runs: one fused update per variable
 * where tfjs's AdamOptimizer runs ~13 full-size ops and uploads 5 scalars. The moments live in TensorFlow resource
 * variables for the optimizer's life; each step a weight's current tensor is assigned to its resource (sharing the
 * buffer), updated there (TensorFlow copies it first, so the tensor tfjs holds is untouched) and read back into
 * the tfjs variable. Measured here (2 cores, load ~2): Dense(1)'s [123040, 1] kernel 0.16-0.22 ms per step, a
 * [32] bias 0.025 ms; tfjs's Adam took ~2.5 ms for the seed model's 8 weights, ~7.5 ms for the image CNN's.
 *
 * The arithmetic is TensorFlow's and Keras's (`lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)`,
 * `w -= lr_t * m / (sqrt(v) + epsilon)`), which places epsilon outside the bias correction where tfjs's Adam
 * puts it inside: the same optimizer up to epsilon's scale, not the same bits as training on wasm. The class is
 * still 'Adam' (tfjs's and Keras's name), and getWeights / setWeights speak tfjs's format (iterations, every first
 * moment, every second moment) with beta^t kept as running products (accBeta1 / accBeta2) as tfjs does, so saved
 * optimizer state reads the same either way. Moments are kept per variable name, so a step that trains another
 * set of variables (a backbone unfrozen mid-run) keeps the moments of those it still trains.
 */
import * as tf from '@tensorflow/tfjs';
import { boolAttr, executeOp, float32TypeAttr, nodeBackend, shapeAttr, stringAttr, typeAttr, type NodeBackend } from './native-ops.js';

/** tfjs's { name, tensor } pair (not re-exported by @tensorflow/tfjs). */
interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

interface Slots {
  /** Resource handles (tfjs 'string' tensors holding TensorFlow DT_RESOURCE handles). */
  readonly weight: tf.Tensor;
  readonly firstMoment: tf.Tensor;
  readonly secondMoment: tf.Tensor;
}

let resourceCounter = 0;

function newResource(backend: NodeBackend, shape: number[]): tf.Tensor {
  // A process-unique shared name: TensorFlow's eager variables use anonymous names the same way.
  const name = `polymodal_adam_${process.pid}_${resourceCounter++}`;
  return executeOp(backend, 'VarHandleOp', [typeAttr(backend, 'dtype'), shapeAttr(backend, 'shape', shape), stringAttr(backend, 'shared_name', name), stringAttr(backend, 'container', '')], [], 1)[0]!;
}

function assignResource(backend: NodeBackend, resource: tf.Tensor, value: tf.Tensor): void {
  executeOp(backend, 'AssignVariableOp', [typeAttr(backend, 'dtype')], [resource, value], 0);
}

function readResource(backend: NodeBackend, resource: tf.Tensor): tf.Tensor {
  return executeOp(backend, 'ReadVariableOp', [typeAttr(backend, 'dtype')], [resource], 1)[0]!;
}

function destroyResource(backend: NodeBackend | null, resource: tf.Tensor): void {
  if (backend) executeOp(backend, 'DestroyResourceOp', [boolAttr(backend, 'ignore_lookup_error', true)], [resource], 0);
  resource.dispose();
}

function gradientEntries(gradients: tf.NamedTensorMap | NamedTensor[]): [string, tf.Tensor][] {
  const entries: [string, tf.Tensor | undefined][] = Array.isArray(gradients)
    ? gradients.map((g) => [g.name, g.tensor])
    : Object.keys(gradients).map((name) => [name, gradients[name]]);
  return entries.filter((entry): entry is [string, tf.Tensor] => entry[1] != null);
}

export class NativeAdamOptimizer extends tf.Optimizer {
  /** Name matters for Python compatibility and for core's optimizer-state capture. */
  static get className(): string {
    return 'Adam';
  }

  /** beta1^t and beta2^t as running products (tfjs's fields, read by core's optimizer-state capture). */
  readonly accBeta1: tf.Variable;
  readonly accBeta2: tf.Variable;
  private readonly slots = new Map<string, Slots>();
  /** Moments restored by setWeights before the first step (tfjs's format is positional). */
  private pending: { first: tf.Tensor[]; second: tf.Tensor[] } | null = null;
  /** What the last getWeights returned: valid until the next getWeights, setWeights or dispose. */
  private exported: tf.Tensor[] = [];

  constructor(
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
    const backend = nodeBackend();
    if (!backend) throw new Error(`NativeAdamOptimizer needs the tensorflow backend (active: ${tf.getBackend()})`);
    const entries = gradientEntries(variableGradients);
    this.adoptPending(backend, entries.map(([name]) => name));
    tf.tidy(() => {
      const scalars = [this.accBeta1, this.accBeta2, tf.scalar(this.learningRate), tf.scalar(this.beta1), tf.scalar(this.beta2), tf.scalar(this.epsilon!)];
      const attrs = [float32TypeAttr(backend), boolAttr(backend, 'use_locking', false), boolAttr(backend, 'use_nesterov', false)];
      for (const [name, gradient] of entries) {
        const value = tf.engine().registeredVariables[name]!;
        const slots = this.slotsFor(backend, name, value.shape);
        assignResource(backend, slots.weight, value);
        executeOp(backend, 'ResourceApplyAdam', attrs, [slots.weight, slots.firstMoment, slots.secondMoment, ...scalars, gradient], 0);
        value.assign(readResource(backend, slots.weight));
      }
      this.accBeta1.assign(tf.mul(this.accBeta1, this.beta1));
      this.accBeta2.assign(tf.mul(this.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }

  private slotsFor(backend: NodeBackend, name: string, shape: number[]): Slots {
    const existing = this.slots.get(name);
    if (existing) return existing;
    const made: Slots = { weight: newResource(backend, shape), firstMoment: newResource(backend, shape), secondMoment: newResource(backend, shape) };
    const zeros = tf.zeros(shape);
    assignResource(backend, made.firstMoment, zeros);
    assignResource(backend, made.secondMoment, zeros);
    zeros.dispose();
    // Made inside applyGradients' tidy: kept for the optimizer's life.
    for (const resource of [made.weight, made.firstMoment, made.secondMoment]) tf.keep(resource);
    this.slots.set(name, made);
    return made;
  }

  /** Puts restored moments into the resources of the variables of the first step after setWeights. */
  private adoptPending(backend: NodeBackend, names: string[]): void {
    const pending = this.pending;
    if (!pending) return;
    if (pending.first.length !== names.length) {
      throw new Error(`Adam: the restored optimizer state holds moments for ${pending.first.length} variables, but ${names.length} are trained`);
    }
    names.forEach((name, i) => {
      const slots = this.slotsFor(backend, name, pending.first[i]!.shape);
      assignResource(backend, slots.firstMoment, pending.first[i]!);
      assignResource(backend, slots.secondMoment, pending.second[i]!);
    });
    tf.dispose([...pending.first, ...pending.second]);
    this.pending = null;
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const iterations = await this.saveIterations();
    tf.dispose(this.exported);
    this.exported = [];
    if (this.pending) {
      const { first, second } = this.pending;
      return [iterations, ...first.map((tensor, i) => ({ name: `restored/${i}/m`, tensor })), ...second.map((tensor, i) => ({ name: `restored/${i}/v`, tensor }))];
    }
    const backend = nodeBackend();
    if (!backend && this.slots.size > 0) throw new Error('NativeAdamOptimizer: its state lives in TensorFlow; read it with the tensorflow backend active');
    const read = (which: 'firstMoment' | 'secondMoment') => [...this.slots].map(([name, slots]) => {
      const tensor = readResource(backend!, slots[which]);
      this.exported.push(tensor);
      return { name: `${name}/${which === 'firstMoment' ? 'm' : 'v'}`, tensor };
    });
    return [iterations, ...read('firstMoment'), ...read('secondMoment')];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const slots = await this.extractIterations(weightValues);
    tf.tidy(() => {
      this.accBeta1.assign(tf.pow(this.beta1, this.iterations_ + 1));
      this.accBeta2.assign(tf.pow(this.beta2, this.iterations_ + 1));
    });
    this.releaseState();
    const count = slots.length / 2;
    this.pending = { first: slots.slice(0, count).map((s) => s.tensor.clone()), second: slots.slice(count).map((s) => s.tensor.clone()) };
  }

  private releaseState(): void {
    const backend = nodeBackend();
    for (const slots of this.slots.values()) for (const resource of [slots.weight, slots.firstMoment, slots.secondMoment]) destroyResource(backend, resource);
    this.slots.clear();
    tf.dispose(this.exported);
    this.exported = [];
    if (this.pending) tf.dispose([...this.pending.first, ...this.pending.second]);
    this.pending = null;
  }

  override dispose(): void {
    this.releaseState();
    tf.dispose([this.accBeta1, this.accBeta2]);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

/** Adam as ResourceApplyAdam when tfjs-node is the active backend; null otherwise (core then uses tfjs's Adam). */
export function nativeAdam(learningRate: number, beta1: number, beta2: number, epsilon?: number): tf.Optimizer | null {
  return nodeBackend() ? new NativeAdamOptimizer(learningRate, beta1, beta2, epsilon ?? null) : null;
}
