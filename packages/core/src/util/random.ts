import seedrandom from 'seedrandom';

/** A seeded uniform source. Every random choice in a run comes from one of these, so runs repeat exactly. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Fisher-Yates shuffle in place. */
  shuffle<T>(items: T[]): T[];
  /** An independent stream for one purpose (e.g. 'split', 'shuffle'); same seed and label give the same stream. */
  fork(label: string): Random;
}

export function createRandom(seed: number | string): Random {
  const generator = seedrandom.alea(String(seed));
  const random: Random = {
    next: () => generator(),
    int: (n) => Math.floor(generator() * n),
    shuffle(items) {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(generator() * (i + 1));
        [items[i], items[j]] = [items[j], items[i]];
      }
      return items;
    },
    fork: (label) => createRandom(`${seed}/${label}`),
  };
  return random;
}
