export type { Observation, Sampler, SamplerContext } from './sampler.js';
export { RandomSource } from './random-source.js';
export { randomSampler, sampleUniform } from './random-sampler.js';
export { gridSampler, enumerateGrid, gridValues } from './grid-sampler.js';
export { tpeSampler, defaultGamma, rankObservations, type TpeOptions } from './tpe-sampler.js';
