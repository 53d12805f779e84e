import { createRequire } from 'node:module';
import { definePlugin, type PolymodalPlugin } from '@polymodal/core';
import { concatFusion } from './concat-fusion.js';

const { name, version } = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

/** The concat fusion plugin. List "@polymodal/fusion-concat" in a manifest's plugins to use `"fusion": { "type": "concat" }`. */
export default function concatFusionPlugin(): PolymodalPlugin {
  return definePlugin({ name, version, fusions: [concatFusion] });
}

export { concatFusion, type ConcatOptions } from './concat-fusion.js';
