/**
 * A training step handed to a faster engine: the seam through which a package above core (`@polymodal/export`'s
 * tensorflowTrainingGraph(), which runs forward pass, loss and gradients as one TensorFlow graph) computes each
 * batch's gradients. The trainer keeps everything else: the optimizer update, callbacks, checkpoints, backups.
 */
import type * as tf from '@tensorflow/tfjs';
import type { BackendInfo } from '../backend/select-backend.js';
import type { CompilerSkip } from '../model/compiled-model.js';

export interface TrainingStepResult {
  /** The batch's loss, then its metrics, in `model.metricsNames` order. */
  readonly logs: tf.Scalar[];
  /** Each trainable weight's gradient, by its variable's name (what `optimizer.applyGradients` takes). */
  readonly gradients: tf.NamedTensorMap;
}

export interface CompiledTrainingStep {
  /** What runs the step, for logs: e.g. "TensorFlow graph (412 ops)". */
  readonly description: string;
  /** Loss, metrics and gradients for one batch, at the weights' current values; the caller disposes them. */
  run(inputs: readonly tf.Tensor[], target: tf.Tensor): TrainingStepResult;
  dispose(): void;
}

export interface TrainingStepOptions {
  /** Loss weight per class index (TrainingJob.classWeight): each row's loss is weighed as model.fit weighs it. */
  readonly classWeight?: Record<number, number>;
}

export interface TrainingStepCompiler {
  /** Names the compiler in notes: `[name] ...`. */
  readonly name: string;
  /** The tfjs backends it compiles for; on any other, training keeps tfjs's step without a note. */
  readonly backends: readonly string[];
  /**
   * The step for `model` (compiled with its loss and metrics), checked by the compiler to give tfjs's loss and
   * gradients, or why it was not compiled. Throws only for what is a bug.
   */
  compile(model: tf.LayersModel, backend: BackendInfo, options?: TrainingStepOptions): Promise<CompiledTrainingStep | CompilerSkip>;
}
