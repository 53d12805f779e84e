import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encoderConformanceChecks, runEncoderConformance } from '@polymodal/core/testing';
import tabularEncoders from './index.js';

const rows = Array.from({ length: 24 }, (_, i) => ({ n: String(i % 7), x: i % 5 === 0 ? '' : String(i / 3), c: ['a', 'b', 'c'][i % 3] }));

runEncoderConformance({
  plugin: tabularEncoders(),
  type: 'tabular/mlp',
  options: { units: [8], dropout: 0.1, batchNorm: true, l2: 0.01 },
  columns: ['n', 'x', 'c'],
  rows,
  // A stray word in a numeric column is an invalid value, not a category.
  invalidRows: [{ n: 'seven', x: '1', c: 'a' }],
  moduleUrl: new URL('./index.ts', import.meta.url).href,
  // 2 numeric + 1 missing indicator (x) + 3 categories + 2 reserved slots = 8 features -> Dense(8) + BatchNorm(8)
  expectedParams: 8 * 8 + 8 + 4 * 8,
});

runEncoderConformance({
  plugin: tabularEncoders(),
  type: 'tabular/mlp',
  options: { categoricalEncoding: 'embedding', categorical: ['n', 'c'], embeddingDim: 2, units: [] },
  columns: ['n', 'c'],
  rows,
  invalidRows: [],
  inputName: 'embedded',
  // one table of (7 + 2) + (3 + 2) rows of 2
  expectedParams: 14 * 2,
});

test('dropout, l2 or batch normalization without dense layers is an options error at its pointer (it would have no effect)', async () => {
  for (const option of [{ dropout: 0.2 }, { l2: 0.01 }, { batchNorm: true }]) {
    const [check] = encoderConformanceChecks({ plugin: tabularEncoders(), type: 'tabular/mlp', options: { units: [], ...option }, columns: ['n'], rows, invalidRows: [] });
    await assert.rejects(check.run(), new RegExp(`/options/${Object.keys(option)[0]}: has no effect without dense layers`));
  }
  const [defaults] = encoderConformanceChecks({ plugin: tabularEncoders(), type: 'tabular/mlp', options: { dropout: 0.2 }, columns: ['n'], rows, invalidRows: [] });
  await defaults.run(); // the default units ([32]) are dense layers
});
