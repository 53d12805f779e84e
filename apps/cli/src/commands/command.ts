import type { Output } from '../render/reporters.js';

export interface CommandContext {
  /** Aborted at the first SIGINT, SIGTERM or SIGHUP (commands that stop gracefully check it). */
  readonly signal: AbortSignal;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /**
   * How a signal stops the command: `graceful` ones (train) stop at a safe point, clean up and say how to
   * resume; the others remove what they have half-written and exit at once.
   */
  readonly interrupts?: 'graceful' | 'immediate';
  /** Returns the exit code. */
  run(argv: string[], output: Output, context: CommandContext): Promise<number>;
}
