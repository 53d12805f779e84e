import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, wavBytes } from '../test-fixtures/clips.js';
import { inspectWavFile } from './wav-file.js';

test('a WAV whose samples start past the 64 KB head (a large metadata chunk) is read in full and accepted', () => {
  const dir = tempDir('polymodal-wav-file-');
  try {
    const plain = wavBytes([Float32Array.from({ length: 100 }, (_, i) => Math.sin(i))], 8000);
    // RIFF header and fmt chunk (36 bytes), a 100,000-byte LIST chunk, then the data chunk.
    const list = Buffer.alloc(8 + 100000);
    list.write('LIST', 0, 'ascii');
    list.writeUInt32LE(100000, 4);
    const file = Buffer.concat([plain.subarray(0, 36), list, plain.subarray(36)]);
    file.writeUInt32LE(file.length - 8, 4);
    writeFileSync(join(dir, 'big-header.wav'), file);
    const result = inspectWavFile(join(dir, 'big-header.wav'));
    assert.ok('layout' in result, JSON.stringify(result));
    assert.equal(result.layout.frames, 100);
    assert.equal(result.layout.dataOffset, 36 + list.length + 8);
    mkdirSync(join(dir, 'folder.wav'));
    assert.deepEqual(inspectWavFile(join(dir, 'folder.wav')), { problem: `${join(dir, 'folder.wav')}: not a file` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
