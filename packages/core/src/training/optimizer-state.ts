import * as tf from '@tensorflow/tfjs';

/**
 * Everything an optimizer carries from one step to the next: its step count and its slot tensors
 * (Adam's moments and bias-correction products, momentum's velocities, ...), in a fixed order.
 */
export interface OptimizerState {
  readonly iterations: number;
  /** Copies the holder owns and disposes. */
  readonly tensors: tf.Tensor[];
}

/** The tfjs fields getWeights() leaves out. They are private in tfjs, so only the ones named here are touched. */
interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

interface AdamaxInternals {
  iteration: tf.Variable;
  accBeta1: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedWeightedInfNorm: { originalName: string; variable: tf.Variable }[];
  iterations_: number;
}

function className(optimizer: tf.Optimizer): string {
  return optimizer.getClassName();
}

/**
 * A copy of the optimizer's state. tfjs's getWeights() is the base, with two quirks handled: Adam's
 * setWeights recomputes beta^t with pow() where training multiplied step by step (a last-bit difference that
 * breaks exact resume), so its running products are kept too; Adamax implements neither method.
 */
export async function captureOptimizerState(optimizer: tf.Optimizer): Promise<OptimizerState> {
  if (className(optimizer) === 'Adamax') {
    const adamax = optimizer as unknown as AdamaxInternals;
    const slots = [...adamax.accumulatedFirstMoment, ...adamax.accumulatedWeightedInfNorm].map((slot) => slot.variable.clone());
    return { iterations: adamax.iterations_ ?? 0, tensors: [adamax.iteration.clone(), adamax.accBeta1.clone(), ...slots] };
  }
  const [iterations, ...slots] = await optimizer.getWeights();
  const count = (await iterations.tensor.data())[0];
  iterations.tensor.dispose();
  const tensors = slots.map((slot) => slot.tensor.clone());
  if (className(optimizer) === 'Adam') {
    const adam = optimizer as unknown as AdamInternals;
    tensors.push(adam.accBeta1.clone(), adam.accBeta2.clone());
  }
  return { iterations: count, tensors };
}

/**
 * Puts a captured state into a fresh optimizer (one that has not stepped yet). The optimizer's variables
 * share the tensors' data (tfjs counts references), so the caller still owns and disposes `state.tensors`.
 */
export async function restoreOptimizerState(optimizer: tf.Optimizer, state: OptimizerState): Promise<void> {
  const name = className(optimizer);
  if (name === 'Adamax') {
    const adamax = optimizer as unknown as AdamaxInternals;
    const [iteration, accBeta1, ...slots] = state.tensors;
    adamax.iteration.assign(iteration);
    adamax.accBeta1.assign(accBeta1);
    const half = slots.length / 2;
    const variable = (tensor: tf.Tensor, suffix: string, i: number) => ({ originalName: `restored/${i}/${suffix}`, variable: tensor.variable(false) });
    adamax.accumulatedFirstMoment = slots.slice(0, half).map((t, i) => variable(t, 'm', i));
    adamax.accumulatedWeightedInfNorm = slots.slice(half).map((t, i) => variable(t, 'v', i));
    adamax.iterations_ = state.iterations;
    return;
  }
  const slots = name === 'Adam' ? state.tensors.slice(0, -2) : state.tensors;
  const iterations = tf.scalar(state.iterations, 'int32');
  try {
    await optimizer.setWeights([{ name: 'iter', tensor: iterations }, ...slots.map((tensor, i) => ({ name: `restored/${i}`, tensor }))]);
  } finally {
    iterations.dispose();
  }
  if (name === 'Adam') {
    const adam = optimizer as unknown as AdamInternals;
    const [accBeta1, accBeta2] = state.tensors.slice(-2);
    adam.accBeta1.assign(accBeta1);
    adam.accBeta2.assign(accBeta2);
  }
}
