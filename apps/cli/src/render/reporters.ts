import type { Reporter, RunEvent } from '@polymodal/core';
import { formatDuration, formatLogs, formatNumber, formatStepTime } from './format.js';

export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout is an interactive terminal (progress bars redraw in place). */
  readonly tty: boolean;
  readonly columns: number;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  tty: process.stdout.isTTY === true,
  columns: process.stdout.columns ?? 100,
};

/** One JSON object per line on stdout, for machines. */
export function jsonLinesReporter(output: Output): Reporter {
  return { event: (event) => output.out(JSON.stringify(event) + '\n') };
}

/** Epoch lines only: what a log file or CI wants. */
export function plainReporter(output: Output): Reporter {
  return {
    event(event: RunEvent) {
      switch (event.type) {
        case 'info':
          output.out(`${event.message}\n`);
          break;
        case 'warning':
          output.err(`warning: ${event.message}\n`);
          break;
        case 'epochEnd':
          output.out(`Epoch ${event.epoch}/${event.epochs}  ${formatDuration(event.seconds)}  ${formatLogs(event.logs)}  lr ${formatNumber(event.learningRate)}\n`);
          break;
        case 'stopped':
          output.out(`Stopped after epoch ${event.epoch}: ${event.reason}\n`);
          break;
        case 'resumed':
          output.out(`Resumed after epoch ${event.epoch} from ${event.path}\n`);
          break;
        case 'checkpoint':
          output.out(`  saved best checkpoint (${event.monitor} ${formatNumber(event.value)})\n`);
          break;
        default:
          break;
      }
    },
  };
}

/**
 * The bar's line for one batch event, as Keras draws it: running means of the loss and metrics so far, the ETA
 * from the epoch's real start, and the time per step; the last batch shows the epoch's time instead of an ETA.
 */
export function progressLine(event: Extract<RunEvent, { type: 'batchEnd' }>): string {
  const width = 24;
  const done = Math.round((event.batch / event.batches) * width);
  const bar = '='.repeat(Math.max(0, done - 1)) + (done > 0 ? '>' : '') + '.'.repeat(width - done);
  const perStep = event.batch > 0 ? event.seconds / event.batch : NaN;
  const timing = event.batch === event.batches
    ? `${formatDuration(event.seconds)} ${formatStepTime(perStep)}`
    : `ETA ${formatDuration(perStep * (event.batches - event.batch))}  ${formatStepTime(perStep)}`;
  const metrics = Object.entries(event.logs).map(([k, v]) => `${k} ${formatNumber(v)}`).join('  ');
  return `Epoch ${event.epoch}/${event.epochs} [${bar}] ${event.batch}/${event.batches}  ${timing}  ${metrics}`;
}

/** A live bar redrawn in place on a terminal: epoch, batch, running loss and metrics, ETA and time per step. */
export function progressBarReporter(output: Output): Reporter {
  const plain = plainReporter(output);
  let lastDraw = 0;
  let drawn = false;
  const clear = () => {
    if (drawn) output.out('\r\x1b[2K');
    drawn = false;
  };
  return {
    event(event: RunEvent) {
      if (event.type !== 'batchEnd') {
        clear();
        plain.event(event);
        return;
      }
      const now = performance.now();
      if (now - lastDraw < 80 && event.batch !== event.batches) return;
      lastDraw = now;
      output.out('\r\x1b[2K' + progressLine(event).slice(0, Math.max(20, output.columns - 1)));
      drawn = true;
    },
  };
}
