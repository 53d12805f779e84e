import { rmSync } from 'node:fs';

/**
 * Paths this process is writing and must not leave behind when it is interrupted: temporary files of
 * atomic writes and staging folders. A graceful stop removes them on its own way out; an immediate stop
 * (a second signal, or a command that has no safe point to stop at) removes them synchronously here.
 */
const unfinished = new Set<string>();

export function trackUnfinished(path: string): void {
  unfinished.add(path);
}

export function untrackUnfinished(path: string): void {
  unfinished.delete(path);
}

function removeUnfinished(): void {
  for (const path of unfinished) rmSync(path, { recursive: true, force: true });
  unfinished.clear();
}

export const INTERRUPT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type InterruptSignal = (typeof INTERRUPT_SIGNALS)[number];

const SIGNAL_NUMBERS: Record<InterruptSignal, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** The shell's convention: 128 + the signal's number (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP). */
export function exitCodeForSignal(signal: InterruptSignal): number {
  return 128 + SIGNAL_NUMBERS[signal];
}

export interface InterruptListener {
  /** Aborted at the first signal; its reason is the signal's name. */
  readonly signal: AbortSignal;
  /** The first signal received, if any. */
  received(): InterruptSignal | undefined;
  dispose(): void;
}

export interface ListenOptions {
  /**
   * `graceful`: the first signal only aborts `signal` (the work stops at its next safe point, e.g. after the
   * current batch, and cleans up on its way out); a second one stops at once. `immediate`: the first
   * signal removes unfinished files and exits.
   */
  mode: 'graceful' | 'immediate';
  /** Called at the first signal, e.g. to tell the user what happens next. */
  onSignal?: (signal: InterruptSignal) => void;
  exit?: (code: number) => never;
}

/** Handles SIGINT, SIGTERM and SIGHUP for one command: nothing half-written is left behind. */
export function listenForInterrupts(options: ListenOptions): InterruptListener {
  const controller = new AbortController();
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let first: InterruptSignal | undefined;
  const handler = (signal: InterruptSignal) => {
    if (first !== undefined || options.mode === 'immediate') {
      first ??= signal;
      options.onSignal?.(signal);
      removeUnfinished();
      exit(exitCodeForSignal(first));
      return;
    }
    first = signal;
    options.onSignal?.(signal);
    controller.abort(signal);
  };
  for (const signal of INTERRUPT_SIGNALS) process.on(signal, handler);
  return {
    signal: controller.signal,
    received: () => first,
    dispose() {
      for (const signal of INTERRUPT_SIGNALS) process.off(signal, handler);
    },
  };
}
