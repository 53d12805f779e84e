import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SearchSpace } from '../space/search-space.js';
import { bestManifest } from './outputs.js';

test('the best manifest has the trial values, no search section, and its paths rebased onto the study folder', () => {
  const raw = {
    $schema: '../../packages/core/schema/manifest.v1.json',
    data: { source: 'data/rows.csv' },
    output: { hiddenUnits: [64] },
    training: { optimizer: { type: 'adam', learningRate: 0.001 } },
    search: { params: {} },
  };
  const space = new SearchSpace({
    units: { type: 'int', pointer: '/output/hiddenUnits/0', low: 32, high: 512, step: 32 },
    lr: { type: 'float', pointer: '/training/optimizer/learningRate', low: 1e-4, high: 1e-1, log: true },
  });
  const manifest = bestManifest(raw, '/work/examples/a/polymodal.json', '/work/examples/a/runs/a-tune', space, { units: 416, lr: 0.0065 });
  assert.deepEqual(manifest, {
    $schema: '../../../../packages/core/schema/manifest.v1.json',
    data: { source: '../../data/rows.csv' },
    output: { hiddenUnits: [416] },
    training: { optimizer: { type: 'adam', learningRate: 0.0065 } },
  });
  assert.deepEqual(raw.output.hiddenUnits, [64], 'the manifest as read is left alone');
});
