import { PolymodalError } from '../errors.js';
import type { EpochLogs } from './reporter.js';

/** Fails the run at the first epoch whose training loss is NaN or infinite: every later epoch would be too. */
export function assertFiniteLoss(epoch: number, logs: EpochLogs, learningRate: number): void {
  const loss = logs.loss;
  if (loss === undefined || Number.isFinite(loss)) return;
  throw new PolymodalError(`training loss is ${loss} in epoch ${epoch}: the learning rate is too high, or the inputs have extreme or invalid values`, {
    exitCode: 1,
    hint: `lower training.optimizer.learningRate (it was ${learningRate}), or check the input columns for extreme or invalid values`,
  });
}
