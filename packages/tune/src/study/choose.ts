import { medianPruner } from '../pruners/median-pruner.js';
import { noPruner, type Pruner } from '../pruners/pruner.js';
import { successiveHalvingPruner } from '../pruners/successive-halving.js';
import { gridSampler } from '../samplers/grid-sampler.js';
import { randomSampler } from '../samplers/random-sampler.js';
import type { Sampler } from '../samplers/sampler.js';
import { tpeSampler } from '../samplers/tpe-sampler.js';
import type { PrunerSpec } from '../space/types.js';

export const ALGORITHMS = ['tpe', 'random', 'grid'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export function samplerFor(algorithm: Algorithm): Sampler {
  return algorithm === 'grid' ? gridSampler() : algorithm === 'random' ? randomSampler : tpeSampler();
}

export function prunerFor(spec: PrunerSpec | undefined): Pruner {
  switch (spec?.type) {
    case 'median':
      return medianPruner({ warmupEpochs: spec.warmupEpochs, minTrials: spec.minTrials });
    case 'halving':
      return successiveHalvingPruner({ minEpochs: spec.minEpochs, reductionFactor: spec.reductionFactor });
    default:
      return noPruner;
  }
}
