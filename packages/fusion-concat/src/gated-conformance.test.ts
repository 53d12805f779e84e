import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fusionConformanceChecks, runFusionConformance } from '@polymodal/core/testing';
import concatFusionPlugin from './index.js';

const inputs = { numbers: { kind: 'vector', shape: [5] }, words: { kind: 'sequence', shape: [4, 3] } } as const;

// Defaults: width 64. Projections Dense(5 -> 64), Dense(3 -> 64) (the sequence pooled first), gates Dense(128 -> 2).
runFusionConformance({ plugin: concatFusionPlugin(), type: 'gated', inputs, expectedParams: (5 * 64 + 64) + (3 * 64 + 64) + (128 * 2 + 2) });
runFusionConformance({
  plugin: concatFusionPlugin(),
  type: 'gated',
  options: { width: 6, gate: 'sigmoid', combine: 'concat', units: [4], dropout: 0.2, projectionActivation: 'relu', sequencePooling: 'max' },
  inputs,
  // Projections (5 -> 6), (3 -> 6); gates (12 -> 2); the concatenation (12) into Dense(12 -> 4).
  expectedParams: (5 * 6 + 6) + (3 * 6 + 6) + (12 * 2 + 2) + (12 * 4 + 4),
});

test('gated options: dropout needs dense layers, gate and combine are checked', async () => {
  const check = (options: Record<string, unknown>) =>
    fusionConformanceChecks({ plugin: concatFusionPlugin(), type: 'gated', options, inputs })[0].run();
  await assert.rejects(check({ dropout: 0.3 }), /\/options\/dropout: has no effect without dense layers/);
  await assert.rejects(check({ gate: 'tanh' }), /\/options\/gate/);
  await assert.rejects(check({ combine: 'mean' }), /\/options\/combine/);
  await assert.rejects(check({ width: 0 }), /\/options\/width/);
});

test('the plugin says gated handles missing inputs and registers its combine layer', () => {
  const plugin = concatFusionPlugin();
  assert.equal(plugin.fusions.find((f) => f.type === 'gated')?.handlesMissingInputs, true);
  assert.deepEqual(plugin.layers.map((l) => l.className), ['PolymodalGatedCombine']);
});
