import { PolymodalError } from '../errors.js';

/**
 * A run stopped on request (SIGINT, SIGTERM, SIGHUP) at a safe point. Not a failure of the user's input:
 * the CLI exits with the signal's conventional code and says how to resume.
 */
export class TrainingInterrupted extends PolymodalError {
  constructor(readonly where: string, readonly reason?: unknown) {
    super(`interrupted ${where}`, { exitCode: 130 });
  }
}

export function isTrainingInterrupted(error: unknown): error is TrainingInterrupted {
  return error instanceof TrainingInterrupted;
}

/** Throws TrainingInterrupted when `signal` has been aborted (between the stages of a run). */
export function throwIfInterrupted(signal: AbortSignal | undefined, where = 'before training started'): void {
  if (signal?.aborted) throw new TrainingInterrupted(where, signal.reason);
}
