import { type RandomState, statefulAlea } from '../util/random.js';

/** Marks the Math.random that withSeededTfjsRandom installs, so a training backup can read and restore its state. */
const STREAM = Symbol('polymodal.seededTfjsRandom');

type SeededMathRandom = (() => number) & { [STREAM]?: ReturnType<typeof statefulAlea> };

/**
 * tfjs draws the seed of every unseeded random op (weight initialisers, dropout masks) from Math.random.
 * Replacing it with a seeded generator for the duration of `work` makes model building and training repeat
 * exactly for the same seed. Code running concurrently in the same process sees the seeded source too.
 */
export async function withSeededTfjsRandom<T>(seed: number | string, work: () => Promise<T>): Promise<T> {
  const original = Math.random;
  const generator = statefulAlea(`tfjs/${seed}`);
  const seeded: SeededMathRandom = () => generator.next();
  seeded[STREAM] = generator;
  Math.random = seeded;
  try {
    return await work();
  } finally {
    Math.random = original;
  }
}

/** The state of the seeded source tfjs draws from now; undefined outside withSeededTfjsRandom. */
export function seededTfjsRandomState(): RandomState | undefined {
  return (Math.random as SeededMathRandom)[STREAM]?.state();
}

/** Continues the seeded source from a state seededTfjsRandomState() returned (a resumed run's dropout masks repeat). */
export function restoreSeededTfjsRandom(state: RandomState): void {
  const stream = (Math.random as SeededMathRandom)[STREAM];
  if (!stream) throw new Error('restoreSeededTfjsRandom called outside withSeededTfjsRandom');
  stream.restore(state);
}
