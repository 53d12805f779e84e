import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { FittedInput } from '../model/fitted-input.js';
import type { InputSpec, Preprocessor, Row } from '../plugin/contracts.js';
import { createRandom } from '../util/random.js';
import { createBatchSource } from './batch-source.js';
import { numericEncoder } from '../test-fixtures/numeric-plugin.js';

/** A numeric input whose preprocessor refuses to see a row without its columns (as a file encoder would). */
function input(name: string, columns: string[], required: boolean, seen: Row[][] = []): FittedInput {
  const spec: InputSpec = { name, encoder: 'test/numeric', columns, options: { units: 2 }, dataDir: '/tmp', manifestDir: '/tmp', required };
  const inner = numericEncoder.createPreprocessor(spec as InputSpec<{ units: number }>, { means: columns.map(() => 0) });
  const preprocessor: Preprocessor = {
    check: (row) => inner.check(row),
    fit: () => undefined,
    features: () => inner.features(),
    state: () => inner.state(),
    transform(rows) {
      if (rows.some((row) => columns.every((c) => row[c] === null))) throw new Error(`${name}: transform got a row without the input`);
      seen.push([...rows]);
      return inner.transform(rows, { training: false, random: () => 0 });
    },
  };
  return { spec, encoder: numericEncoder, preprocessor };
}

const rows: Row[] = [
  { a: '1', b: '10' },
  { a: '2', b: null },
  { a: '3', b: '30' },
  { a: '4', b: null },
];

test('an optional input: only the rows that have it are transformed; the others get zeros and presence 0', async () => {
  const seen: Row[][] = [];
  const inputs = [input('first', ['a'], true), input('second', ['b'], false, seen)];
  const source = await createBatchSource({ inputs, rows, targetWidth: 1, random: createRandom(1) });
  assert.deepEqual(seen, [[rows[0], rows[2]]]);
  const before = tf.memory().numTensors;
  const batch = await source.batch([0, 1, 2, 3], false);
  assert.deepEqual(Object.keys(batch.xs), ['first', 'second', 'second__present']);
  assert.deepEqual(batch.xs.second.arraySync(), [[10], [0], [30], [0]]);
  assert.deepEqual(batch.xs.second__present.arraySync(), [[1], [0], [1], [0]]);
  tf.dispose(batch.xs);
  assert.equal(tf.memory().numTensors, before);
});

test('drop: an optional input removed from every row is never transformed', async () => {
  const seen: Row[][] = [];
  const inputs = [input('first', ['a'], true), input('second', ['b'], false, seen)];
  const source = await createBatchSource({ inputs, rows, targetWidth: 1, random: createRandom(1), drop: new Set(['second']) });
  assert.deepEqual(seen, []);
  const batch = await source.batch([0, 2], false);
  assert.deepEqual(batch.xs.second__present.arraySync(), [[0], [0]]);
  assert.deepEqual(batch.xs.second.arraySync(), [[0], [0]]);
  tf.dispose(batch.xs);
});

test('modality dropout: training batches only, reproducible from the seed, absent rows untouched, source arrays unchanged', async () => {
  const many: Row[] = Array.from({ length: 400 }, (_, i) => ({ a: String(i), b: i % 4 === 1 ? null : String(i) }));
  const inputs = [input('first', ['a'], true), input('second', ['b'], false)];
  const masks = async (seed: number) => {
    const source = await createBatchSource({ inputs, rows: many, targetWidth: 1, random: createRandom(seed), modalityDropout: new Map([['second', 0.5]]) });
    const positions = many.map((_, i) => i);
    const read = async (training: boolean) => {
      const batch = await source.batch(positions, training);
      const values = (batch.xs.second__present.dataSync() as Float32Array).slice();
      tf.dispose(batch.xs);
      return Array.from(values);
    };
    return { training: await read(true), again: await read(true), predicting: await read(false) };
  };
  const first = await masks(7);
  const repeat = await masks(7);
  const other = await masks(8);
  assert.deepEqual(repeat.training, first.training, 'the same seed drops the same rows');
  assert.notDeepEqual(other.training, first.training, 'another seed drops others');
  assert.notDeepEqual(first.again, first.training, 'each training batch draws anew');
  const present = many.map((row) => (row.b === null ? 0 : 1));
  assert.deepEqual(first.predicting, present, 'never at prediction (and the split\'s own mask is unchanged)');
  first.training.forEach((value, i) => assert.ok(value <= present[i], 'an absent row stays absent'));
  const dropped = first.training.filter((value, i) => present[i] === 1 && value === 0).length;
  const rate = dropped / present.filter((p) => p === 1).length;
  assert.ok(rate > 0.4 && rate < 0.6, `about half the present rows dropped: ${rate}`);
});

test('modality dropout never leaves a row without any input when every input is optional', async () => {
  const inputs = [input('first', ['a'], false), input('second', ['b'], false)];
  const both: Row[] = Array.from({ length: 300 }, (_, i) => ({ a: String(i), b: String(i) }));
  const source = await createBatchSource({ inputs, rows: both, targetWidth: 1, random: createRandom(3), modalityDropout: new Map([['first', 0.9], ['second', 0.9]]) });
  const batch = await source.batch(both.map((_, i) => i), true);
  const a = batch.xs.first__present.dataSync();
  const b = batch.xs.second__present.dataSync();
  for (let i = 0; i < both.length; i++) assert.ok(a[i] + b[i] >= 1, `row ${i} keeps an input`);
  assert.ok(Array.from(a).filter((v) => v === 0).length > 100, 'most rows still lose one');
  tf.dispose(batch.xs);
});
