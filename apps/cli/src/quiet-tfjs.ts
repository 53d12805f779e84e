/**
 * tfjs-core prints a long "install tfjs-node for speed" banner the first time a non-native backend starts in
 * Node. The CLI already reports which backend it chose, so it drops that one message and nothing else.
 */
export function quietTfjsGreeting(): void {
  const original = console.warn;
  const log = console.log;
  const isGreeting = (args: unknown[]) => typeof args[0] === 'string' && args[0].includes('Looks like you are running TensorFlow.js in Node.js');
  console.warn = (...args: unknown[]) => (isGreeting(args) ? undefined : original(...args));
  console.log = (...args: unknown[]) => (isGreeting(args) ? undefined : log(...args));
}
