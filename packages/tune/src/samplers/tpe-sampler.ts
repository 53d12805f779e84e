import type { NamedParam, SearchSpace } from '../space/search-space.js';
import type { Assignment } from '../space/types.js';
import { domainOf, ParzenEstimator } from './parzen-estimator.js';
import { fillActive, sampleUniform } from './random-sampler.js';
import type { Observation, Sampler, SamplerContext } from './sampler.js';

/**
 * Tree-structured Parzen Estimator, as Optuna's TPESampler with multivariate=True, group=True and
 * constant_liar=True: after `startupTrials` random trials, the finished trials are split into the best
 * gamma(n) ("below") and the rest ("above"); for each group of parameters that are active together, a
 * Parzen estimator is fitted to each side and, of `candidates` draws from l(x), the one maximising
 * l(x)/g(x) is taken. Trials still running count as "above" (the constant liar), so parallel trials spread out.
 */
export interface TpeOptions {
  startupTrials?: number;
  candidates?: number;
  /** How many of n trials are "below": Optuna's default min(ceil(0.1 n), 25). */
  gamma?: (n: number) => number;
}

export const defaultGamma = (n: number) => Math.min(Math.ceil(0.1 * n), 25);

/** Complete trials by loss, then pruned ones: those that ran more epochs first, then by their last value (Optuna's order). */
export function rankObservations(observations: readonly Observation[]): Observation[] {
  return [...observations].sort((a, b) => {
    if (a.state !== b.state) return a.state === 'complete' ? -1 : 1;
    if (a.state === 'pruned' && a.steps !== b.steps) return b.steps - a.steps;
    return a.loss - b.loss || a.number - b.number;
  });
}

/** Parameters grouped by their condition (the same `when`), in the space's order: each group is sampled jointly. */
export function conditionGroups(space: SearchSpace): NamedParam[][] {
  const groups = new Map<string, NamedParam[]>();
  for (const param of space.params) {
    const key = JSON.stringify(param.spec.when ?? null);
    const group = groups.get(key);
    if (group) group.push(param);
    else groups.set(key, [param]);
  }
  return [...groups.values()];
}

const has = (a: Assignment, name: string) => Object.prototype.hasOwnProperty.call(a, name);

export function tpeSampler(options: TpeOptions = {}): Sampler {
  const startup = options.startupTrials ?? 10;
  const candidates = options.candidates ?? 24;
  const gamma = options.gamma ?? defaultGamma;
  return {
    name: 'tpe',
    next(context: SamplerContext): Assignment {
      const { space, random, observations } = context;
      if (observations.length < startup) return fillActive(space, Object.create(null) as Assignment, (p) => sampleUniform(p.spec, random));
      const ranked = rankObservations(observations);
      const nBelow = gamma(ranked.length);
      // Oldest first, so the weights' ramp (for long studies) falls on old trials.
      const byAge = (list: Observation[]) => [...list].sort((a, b) => a.number - b.number).map((o) => o.assignment);
      const below = byAge(ranked.slice(0, nBelow));
      const above = [...byAge(ranked.slice(nBelow)), ...context.running];
      const chosen: Assignment = Object.create(null);
      for (const group of conditionGroups(space)) {
        if (!space.isActive(group[0], chosen)) continue;
        const domains = group.map(domainOf);
        const covers = (a: Assignment) => group.every((p) => has(a, p.name));
        const l = new ParzenEstimator(group, domains, below.filter(covers));
        const g = new ParzenEstimator(group, domains, above.filter(covers));
        let best: Assignment | undefined;
        let bestScore = -Infinity;
        for (let i = 0; i < candidates; i++) {
          const decoded = l.decode(l.sample(random));
          const x = l.encode(decoded);
          const score = l.logPdf(x) - g.logPdf(x);
          if (score > bestScore || best === undefined) {
            best = decoded;
            bestScore = score;
          }
        }
        Object.assign(chosen, best);
      }
      // A group whose condition only became true through a later group (not possible with ordered groups) stays uniform.
      return fillActive(space, chosen, (p) => sampleUniform(p.spec, random));
    },
  };
}
