import { runFusionConformance } from '@polymodal/core/testing';
import attentionFusionPlugin from './index.js';

runFusionConformance({
  plugin: attentionFusionPlugin(),
  type: 'attention',
  options: { dModel: 4, numHeads: 2, ffDim: 8, layers: 1, dropout: 0, units: [3] },
  inputs: { numbers: { kind: 'vector', shape: [5] }, words: { kind: 'sequence', shape: [4, 3] } },
  // projections 5*4+4 and 3*4+4; one block: attention 4 x (4*4+4), two layer norms 2 x 8, feed-forward (4*8+8) + (8*4+4);
  // Dense(4 -> 3)
  expectedParams: 24 + 16 + (80 + 16 + 76) + 15,
});
