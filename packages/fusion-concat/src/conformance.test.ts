import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fusionConformanceChecks, runFusionConformance } from '@polymodal/core/testing';
import concatFusionPlugin from './index.js';

const inputs = { numbers: { kind: 'vector', shape: [5] }, words: { kind: 'sequence', shape: [4, 3] } } as const;

runFusionConformance({ plugin: concatFusionPlugin(), type: 'concat', inputs, expectedParams: 0 });
runFusionConformance({
  plugin: concatFusionPlugin(),
  type: 'concat',
  options: { units: [6, 2], dropout: 0.2, activation: 'selu', sequencePooling: 'max' },
  inputs,
  // the pooled sequence (3) joins the vector (5): Dense(8 -> 6), Dense(6 -> 2)
  expectedParams: (8 * 6 + 6) + (6 * 2 + 2),
});

test('dropout without dense layers is an options error at /options/dropout (it would have no effect)', async () => {
  const [options] = fusionConformanceChecks({ plugin: concatFusionPlugin(), type: 'concat', options: { dropout: 0.3 }, inputs });
  await assert.rejects(options.run(), /\/options\/dropout: has no effect without dense layers; add sizes to "units"/);
});
