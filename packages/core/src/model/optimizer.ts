import * as tf from '@tensorflow/tfjs';
import { acceleratedRoutines } from '../backend/accelerated-routines.js';
import type { OptimizerConfig } from '../manifest/types.js';

export function createOptimizer(config: OptimizerConfig): tf.Optimizer {
  const lr = config.learningRate;
  switch (config.type) {
    case 'adam': {
      // The active backend's fused Adam where it has one (tensorflow: one op per weight instead of ~13).
      const native = acceleratedRoutines(tf.getBackend())?.adamOptimizer?.(lr, config.beta1 ?? 0.9, config.beta2 ?? 0.999, config.epsilon);
      return native ?? tf.train.adam(lr, config.beta1, config.beta2, config.epsilon);
    }
    case 'adamax':
      return tf.train.adamax(lr, config.beta1, config.beta2, config.epsilon);
    case 'sgd':
      return tf.train.sgd(lr);
    case 'momentum':
      return tf.train.momentum(lr, config.momentum ?? 0.9);
    case 'rmsprop':
      return tf.train.rmsprop(lr, undefined, config.momentum, config.epsilon);
    case 'adagrad':
      return tf.train.adagrad(lr);
    case 'adadelta':
      return tf.train.adadelta(lr, undefined, config.epsilon);
  }
}

/** tfjs optimizers read their rate differently: SGD and momentum cache it behind setLearningRate, the rest read a field. */
export function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  const target = optimizer as unknown as { setLearningRate?: (r: number) => void; learningRate: number };
  if (typeof target.setLearningRate === 'function') target.setLearningRate(rate);
  else target.learningRate = rate;
}

export function getLearningRate(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}
