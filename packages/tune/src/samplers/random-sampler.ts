import type { NamedParam, SearchSpace } from '../space/search-space.js';
import type { Assignment, ParamSpec } from '../space/types.js';
import type { RandomSource } from './random-source.js';
import type { Sampler } from './sampler.js';

/** One value of a parameter, uniform over its range (log-uniform on a log scale). */
export function sampleUniform(spec: ParamSpec, random: RandomSource): unknown {
  switch (spec.type) {
    case 'boolean':
      return random.uniform() < 0.5;
    case 'choice':
      return spec.values[random.int(spec.values.length)];
    case 'float':
      return spec.log
        ? Math.min(spec.high, Math.max(spec.low, Math.exp(Math.log(spec.low) + random.uniform() * (Math.log(spec.high) - Math.log(spec.low)))))
        : spec.low + random.uniform() * (spec.high - spec.low);
    case 'int': {
      if (spec.log) {
        const x = Math.exp(Math.log(spec.low - 0.5) + random.uniform() * (Math.log(spec.high + 0.5) - Math.log(spec.low - 0.5)));
        return Math.min(spec.high, Math.max(spec.low, Math.round(x)));
      }
      const step = spec.step ?? 1;
      return spec.low + step * random.int(Math.floor((spec.high - spec.low) / step) + 1);
    }
  }
}

/** Fills every active parameter not yet in `chosen` with `pick`, in the space's order. */
export function fillActive(space: SearchSpace, chosen: Assignment, pick: (param: NamedParam) => unknown): Assignment {
  for (const param of space.params) {
    if (Object.prototype.hasOwnProperty.call(chosen, param.name) || !space.isActive(param, chosen)) continue;
    chosen[param.name] = pick(param);
  }
  return chosen;
}

export const randomSampler: Sampler = {
  name: 'random',
  next: ({ space, random }) => fillActive(space, Object.create(null) as Assignment, (p) => sampleUniform(p.spec, random)),
};
