import { createRequire } from 'node:module';
import { definePlugin, type PolymodalPlugin } from '@polymodal/core';
import { attentionFusion } from './attention-fusion.js';
import { PolymodalAttentionReliance } from './attention-reliance.js';
import { PolymodalMaskedPooling } from './masked-pooling.js';
import { PolymodalTokenMask } from './token-mask.js';

const { name, version } = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

/** The attention fusion plugin. List "@polymodal/fusion-attention" in a manifest's plugins to use `"fusion": { "type": "attention" }`. */
export default function attentionFusionPlugin(): PolymodalPlugin {
  return definePlugin({ name, version, fusions: [attentionFusion], layers: [PolymodalTokenMask, PolymodalMaskedPooling, PolymodalAttentionReliance] });
}

export { attentionFusion, type AttentionFusionOptions } from './attention-fusion.js';
export { PolymodalTokenMask, type PolymodalTokenMaskArgs, type TokenSegment } from './token-mask.js';
export { PolymodalMaskedPooling, type PolymodalMaskedPoolingArgs } from './masked-pooling.js';
export { PolymodalAttentionReliance, type PolymodalAttentionRelianceArgs } from './attention-reliance.js';
