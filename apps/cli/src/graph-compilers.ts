import type { ModelCompiler, TrainingStepCompiler } from '@polymodal/core';
import { importIfInstalled } from './optional-package.js';

/**
 * The TensorFlow graph engines of @polymodal/export (an optional package): one graph per prediction (serve) and
 * per training step (train). Each serves the tensorflow backend only; without the package, tfjs runs op by op.
 */
type Exporter = Partial<typeof import('@polymodal/export')>;

export async function predictionCompiler(): Promise<ModelCompiler | undefined> {
  return (await importIfInstalled<Exporter>('@polymodal/export'))?.tensorflowGraph?.();
}

export async function trainingStepCompiler(): Promise<TrainingStepCompiler | undefined> {
  return (await importIfInstalled<Exporter>('@polymodal/export'))?.tensorflowTrainingGraph?.();
}
