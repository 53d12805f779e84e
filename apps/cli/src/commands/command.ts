import type { Output } from '../render/reporters.js';

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Returns the exit code. */
  run(argv: string[], output: Output): Promise<number>;
}
