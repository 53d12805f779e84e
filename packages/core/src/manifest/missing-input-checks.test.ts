import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkManifestValue } from './load-manifest.js';
import { checkMissingFileOption } from './missing-input-checks.js';
import { testManifest, testPlugin } from '../test-fixtures/numeric-plugin.js';
import { optionalManifest, optionalTestPlugin } from '../test-fixtures/optional-plugin.js';
import type { Manifest } from './types.js';

async function problems(manifest: Record<string, unknown>): Promise<string[]> {
  const check = await checkManifestValue(manifest, '/virtual/polymodal.json', { plugins: [testPlugin, optionalTestPlugin] });
  return check.problems.lines();
}

test('an optional input with a fusion that handles missing inputs is valid; required defaults to true', async () => {
  assert.deepEqual(await problems(optionalManifest()), []);
  const check = await checkManifestValue(optionalManifest(), '/virtual/polymodal.json', { plugins: [optionalTestPlugin] });
  assert.equal(check.manifest.inputs.first.required, true);
  assert.equal(check.manifest.inputs.second.required, false);
});

test('a fusion without handlesMissingInputs refuses an optional input, naming the fusion, the input and the alternatives', async () => {
  const manifest = testManifest({
    plugins: ['polymodal-test-plugin', 'polymodal-optional-test-plugin'],
    inputs: { numbers: { encoder: 'test/numeric', columns: ['a', 'b'], required: false }, more: { encoder: 'test/numeric', columns: ['noise'] } },
  });
  assert.deepEqual(await problems(manifest), [
    '/inputs/numbers/required: input "numbers" is optional, but fusion "join" cannot handle missing inputs; use a fusion that can (masked-join), or make the input required',
  ]);
});

test('training.modalityDropout: only optional inputs, an option that would do nothing is an error, did-you-mean for names', async () => {
  const required = optionalManifest({ inputs: { first: { encoder: 'test/optional-numeric', columns: ['a'] } } });
  assert.deepEqual(await problems(required), [
    '/training/modalityDropout: no input is optional ("required": false), so modality dropout would never drop anything; remove it, or mark the inputs rows may lack "required": false',
  ]);
  const perInput = optionalManifest();
  perInput.training.modalityDropout = { secnd: 0.2, first: 0.1, second: 0.3 };
  assert.deepEqual(await problems(perInput), [
    '/training/modalityDropout/secnd: "secnd" is not an input. Did you mean "second"?',
    '/training/modalityDropout/first: input "first" is required, so it is never dropped; set /inputs/first/required to false, or leave it out (optional inputs: second)',
  ]);
  const tooHigh = optionalManifest();
  tooHigh.training.modalityDropout = 1;
  const [line] = await problems(tooHigh);
  assert.match(line, /^\/training\/modalityDropout: a probability in \[0, 1\)/);
  const notBoolean = optionalManifest();
  notBoolean.inputs.second.required = 'no';
  assert.deepEqual(await problems(notBoolean), ['/inputs/second/required: must be boolean, found string']);
});

test('missing: "absent" on a required input has no effect and is an error at its pointer', () => {
  const manifest = {
    inputs: {
      photo: { encoder: 'image/cnn', column: 'path', options: { missing: 'absent' }, required: true },
      scan: { encoder: 'image/cnn', column: 'scan', options: { missing: 'absent' }, required: false },
    },
  } as unknown as Manifest;
  assert.deepEqual(checkMissingFileOption(manifest, 'photo'), [
    '/inputs/photo/options/missing: "absent" applies to optional inputs only (a required input\'s missing file is an error); set /inputs/photo/required to false, or remove the option',
  ]);
  assert.deepEqual(checkMissingFileOption(manifest, 'scan'), []);
});
