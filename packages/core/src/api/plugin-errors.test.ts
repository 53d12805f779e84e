import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolymodalError } from '../errors.js';
import { validate } from './validate.js';
import { definePlugin } from '../plugin/define-plugin.js';
import type { EncoderDefinition, PolymodalPlugin } from '../plugin/contracts.js';
import { joinFusion, numericEncoder, syntheticCsv, testManifest } from '../test-fixtures/numeric-plugin.js';
import { train } from './train.js';

function project(): { dir: string; manifest: string } {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-plugin-errors-'));
  writeFileSync(join(dir, 'data.csv'), syntheticCsv(60));
  writeFileSync(join(dir, 'polymodal.json'), JSON.stringify(testManifest({ training: { backend: 'cpu', epochs: 1, batchSize: 32, seed: 5 } })));
  return { dir, manifest: join(dir, 'polymodal.json') };
}

async function failure(promise: Promise<unknown>): Promise<PolymodalError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof PolymodalError, `expected a PolymodalError, got ${(error as Error)?.stack ?? error}`);
    return error;
  }
  assert.fail('expected a failure');
}

test('train: an exception in a plugin\'s fit is "[plugin] /inputs/<name>: ..." with exit 1', async () => {
  const { dir, manifest } = project();
  try {
    const failing: EncoderDefinition = {
      ...numericEncoder,
      createPreprocessor: (input, state) => Object.assign(numericEncoder.createPreprocessor(input, state), { fit: () => { throw new Error('vocabulary overflow'); } }),
    };
    const plugin = definePlugin({ name: 'polymodal-test-plugin', version: '1.0.0', encoders: [failing], fusions: [joinFusion] });
    const error = await failure(train({ manifest, plugins: [plugin], outDir: join(dir, 'out') }));
    assert.equal(error.message, '[polymodal-test-plugin] /inputs/numbers: fit failed: vocabulary overflow');
    assert.equal(error.exitCode, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('validate: a plugin whose options schema does not compile is "[plugin] ..." with exit 2', async () => {
  const { dir, manifest } = project();
  try {
    // Made by hand (definePlugin would refuse it at once): the registry checks it before any manifest is judged.
    const broken: PolymodalPlugin = {
      name: 'polymodal-test-plugin', version: '1.0.0', apiVersion: 1, layers: [], fusions: [joinFusion],
      encoders: [{ ...numericEncoder, optionsSchema: { type: 'object', properties: { units: { type: 'integr' } } } }],
    };
    const error = await failure(validate(manifest, { plugins: [broken] }));
    assert.equal(error.exitCode, 2);
    assert.match(error.describe(), /^  - \/plugins\/0: \[polymodal-test-plugin\] encoder type "test\/numeric": invalid options schema/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
