import seedrandom from 'seedrandom';

/**
 * tfjs draws the seed of every unseeded random op (weight initialisers, dropout masks) from Math.random.
 * Replacing it with a seeded generator for the duration of `work` makes model building and training repeat
 * exactly for the same seed. Code running concurrently in the same process sees the seeded source too.
 */
export async function withSeededTfjsRandom<T>(seed: number | string, work: () => Promise<T>): Promise<T> {
  const original = Math.random;
  const generator = seedrandom.alea(`tfjs/${seed}`);
  Math.random = () => generator();
  try {
    return await work();
  } finally {
    Math.random = original;
  }
}
