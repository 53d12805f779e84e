/**
 * How a coordinator and a trial process talk. The coordinator writes the TrialRequest as the first line of the
 * child's stdin and later `stop` to stop it (pruning); the child stops too when its stdin closes (the coordinator
 * died). The child writes JSON lines on stdout: `epoch` after each epoch, then `trial-result`; errors go to
 * stderr with a non-zero exit (1 bad data, 2 bad manifest, 70 internal).
 */
export const STOP_MESSAGE = 'stop';

export type TrialMessage =
  | { type: 'epoch'; epoch: number; logs: Record<string, number> }
  | { type: 'trial-result'; value: number; outDir: string; epochs: number; metrics: { validation: Record<string, number>; test: Record<string, number> } };
