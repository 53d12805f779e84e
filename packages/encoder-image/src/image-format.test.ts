import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { bytesProblem, fileProblem, sniffFormat } from './image-format.js';
import { encode, solid, tempDir, writeFile } from './test-fixtures/images.js';

test('formats are recognised from their first bytes', async () => {
  for (const format of ['png', 'jpeg', 'webp', 'gif', 'tiff'] as const) {
    const bytes = await encode(solid(4, 4, [10, 20, 30]), 4, 4, 3, format);
    assert.equal(sniffFormat(bytes), format);
    assert.equal(bytesProblem(bytes), undefined, format);
  }
  assert.equal(sniffFormat(Buffer.from('hello world, not an image')), undefined);
});

test('missing, empty, text and truncated files are reported with the path and the problem', async () => {
  const dir = tempDir();
  try {
    const png = await encode(solid(8, 8, [1, 2, 3]), 8, 8, 3, 'png');
    const jpeg = await encode(solid(8, 8, [1, 2, 3]), 8, 8, 3, 'jpeg');
    const gif = await encode(solid(8, 8, [1, 2, 3]), 8, 8, 3, 'gif');
    const webp = await encode(solid(8, 8, [1, 2, 3]), 8, 8, 3, 'webp');
    assert.equal(fileProblem(writeFile(join(dir, 'ok.png'), png)), undefined);
    assert.equal(fileProblem(join(dir, 'gone.png')), `${join(dir, 'gone.png')}: no such file`);
    assert.equal(fileProblem(writeFile(join(dir, 'empty.png'), '')), `${join(dir, 'empty.png')}: the file is empty`);
    // The file's content is never echoed (it may be /etc/passwd or a key).
    assert.equal(fileProblem(writeFile(join(dir, 'text.png'), 'root:x:0:0:secret\n')), `${join(dir, 'text.png')}: not a JPEG, PNG, WebP, GIF or TIFF image (its first bytes are no image signature)`);
    assert.match(fileProblem(writeFile(join(dir, 'cut.png'), png.subarray(0, png.length - 20)))!, /cut\.png: truncated PNG \(\d+ bytes, no end marker\)/);
    assert.match(fileProblem(writeFile(join(dir, 'cut.jpg'), jpeg.subarray(0, jpeg.length - 10)))!, /cut\.jpg: truncated JPEG/);
    assert.match(fileProblem(writeFile(join(dir, 'cut.gif'), gif.subarray(0, gif.length - 1).map((b) => (b === 0x3b ? 0 : b))))!, /cut\.gif: truncated GIF/);
    assert.match(fileProblem(writeFile(join(dir, 'cut.webp'), webp.subarray(0, webp.length - 4)))!, /cut\.webp: truncated WEBP/);
    assert.equal(fileProblem(dir), `${dir}: not a file`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
