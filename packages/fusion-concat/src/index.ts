import { createRequire } from 'node:module';
import { definePlugin, type PolymodalPlugin } from '@polymodal/core';
import { concatFusion } from './concat-fusion.js';
import { PolymodalGatedCombine } from './gated-combine.js';
import { gatedFusion } from './gated-fusion.js';

const { name, version } = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

/**
 * The concat and gated fusions. List "@polymodal/fusion-concat" in a manifest's plugins to use
 * `"fusion": { "type": "concat" }` or `"fusion": { "type": "gated" }`.
 */
export default function concatFusionPlugin(): PolymodalPlugin {
  return definePlugin({ name, version, fusions: [concatFusion, gatedFusion], layers: [PolymodalGatedCombine] });
}

export { concatFusion, type ConcatOptions } from './concat-fusion.js';
export { gatedFusion, gatedOptionsSchema, type GatedOptions, type GateActivation } from './gated-fusion.js';
export { PolymodalGatedCombine, type PolymodalGatedCombineArgs, type GatedCombine } from './gated-combine.js';
