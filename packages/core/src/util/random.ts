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
  /** Where the stream is now, as plain JSON (a training backup keeps it). */
  state(): RandomState;
  /** Continues from a state that state() returned, so the next draws repeat those after it. */
  restore(state: RandomState): void;
}

/** The generator's internal state (seedrandom's alea: four numbers). */
export type RandomState = seedrandom.State.Alea;

const ALEA_KEYS = ['c', 's0', 's1', 's2'] as const;

/** Whether `value` is a state that state() could have returned (a backup file may be damaged). */
export function isRandomState(value: unknown): value is RandomState {
  if (typeof value !== 'object' || value === null) return false;
  return ALEA_KEYS.every((key) => typeof (value as Record<string, unknown>)[key] === 'number' && Number.isFinite((value as Record<string, number>)[key]));
}

/** An alea generator that can report and restore its state; restoring replaces the generator in place. */
export function statefulAlea(seed: string): { next(): number; state(): RandomState; restore(state: RandomState): void } {
  let generator = seedrandom.alea(seed, { state: true });
  return {
    next: () => generator(),
    state: () => generator.state(),
    restore(state) {
      if (!isRandomState(state)) throw new Error(`not a random state: ${JSON.stringify(state)}`);
      generator = seedrandom.alea('', { state: { ...state } });
    },
  };
}

export function createRandom(seed: number | string): Random {
  const generator = statefulAlea(String(seed));
  const random: Random = {
    next: () => generator.next(),
    int: (n) => Math.floor(generator.next() * n),
    shuffle(items) {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(generator.next() * (i + 1));
        [items[i], items[j]] = [items[j], items[i]];
      }
      return items;
    },
    fork: (label) => createRandom(`${seed}/${label}`),
    state: () => generator.state(),
    restore: (state) => generator.restore(state),
  };
  return random;
}
