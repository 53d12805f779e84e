import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate, predict, train } from '@polymodal/core';
import imageEncoders from './index.js';
const plugins = [imageEncoders(), passThroughFusion];
import { encode, passThroughFusion, tempDir, writeFile } from './test-fixtures/images.js';

/** `count` 12x12 greyscale PNGs per class: horizontal or vertical stripes, random phase and brightness. */
async function stripes(dir: string, count: number): Promise<void> {
  let state = 7;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const kind of ['horizontal', 'vertical']) {
    for (let n = 0; n < count; n++) {
      const phase = Math.floor(next() * 4);
      const low = Math.floor(next() * 60);
      const high = 150 + Math.floor(next() * 100);
      const pixels: number[] = [];
      for (let y = 0; y < 12; y++) for (let x = 0; x < 12; x++) pixels.push(((kind === 'horizontal' ? y : x) + phase) % 4 < 2 ? high : low);
      writeFile(join(dir, kind, `${String(n).padStart(3, '0')}.png`), await encode(pixels, 12, 12, 1));
    }
  }
}

const manifest = (options: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  version: 1,
  name: 'stripes',
  plugins: ['@polymodal/encoder-image', 'polymodal-image-test-fusion'],
  data: { source: 'images', split: { validation: 0.2, test: 0.2, seed: 1, stratify: true }, ...extra },
  inputs: { photo: { encoder: 'image/cnn', column: 'path', options: { size: [12, 12], channels: 1, blocks: [{ filters: 8, padding: 'same' }], head: 'globalMaxPool', ...options } } },
  fusion: { type: 'pass' },
  output: { column: 'label', task: 'binary', positiveClass: 'vertical' },
  training: { backend: 'wasm', epochs: 12, batchSize: 8, seed: 3, optimizer: { type: 'adam', learningRate: 0.02 } },
  evaluation: { metrics: ['accuracy'] },
});

test('a folder of class subfolders trains end to end on wasm, with augmentation and the cache; evaluate and predict reload it', async () => {
  const dir = tempDir();
  try {
    await stripes(join(dir, 'images'), 30);
    const path = join(dir, 'polymodal.json');
    writeFileSync(path, JSON.stringify(manifest({ cache: true, augment: { flipVertical: true, brightness: 0.1 } })));
    const result = await train({ manifest: path, plugins });
    assert.equal(result.backend.name, 'wasm');
    assert.deepEqual(result.metrics.rows, { train: 36, validation: 12, test: 12 });
    assert.ok(result.metrics.test.accuracy >= 0.9, `stripes direction is learnt: ${JSON.stringify(result.metrics.test)}`);
    const summary = readFileSync(join(result.outDir, 'summary.txt'), 'utf8');
    assert.match(summary, /Conv2D/);
    const evaluated = await evaluate(result.outDir, { plugins, backend: 'wasm' });
    assert.ok(Math.abs(evaluated.metrics.accuracy - result.metrics.test.accuracy) < 1e-9);
    const list = join(dir, 'new.csv');
    // A folder source's paths are relative to that folder; a list's paths to the list's own folder.
    writeFileSync(list, 'path\nimages/vertical/000.png\nimages/horizontal/000.png\n');
    const predicted = await predict(result.outDir, { input: list, plugins, backend: 'wasm' });
    assert.deepEqual(predicted.predictions.map((p) => p.prediction), ['vertical', 'horizontal']);
    // A second run reads every image from the cache: same data, same seed, same metrics.
    const again = await train({ manifest: path, plugins, outDir: join(dir, 'again') });
    assert.deepEqual(again.metrics, result.metrics);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad files: "fail" names the file and column; "skip" leaves them out and counts them', async () => {
  const dir = tempDir();
  try {
    await stripes(join(dir, 'images'), 10);
    writeFile(join(dir, 'images', 'vertical', 'broken.png'), 'not a picture');
    writeFile(join(dir, 'images', 'horizontal', 'empty.png'), '');
    const path = join(dir, 'polymodal.json');
    writeFileSync(path, JSON.stringify(manifest({}, { onInvalidRow: 'fail' })));
    await assert.rejects(train({ manifest: path, plugins, overrides: { epochs: 1 } }), (error: Error) => {
      assert.match(error.message, /images\/horizontal\/empty\.png: column "path": .*empty\.png: the file is empty/);
      return true;
    });
    writeFileSync(path, JSON.stringify({ ...manifest({}, { onInvalidRow: 'skip' }), training: { backend: 'wasm', epochs: 1, batchSize: 8, seed: 3 } }));
    const result = await train({ manifest: path, plugins });
    const metrics = JSON.parse(readFileSync(join(result.outDir, 'metrics.json'), 'utf8'));
    assert.equal(metrics.rows.train + metrics.rows.validation + metrics.rows.test, 20);
    assert.equal(metrics.skippedRows.count, 2, JSON.stringify(metrics.skippedRows));
    assert.deepEqual(metrics.skippedRows.byColumn, { path: 2 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an image that looks right but does not decode: "fail" names its row, "skip" leaves it out and counts it', async () => {
  const dir = tempDir();
  try {
    await stripes(join(dir, 'images'), 10);
    const good = readFileSync(join(dir, 'images', 'vertical', '000.png'));
    // The PNG signature and IEND trailer pass the quick check; the data between them is garbage.
    writeFile(join(dir, 'images', 'vertical', 'garbled.png'), Buffer.concat([good.subarray(0, 40), Buffer.alloc(64, 7), good.subarray(good.length - 12)]));
    const path = join(dir, 'polymodal.json');
    writeFileSync(path, JSON.stringify(manifest({}, { onInvalidRow: 'fail' })));
    await assert.rejects(train({ manifest: path, plugins, overrides: { epochs: 1 } }), (error: Error) => {
      assert.match(error.message, /images\/vertical\/garbled\.png: column "path": .*garbled\.png: cannot decode the image/);
      return true;
    });
    writeFileSync(path, JSON.stringify({ ...manifest({}, { onInvalidRow: 'skip' }), training: { backend: 'wasm', epochs: 1, batchSize: 8, seed: 3 } }));
    const result = await train({ manifest: path, plugins });
    assert.equal(result.metrics.rows.train + result.metrics.rows.validation + result.metrics.rows.test, 20);
    assert.equal(result.metrics.skippedRows.count, 1, JSON.stringify(result.metrics.skippedRows));
    assert.match(result.metrics.skippedRows.examples[0].problem, /cannot decode/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
