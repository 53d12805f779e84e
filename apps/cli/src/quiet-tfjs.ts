/**
 * Two tfjs messages that only confuse CLI users: the "install tfjs-node for speed" banner (the CLI reports
 * which backend it chose) and the orthogonal-initializer slowness notice (recurrent weights of a few thousand
 * values initialise in milliseconds). Everything else tfjs logs still shows.
 */
const DROPPED = ['Looks like you are running TensorFlow.js in Node.js', 'Orthogonal initializer is being called on a matrix with more than'];

export function quietTfjsNotices(): void {
  const isDropped = (args: unknown[]) => typeof args[0] === 'string' && DROPPED.some((text) => (args[0] as string).includes(text));
  for (const method of ['warn', 'log'] as const) {
    const original = console[method];
    console[method] = (...args: unknown[]) => (isDropped(args) ? undefined : original(...args));
  }
}
