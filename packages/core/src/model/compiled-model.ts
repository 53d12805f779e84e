/**
 * A trained model handed to a faster engine for prediction: a plugin-free seam through which a package above core
 * (`@polymodal/export`'s tensorflowGraph(), which runs the model as one TensorFlow graph) serves a predictor's plain
 * predictions. Training, evaluation and explanations stay on the tfjs model.
 */
import type * as tf from '@tensorflow/tfjs';
import type { BackendInfo } from '../backend/select-backend.js';

export interface CompiledModel {
  /** What runs the predictions, for logs: e.g. "TensorFlow graph (SavedModel, 24 ops)". */
  readonly description: string;
  /** The model's (first) output for `inputs` in `model.inputNames` order; the caller disposes the result. */
  predict(inputs: readonly tf.Tensor[]): tf.Tensor;
  dispose(): void;
}

/** Why a compiler left the model to tfjs (a backend it does not serve, a layer it cannot lower). */
export interface CompilerSkip {
  readonly skipped: string;
}

export interface ModelCompiler {
  /** Names the compiler in notes: `[name] ...`. */
  readonly name: string;
  /** The tfjs backends (tf.getBackend() names) it compiles for; on any other the model stays on tfjs without a note. */
  readonly backends: readonly string[];
  /**
   * The compiled model, checked by the compiler to predict as `model` does, or why it was not compiled. Throws
   * only for what is a bug, never for a model or backend it does not handle.
   */
  compile(model: tf.LayersModel, backend: BackendInfo): Promise<CompiledModel | CompilerSkip>;
}

export function isCompilerSkip<T extends object>(result: T | CompilerSkip): result is CompilerSkip {
  return typeof (result as CompilerSkip).skipped === 'string';
}
