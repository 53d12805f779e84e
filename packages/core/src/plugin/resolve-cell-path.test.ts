import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolymodalError } from '../errors.js';
import { resolveCellPath } from './resolve-cell-path.js';

test('cell paths stay inside the data root: .., absolute paths and symlinks that leave it are refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-cell-path-'));
  try {
    const data = join(dir, 'data');
    mkdirSync(join(data, 'img'), { recursive: true });
    writeFileSync(join(data, 'img', 'a.png'), 'x');
    writeFileSync(join(dir, 'secret.txt'), 'x');
    symlinkSync(join(dir, 'secret.txt'), join(data, 'img', 'link.png'));
    symlinkSync(dir, join(data, 'outside'));
    const spec = { dataDir: data };
    assert.equal(resolveCellPath(spec, 'img/a.png'), join(data, 'img', 'a.png'));
    assert.equal(resolveCellPath(spec, join(data, 'img', 'a.png')), join(data, 'img', 'a.png'), 'an absolute path inside the root is fine');
    assert.equal(resolveCellPath(spec, 'img/missing.png'), join(data, 'img', 'missing.png'), 'a missing file inside is left to the reader');
    for (const value of ['../secret.txt', '../../../../etc/passwd', join(dir, 'secret.txt'), 'img/link.png', 'outside/secret.txt', 'outside/missing.png']) {
      assert.throws(() => resolveCellPath(spec, value), (error: unknown) => {
        assert.ok(error instanceof PolymodalError);
        assert.equal(error.exitCode, 1);
        assert.match(error.message, /resolves outside the data root .*"data\.root".*"data\.allowPathsOutsideRoot": true/);
        return true;
      }, value);
    }
    assert.equal(resolveCellPath({ dataDir: join(data, 'img'), dataRoot: data }, '../a.png'), join(data, 'a.png'), 'the root may be above the data folder');
    assert.equal(resolveCellPath({ ...spec, allowPathsOutsideRoot: true }, '../secret.txt'), join(dir, 'secret.txt'), 'the manifest may opt out');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
