import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PolymodalError, type ManifestOverrides } from '@polymodal/core';
import type { TrialExecutor, TrialOutcome } from '../study/run-study.js';
import { STOP_MESSAGE, type TrialMessage } from './protocol.js';
import type { TrialCrossval } from './crossval-trial.js';
import type { TrialRequest } from './run-trial.js';

export interface ChildExecutorOptions {
  /** The trial process: program and arguments (the CLI: node, its script, `tune --run-trial`). */
  command: readonly string[];
  manifest: string;
  overrides: ManifestOverrides;
  objective: string;
  allowLocalPlugins?: boolean;
  /** Set for a `cv_<metric>` objective: each trial cross-validates. */
  crossval?: TrialCrossval;
  /** Milliseconds between `stop` and SIGKILL, for a child that does not stop (default 30 s). */
  killAfterMs?: number;
}

/** Runs each trial in a fresh process, so trials cannot share tfjs state and a crash takes only its trial. */
export function childProcessExecutor(options: ChildExecutorOptions): TrialExecutor {
  return {
    run(job, onEpoch, signal) {
      const request: TrialRequest = { ...job, manifest: options.manifest, overrides: options.overrides, objective: options.objective, allowLocalPlugins: options.allowLocalPlugins, ...(options.crossval ? { crossval: options.crossval } : {}) };
      return new Promise<TrialOutcome>((resolvePromise, reject) => {
        const [program, ...args] = options.command;
        // Its own process group, so a terminal's Ctrl-C reaches the coordinator or worker only: they stop trials
        // through stdin (`stop`), and a trial whose parent died sees its stdin close and stops.
        const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
        let result: TrialOutcome | undefined;
        let stderr = '';
        let killTimer: NodeJS.Timeout | undefined;
        const stop = () => {
          child.stdin.write(`${STOP_MESSAGE}\n`);
          killTimer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 30_000);
        };
        if (signal.aborted) stop();
        else signal.addEventListener('abort', stop, { once: true });
        child.stdin.on('error', () => {});
        child.stdin.write(JSON.stringify(request) + '\n');
        createInterface({ input: child.stdout }).on('line', (line) => {
          if (!line.startsWith('{"type":')) return;
          const message = JSON.parse(line) as TrialMessage;
          if (message.type === 'epoch') onEpoch(message.epoch, message.logs);
          else if (message.type === 'trial-result') {
            const { type: _type, ...outcome } = message;
            result = outcome;
            child.stdin.end();
          }
        });
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-20_000)));
        child.on('error', reject);
        child.on('close', (code, killed) => {
          clearTimeout(killTimer);
          signal.removeEventListener('abort', stop);
          if (code === 0 && result) {
            resolvePromise(result);
            return;
          }
          const message = stderr.trim().split('\n').filter((l) => !l.startsWith('warning:')).join('\n').replace(/^polymodal tune: /, '') || (killed ? `killed by ${killed}` : `exit code ${code}`);
          reject(new PolymodalError(message, { exitCode: code === 2 ? 2 : 1 }));
        });
      });
    },
  };
}
