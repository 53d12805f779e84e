import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InputSpec } from '@polymodal/core';
import type { TabularOptions } from './options.js';
import { MISSING_SLOT, RESERVED_SLOTS, TabularPreprocessor, UNKNOWN_SLOT } from './tabular-preprocessor.js';

const defaults: TabularOptions = {
  scaling: 'zscore', missingIndicator: true, categoricalEncoding: 'onehot', maxCategories: 1000, minFrequency: 1,
  units: [8], activation: 'relu', dropout: 0, l2: 0, batchNorm: false,
};
const spec = (columns: string[], options: Partial<TabularOptions> = {}): InputSpec<TabularOptions> =>
  ({ name: 'tab', encoder: 'tabular/mlp', columns, options: { ...defaults, ...options }, dataDir: '.', manifestDir: '.' });

const rows = [
  { age: '20', city: 'paris' },
  { age: '40', city: 'rome' },
  { age: null, city: 'paris' },
  { age: '30', city: null },
];

test('numeric columns are z-scored on the training rows, missing values imputed with an indicator', () => {
  const p = new TabularPreprocessor(spec(['age']));
  p.inspect(rows);
  p.fit(rows);
  assert.deepEqual(p.features(), [{ key: 'features', shape: [2], dtype: 'float32' }]);
  const { features } = p.transform([{ age: '40' }, { age: null }]) as { features: Float32Array };
  const std = Math.sqrt(((20 - 30) ** 2 + (40 - 30) ** 2 + 0) / 3);
  assert.ok(Math.abs(features[0] - 10 / std) < 1e-6);
  assert.equal(features[1], 0);
  assert.deepEqual([features[2], features[3]], [0, 1], 'missing: the mean (0 after scaling) and the indicator');
});

test('min-max scaling and no indicator', () => {
  const p = new TabularPreprocessor(spec(['age'], { scaling: 'minmax', missingIndicator: false }));
  p.inspect(rows);
  p.fit(rows);
  assert.deepEqual([...(p.transform([{ age: '20' }, { age: '40' }, { age: '50' }]) as { features: Float32Array }).features], [0, 1, 1.5]);
});

test('categories: vocabulary by frequency from training rows, unknown and missing slots', () => {
  const p = new TabularPreprocessor(spec(['city']));
  p.inspect(rows);
  p.fit(rows);
  const width = 2 + RESERVED_SLOTS;
  assert.deepEqual(p.features()[0].shape, [width]);
  const { features } = p.transform([{ city: 'paris' }, { city: 'oslo' }, { city: null }]) as { features: Float32Array };
  const hot = (r: number) => [...features.subarray(r * width, (r + 1) * width)].indexOf(1);
  assert.equal(hot(0), RESERVED_SLOTS, 'paris is the most frequent value: first vocabulary slot');
  assert.equal(hot(1), UNKNOWN_SLOT);
  assert.equal(hot(2), MISSING_SLOT);
});

test('embedding encoding gives numeric and category-id features with per-column offsets', () => {
  const p = new TabularPreprocessor(spec(['age', 'city', 'size'], { categoricalEncoding: 'embedding', categorical: ['size'] }));
  const data = rows.map((r, i) => ({ ...r, size: i % 2 ? 'S' : 'L' }));
  p.inspect(data);
  p.fit(data);
  assert.deepEqual(p.features(), [
    { key: 'numeric', shape: [2], dtype: 'float32' },
    { key: 'categories', shape: [2], dtype: 'int32' },
  ]);
  assert.deepEqual(p.categorySlots(), [4, 4]);
  const out = p.transform([{ age: '30', city: 'rome', size: 'S' }]);
  assert.deepEqual([...(out.categories as Int32Array)], [RESERVED_SLOTS + 1, 4 + RESERVED_SLOTS + 0].map((v, i) => (i === 1 ? 4 + RESERVED_SLOTS + ['L', 'S'].indexOf('S') : v)));
});

test('column kinds: numbers are numeric, words categorical; a stray word in a numeric column is an invalid value', () => {
  const many = Array.from({ length: 30 }, (_, i) => ({ x: String(i), y: i % 2 ? 'a' : 'b', z: String(i) }));
  many[7] = { ...many[7], z: 'n/a' };
  const p = new TabularPreprocessor(spec(['x', 'y', 'z']));
  p.inspect(many);
  assert.equal(p.check(many[0]), undefined);
  assert.deepEqual(p.check(many[7]), { column: 'z', problem: '"n/a" is not a number (the column is numeric)' });
});

test('state round trip restores identical transforms; mismatched columns are refused', () => {
  const p = new TabularPreprocessor(spec(['age', 'city']));
  p.inspect(rows);
  p.fit(rows);
  const state = JSON.parse(JSON.stringify(p.state()));
  const restored = new TabularPreprocessor(spec(['age', 'city']), state);
  assert.deepEqual(restored.transform(rows), p.transform(rows));
  assert.throws(() => new TabularPreprocessor(spec(['age']), state), /saved tabular state covers columns age,city/);
});
