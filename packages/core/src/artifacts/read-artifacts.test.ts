import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPolymodalError } from '../errors.js';
import { EXPLANATION_FILE } from '../evaluation/explanation.js';
import { ARTIFACT_FILES } from './artifact.js';
import { readArtifacts } from './read-artifacts.js';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-artifacts-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

test('reads what a report shows; history, metrics, summary and explanation are optional', async () => {
  const dir = folder({ [ARTIFACT_FILES.meta]: '{"name":"m"}', [ARTIFACT_FILES.manifest]: '{"version":1}', [EXPLANATION_FILE]: '{"rows":3}' });
  try {
    const contents = await readArtifacts(dir);
    assert.equal(contents.dir, dir);
    assert.equal(contents.meta.name, 'm');
    assert.equal(contents.explanation?.rows, 3);
    assert.deepEqual([contents.history, contents.metrics, contents.summary], [undefined, undefined, undefined]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a folder that is not a model, and a corrupt file, are user errors naming the file', async () => {
  const empty = folder({});
  const corrupt = folder({ [ARTIFACT_FILES.meta]: '{"name":"m"}', [ARTIFACT_FILES.manifest]: '{"version":1}', [ARTIFACT_FILES.history]: '{"epochs": [' });
  try {
    const notModel = await readArtifacts(empty).catch((e: unknown) => e);
    assert.ok(isPolymodalError(notModel) && notModel.exitCode === 2, String(notModel));
    assert.match(notModel.message, /not a Polymodal model folder \(no polymodal\.json\)/);
    const broken = await readArtifacts(corrupt).catch((e: unknown) => e);
    assert.ok(isPolymodalError(broken), String(broken));
    assert.match(broken.message, /history\.json: corrupt JSON/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
    rmSync(corrupt, { recursive: true, force: true });
  }
});
