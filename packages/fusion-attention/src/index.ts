import { createRequire } from 'node:module';
import { definePlugin, type PolymodalPlugin } from '@polymodal/core';
import { attentionFusion } from './attention-fusion.js';

const { name, version } = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

/** The attention fusion plugin. List "@polymodal/fusion-attention" in a manifest's plugins to use `"fusion": { "type": "attention" }`. */
export default function attentionFusionPlugin(): PolymodalPlugin {
  return definePlugin({ name, version, fusions: [attentionFusion] });
}

export { attentionFusion, type AttentionFusionOptions } from './attention-fusion.js';
