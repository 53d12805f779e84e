import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { TrainedFolder, TrainingStepCompiler } from '@polymodal/core';
import { STOP_MESSAGE, type TrialMessage } from './protocol.js';
import { runTrial, type TrialRequest } from './run-trial.js';

/**
 * Reads the request from `input`'s first line; later lines (`stop`) or its end stop the training. `close`
 * stops reading (an open stdin would keep the process alive).
 */
export function readRequest(input: Readable, controller: AbortController): { request: Promise<TrialRequest>; close(): void } {
  const lines = createInterface({ input });
  const request = new Promise<TrialRequest>((resolvePromise, reject) => {
    let request: TrialRequest | undefined;
    lines.on('line', (line) => {
      if (request === undefined) {
        try {
          request = JSON.parse(line) as TrialRequest;
          resolvePromise(request);
        } catch (error) {
          reject(error);
        }
      } else if (line.trim() === STOP_MESSAGE) controller.abort(new Error('stopped by the coordinator'));
    });
    lines.on('close', () => {
      if (request === undefined) reject(new Error('no trial request on stdin'));
      else controller.abort(new Error('the coordinator went away'));
    });
  });
  return { request, close: () => lines.close() };
}

/** The trial process: one request in, epoch lines and the result out. Returns when the trial is done. */
export async function runTrialChild(input: Readable, write: (line: string) => void, options: {
  signal?: AbortSignal;
  beforeCommit?: (folder: TrainedFolder) => Promise<void>;
  compileTrainingStep?: TrainingStepCompiler;
} = {}): Promise<void> {
  const controller = new AbortController();
  options.signal?.addEventListener('abort', () => controller.abort(options.signal?.reason), { once: true });
  const reader = readRequest(input, controller);
  const send = (message: TrialMessage) => write(JSON.stringify(message) + '\n');
  try {
    const outcome = await runTrial(await reader.request, {
      signal: controller.signal,
      beforeCommit: options.beforeCommit,
      compileTrainingStep: options.compileTrainingStep,
      onEpoch: (epoch, logs) => send({ type: 'epoch', epoch, logs }),
    });
    send({ type: 'trial-result', ...outcome });
  } finally {
    reader.close();
    if (input === process.stdin) process.stdin.destroy();
  }
}
