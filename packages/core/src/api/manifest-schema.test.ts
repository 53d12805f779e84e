import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolymodalError } from '../errors.js';
import { manifestSchema } from '../manifest/schema.js';
import { testManifest, testPlugin } from '../test-fixtures/numeric-plugin.js';
import { manifestSchemaFor } from './manifest-schema.js';

test('an invalid manifest still gets the schema of the plugins that load, with a warning for the rest', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-schema-'));
  try {
    const path = join(dir, 'polymodal.json');
    writeFileSync(path, JSON.stringify(testManifest({ plugins: ['polymodal-test-plugin', '@polymodal/encoder-video'], training: { epochs: 'ten' } })));
    const { schema, warnings } = await manifestSchemaFor(path, { plugins: [testPlugin] });
    const input = (schema as any).properties.inputs.additionalProperties;
    assert.deepEqual(input.properties.encoder.enum, ['test/numeric']);
    assert.deepEqual(input.allOf[0].then.properties.options, testPlugin.encoders[0].optionsSchema);
    assert.equal(warnings.length, 2, warnings.join('\n'));
    assert.match(warnings[0], /options of @polymodal\/encoder-video not merged/);
    assert.match(warnings[1], /^\/plugins\/1: plugin package "@polymodal\/encoder-video" is not installed/);

    writeFileSync(path, '{ "version": 1, ');
    const broken = await manifestSchemaFor(path, { plugins: [testPlugin] });
    assert.equal(broken.schema, manifestSchema);
    assert.match(broken.warnings[0], /not valid JSON.*printing the core schema without plugin options/);

    await assert.rejects(manifestSchemaFor(join(dir, 'missing.json')), (error: PolymodalError) => error.exitCode === 2 && /no such manifest file/.test(error.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
