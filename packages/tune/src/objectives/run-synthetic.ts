import { RandomSource } from '../samplers/random-source.js';
import type { Observation, Sampler } from '../samplers/sampler.js';
import { SearchSpace } from '../space/search-space.js';
import type { SyntheticObjective } from './synthetic.js';

/** Runs `trials` sequential trials of a sampler on a synthetic objective; returns the best value found. */
export function bestFound(sampler: Sampler, objective: SyntheticObjective, trials: number, seed: number): number {
  const space = new SearchSpace(objective.space.params);
  const random = new RandomSource(`${objective.name}/${sampler.name}/${seed}`);
  const observations: Observation[] = [];
  let best = Infinity;
  for (let number = 0; number < trials; number++) {
    const assignment = sampler.next({ space, observations, running: [], issued: observations.map((o) => o.assignment), random })!;
    const loss = objective.evaluate(assignment);
    observations.push({ number, assignment, state: 'complete', loss, steps: 1 });
    best = Math.min(best, loss);
  }
  return best;
}
