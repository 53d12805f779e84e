import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolymodalError } from '../errors.js';
import { ModelFolderChanged, sealModelFolder, VerifiedFolderReader } from './model-integrity.js';

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-seal-'));
  mkdirSync(join(dir, 'model'));
  writeFileSync(join(dir, 'polymodal.json'), JSON.stringify({ format: 'polymodal-model', name: 'm' }));
  writeFileSync(join(dir, 'preprocessing.json'), '{"inputs":{}}');
  writeFileSync(join(dir, 'model', 'weights.bin'), Buffer.from([1, 2, 3]));
  return dir;
}

const hash = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

test('sealModelFolder records the sha256 of every file but polymodal.json, keeping the rest of it', async () => {
  const dir = folder();
  try {
    await sealModelFolder(dir);
    const meta = JSON.parse(readFileSync(join(dir, 'polymodal.json'), 'utf8'));
    assert.equal(meta.name, 'm');
    assert.deepEqual(meta.files, { 'model/weights.bin': hash(Buffer.from([1, 2, 3])), 'preprocessing.json': hash('{"inputs":{}}') });
    assert.deepEqual(readdirSync(dir).sort(), ['model', 'polymodal.json', 'preprocessing.json'], 'no temporary file left');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the verified reader refuses changed, vanished, unlisted and outside files', async () => {
  const dir = folder();
  try {
    await sealModelFolder(dir);
    const { files } = JSON.parse(readFileSync(join(dir, 'polymodal.json'), 'utf8'));
    const reader = new VerifiedFolderReader(dir, files);
    assert.deepEqual([...(await reader.read('model/weights.bin'))], [1, 2, 3]);
    writeFileSync(join(dir, 'preprocessing.json'), '{"inputs":{"x":1}}');
    await assert.rejects(reader.read('preprocessing.json'), ModelFolderChanged);
    rmSync(join(dir, 'model', 'weights.bin'));
    await assert.rejects(reader.read('model/weights.bin'), ModelFolderChanged);
    await assert.rejects(reader.read('history.json'), (error: unknown) => error instanceof PolymodalError && /not one of the files polymodal\.json lists/.test(error.message));
    writeFileSync(join(tmpdir(), 'polymodal-seal-outside.bin'), 'x');
    symlinkSync(join(tmpdir(), 'polymodal-seal-outside.bin'), join(dir, 'model', 'linked.bin'));
    const unsealed = new VerifiedFolderReader(dir, undefined);
    await assert.rejects(unsealed.read('model/linked.bin'), (error: unknown) => error instanceof PolymodalError && /links outside the model folder/.test(error.message));
    assert.equal((await unsealed.read('preprocessing.json')).toString(), '{"inputs":{"x":1}}', 'an older folder without "files" reads as it is');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(tmpdir(), 'polymodal-seal-outside.bin'), { force: true });
  }
});
