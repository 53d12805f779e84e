import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRandom, PolymodalError } from '@polymodal/core';
import { DEFAULT_CACHE_DIR, ImagePreprocessor } from './image-preprocessor.js';
import { IMAGENET } from './normalize.js';
import { encode, imageSpec, noise, solid, tempDir, writeFile } from './test-fixtures/images.js';

const row = (path: string | null) => ({ path, label: 'a' });

async function withImages(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir();
  try {
    writeFile(join(dir, 'img', 'red.png'), await encode(solid(4, 4, [255, 0, 0]), 4, 4, 3));
    writeFile(join(dir, 'img', 'mix.png'), await encode(noise(8 * 8 * 3), 8, 8, 3));
    await run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('feature shape, rescale 1/255 and paths relative to the data folder (or root under it)', () =>
  withImages(async (dir) => {
    const p = new ImagePreprocessor(imageSpec(dir, { size: [2, 3] }));
    p.fit();
    assert.deepEqual(p.features(), [{ key: 'image', shape: [2, 3, 3], dtype: 'float32' }]);
    const { image } = await p.transform([row('img/red.png')]);
    assert.deepEqual([...image], Array(6).fill([1, 0, 0]).flat());
    const rooted = new ImagePreprocessor(imageSpec(dir, { size: [1, 1], root: 'img', rescale: 1 }));
    assert.deepEqual([...(await rooted.transform([row('red.png'), row(join(dir, 'img', 'red.png'))])).image], [255, 0, 0, 255, 0, 0]);
  }));

test('normalize: the imagenet preset and explicit statistics, per channel', () =>
  withImages(async (dir) => {
    const imagenet = new ImagePreprocessor(imageSpec(dir, { size: [1, 1], normalize: 'imagenet' }));
    const [r, g, b] = (await imagenet.transform([row('img/red.png')])).image;
    const close = (a: number, e: number) => assert.ok(Math.abs(a - e) < 1e-5, `${a} vs ${e}`);
    close(r, (1 - IMAGENET.mean[0]) / IMAGENET.std[0]);
    close(g, -IMAGENET.mean[1] / IMAGENET.std[1]);
    close(b, -IMAGENET.mean[2] / IMAGENET.std[2]);
    const explicit = new ImagePreprocessor(imageSpec(dir, { size: [1, 1], rescale: 1, normalize: { mean: [127.5], std: [127.5] }, channels: 1 }));
    const [grey] = (await explicit.transform([row('img/red.png')])).image;
    assert.ok(grey > -1 && grey < 0, 'red is darker than mid grey');
    assert.throws(() => new ImagePreprocessor(imageSpec(dir, { normalize: { mean: [0.5], std: [0.5] } })), /need 3 value\(s\), one per channel/);
  }));

test('check reports missing cells, missing, empty, truncated and non-image files with the path', () =>
  withImages(async (dir) => {
    const png = await encode(solid(8, 8, [9, 9, 9]), 8, 8, 3);
    writeFile(join(dir, 'img', 'empty.png'), '');
    writeFile(join(dir, 'img', 'cut.png'), png.subarray(0, png.length - 30));
    writeFile(join(dir, 'img', 'notes.png'), 'this is text\n');
    const p = new ImagePreprocessor(imageSpec(dir));
    assert.equal(p.check(row('img/red.png')), undefined);
    assert.deepEqual(p.check(row(null)), { column: 'path', problem: 'no image (the cell is empty)' });
    assert.deepEqual(p.check(row('img/none.png')), { column: 'path', problem: `${join(dir, 'img', 'none.png')}: no such file` });
    assert.deepEqual(p.check(row('img/empty.png')), { column: 'path', problem: `${join(dir, 'img', 'empty.png')}: the file is empty` });
    assert.match(p.check(row('img/cut.png'))!.problem, /cut\.png: truncated PNG/);
    assert.match(p.check(row('img/notes.png'))!.problem, /notes\.png: not a JPEG, PNG, WebP, GIF or TIFF image \(its first bytes are no image signature\)$/);
    assert.match(p.check(row('data:image/png;base64,aGVsbG8='))!.problem, /data URI .*: not a JPEG, PNG/);
  }));

test('base64 data URIs (JSONL cells) decode like files', () =>
  withImages(async (dir) => {
    const jpeg = await encode(solid(4, 4, [0, 0, 255]), 4, 4, 3, 'jpeg');
    const uri = `data:image/jpeg;base64,${jpeg.toString('base64')}`;
    const p = new ImagePreprocessor(imageSpec(dir, { size: [2, 2], rescale: 1 }));
    assert.equal(p.check(row(uri)), undefined);
    const { image } = await p.transform([row(uri)]);
    for (let i = 0; i < image.length; i += 3) assert.ok(image[i] < 8 && image[i + 1] < 8 && image[i + 2] > 247, `${image.subarray(i, i + 3)}`);
  }));

test('a file that passes the quick checks but does not decode fails the transform, naming the file', () =>
  withImages(async (dir) => {
    const png = await encode(noise(16 * 16 * 3), 16, 16, 3);
    writeFile(join(dir, 'img', 'damaged.png'), Buffer.concat([png.subarray(0, 60), Buffer.alloc(40, 3), png.subarray(png.length - 12)]));
    const p = new ImagePreprocessor(imageSpec(dir));
    assert.equal(p.check(row('img/damaged.png')), undefined);
    await assert.rejects(p.transform([row('img/red.png'), row('img/damaged.png')]), (error: unknown) => {
      assert.ok(error instanceof PolymodalError);
      assert.ok(error.message.startsWith(`${join(dir, 'img', 'damaged.png')}: cannot decode the image`), error.message);
      return true;
    });
  }));

test('verify decodes each row once and reports a file that does not decode as that row\'s problem', () =>
  withImages(async (dir) => {
    const png = await encode(noise(16 * 16 * 3), 16, 16, 3);
    writeFile(join(dir, 'img', 'damaged.png'), Buffer.concat([png.subarray(0, 60), Buffer.alloc(40, 3), png.subarray(png.length - 12)]));
    const p = new ImagePreprocessor(imageSpec(dir));
    const problems = await p.verify([row('img/red.png'), row('img/damaged.png'), row('img/mix.png')]);
    assert.equal(problems[0], undefined);
    assert.equal(problems[2], undefined);
    assert.equal(problems[1]?.column, 'path');
    assert.match(problems[1]!.problem, /damaged\.png: cannot decode the image/);
  }));

test('cache: a second pass reads decoded pixels from disk; changed content or decoding options miss', () =>
  withImages(async (dir) => {
    const rows = [row('img/red.png'), row('img/mix.png')];
    const first = new ImagePreprocessor(imageSpec(dir, { size: [4, 4], cache: true }));
    const decoded = await first.transform(rows);
    assert.deepEqual([first.cache!.hits, first.cache!.misses], [0, 2]);
    assert.ok(existsSync(join(dir, DEFAULT_CACHE_DIR)));
    const second = new ImagePreprocessor(imageSpec(dir, { size: [4, 4], cache: true }));
    assert.deepEqual(await second.transform(rows), decoded);
    assert.deepEqual([second.cache!.hits, second.cache!.misses], [2, 0]);
    // Rescale and normalization are applied after the cache: they do not invalidate it.
    const rescaled = new ImagePreprocessor(imageSpec(dir, { size: [4, 4], cache: true, rescale: 1 }));
    await rescaled.transform(rows);
    assert.deepEqual([rescaled.cache!.hits, rescaled.cache!.misses], [2, 0]);
    // New content under the same name misses, and the new pixels are used.
    writeFileSync(join(dir, 'img', 'red.png'), await encode(solid(4, 4, [0, 255, 0]), 4, 4, 3));
    const edited = new ImagePreprocessor(imageSpec(dir, { size: [4, 4], cache: true }));
    const after = await edited.transform(rows);
    assert.deepEqual([edited.cache!.hits, edited.cache!.misses], [1, 1]);
    assert.deepEqual([...after.image.subarray(0, 3)], [0, 1, 0]);
    for (const change of [{ size: [2, 2] as [number, number] }, { fit: 'contain' as const }, { channels: 1 as const }, { interpolation: 'nearest' as const }]) {
      const other = new ImagePreprocessor(imageSpec(dir, { size: [4, 4], cache: true, ...change }));
      await other.transform(rows);
      assert.deepEqual([other.cache!.hits, other.cache!.misses], [0, 2], JSON.stringify(change));
    }
    const custom = new ImagePreprocessor(imageSpec(dir, { size: [4, 4], cache: true, cacheDir: 'my-cache' }));
    await custom.transform(rows);
    assert.equal(readdirSync(join(dir, 'my-cache')).length > 0, true);
  }));

test('augmentation: training batches only, the same seed gives the same batch, another seed another', () =>
  withImages(async (dir) => {
    const spec = imageSpec(dir, { size: [8, 8], augment: { flipHorizontal: true, rotation: 20, zoom: 0.2, translation: 0.1, brightness: 0.1, contrast: 0.2 } });
    const p = new ImagePreprocessor(spec);
    assert.equal(p.augments, true);
    assert.equal(new ImagePreprocessor(imageSpec(dir)).augments, false);
    const rows = Array.from({ length: 6 }, () => row('img/mix.png'));
    const run = async (seed: number, training: boolean) => {
      const random = createRandom(seed);
      return (await p.transform(rows, { training, random: () => random.next() })).image;
    };
    const plain = await run(1, false);
    assert.deepEqual(plain.subarray(0, 192), plain.subarray(192, 384), 'no augmentation outside training');
    const a = await run(1, true);
    assert.deepEqual(a, await run(1, true));
    assert.notDeepEqual(a, await run(2, true));
    assert.notDeepEqual(a.subarray(0, 192), a.subarray(192, 384), 'each row draws its own parameters');
    assert.ok(a.every((v) => v >= 0 && v <= 1));
    // Each epoch re-augments pixels kept in memory: a file is read and decoded (or read from the cache) once.
    const cached = new ImagePreprocessor({ ...spec, options: { ...spec.options, cache: true } });
    const random = createRandom(9);
    for (let epoch = 0; epoch < 3; epoch++) await cached.transform(rows, { training: true, random: () => random.next() });
    assert.equal(cached.cache!.hits + cached.cache!.misses, 1);
  }));

test('state records the input shape; restoring with another size is refused', () =>
  withImages(async (dir) => {
    const p = new ImagePreprocessor(imageSpec(dir, { size: [32, 16], channels: 1 }));
    assert.deepEqual(p.state(), { size: [32, 16], channels: 1 });
    assert.doesNotThrow(() => new ImagePreprocessor(imageSpec(dir, { size: [32, 16], channels: 1 }), p.state()));
    assert.throws(() => new ImagePreprocessor(imageSpec(dir, { size: [64, 64] }), p.state()), /trained on 32x16x1 images, the manifest asks for 64x64x3/);
  }));

test('image paths that leave the data root (.., absolute, symlinks) are refused per row, unless the manifest opts out', () =>
  withImages(async (dir) => {
    const data = join(dir, 'data');
    writeFile(join(data, 'inside.png'), await encode(solid(4, 4, [0, 255, 0]), 4, 4, 3));
    symlinkSync(join(dir, 'img', 'red.png'), join(data, 'linked.png'));
    const spec = { ...imageSpec(dir), dataDir: data };
    const p = new ImagePreprocessor(spec);
    assert.equal(p.check(row('inside.png')), undefined);
    for (const path of ['../img/red.png', join(dir, 'img', 'red.png'), 'linked.png', '../../../../etc/passwd']) {
      const invalid = p.check(row(path));
      assert.equal(invalid?.column, 'path', path);
      assert.match(invalid!.problem, /resolves outside the data root .*"data\.allowPathsOutsideRoot": true/, path);
    }
    await assert.rejects(p.transform([row('../img/red.png')]), (error: unknown) => error instanceof PolymodalError && /outside the data root/.test(error.message));
    const optedOut = new ImagePreprocessor({ ...spec, allowPathsOutsideRoot: true });
    assert.equal(optedOut.check(row('../img/red.png')), undefined);
    const wider = new ImagePreprocessor({ ...spec, dataRoot: dir });
    assert.equal(wider.check(row('../img/red.png')), undefined, 'data.root may be a folder above the data file');
  }));

test('isMissing: an empty cell always; a file that does not exist only with missing: "absent"; a corrupt file never', () =>
  withImages(async (dir) => {
    writeFileSync(join(dir, 'img', 'corrupt.png'), 'not a png');
    const strict = new ImagePreprocessor(imageSpec(dir, { size: [2, 2] }));
    const lenient = new ImagePreprocessor(imageSpec(dir, { size: [2, 2], missing: 'absent' }));
    for (const p of [strict, lenient]) {
      assert.equal(p.isMissing(row(null)), true);
      assert.equal(p.isMissing(row('  ')), true);
      assert.equal(p.isMissing(row('img/red.png')), false);
      assert.equal(p.isMissing(row('img/corrupt.png')), false);
      assert.equal(p.isMissing(row('../outside.png')), false, 'a path outside the root is check()\'s problem');
    }
    assert.equal(strict.isMissing(row('img/gone.png')), false);
    assert.match(strict.check(row('img/gone.png'))?.problem ?? '', /no such file|does not exist|missing/i);
    assert.equal(lenient.isMissing(row('img/gone.png')), true);
  }));
