// `polymodal export`: the built CLI writes a Keras file and its preprocessing beside the model folder, never
// replaces a file without --overwrite, and refuses unknown formats with a suggestion. No Python needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertSuccess, assertUserError, makeWorkspace, removeWorkspace, runCli, writeProject } from './helpers.js';

test('polymodal export --format keras writes <model>.keras and <model>.keras.preprocessing.json beside the model', () => {
  const dir = makeWorkspace();
  try {
    const manifest = writeProject(dir);
    const model = join(dir, 'runs', 'churn');
    assertSuccess(runCli(['train', manifest, '--out', model, '--epochs', '1'], dir));

    const exported = runCli(['export', model, '--format', 'keras'], dir);
    assertSuccess(exported);
    const kerasFile = join(dir, 'runs', 'churn.keras');
    assert.match(exported.stdout, /Keras model written to .*churn\.keras \(\d+ Keras layers, [\d,]+ parameters\)/);
    assert.equal(readFileSync(kerasFile).subarray(0, 2).toString('latin1'), 'PK');
    const description = JSON.parse(readFileSync(join(dir, 'runs', 'churn.keras.preprocessing.json'), 'utf8'));
    assert.equal(description.format, 'polymodal-keras-preprocessing');
    assert.equal(description.model, 'churn.keras');

    assertUserError(runCli(['export', model, '--format', 'keras'], dir), 2, ['already exists', '--overwrite']);
    assertSuccess(runCli(['export', model, '--format', 'keras', '--overwrite'], dir));

    const foreign = join(dir, 'mine.keras');
    writeFileSync(foreign, 'a file Polymodal did not write');
    assertUserError(runCli(['export', model, '--format', 'keras', '--out', foreign], dir), 2, ['--out', 'already exists']);
    assert.equal(readFileSync(foreign, 'utf8'), 'a file Polymodal did not write');
    assertUserError(runCli(['export', model, '--format', 'keras', '--out', join(dir, 'model.h5')], dir), 2, ['must end in .keras']);

    // The other formats come from @polymodal/export, through the same command.
    const onnx = runCli(['export', model, '--format', 'onnx'], dir);
    assertSuccess(onnx);
    assert.match(onnx.stdout, /ONNX model \(opset \d+\) written to .*churn\.onnx/);
    assert.ok(readFileSync(join(dir, 'runs', 'churn.onnx')).length > 0);
    const savedModel = runCli(['export', model, '--format', 'saved-model'], dir);
    assertSuccess(savedModel);
    const folder = join(dir, 'runs', 'churn-saved-model');
    assert.match(savedModel.stdout, /TensorFlow SavedModel written to .*churn-saved-model\n/);
    assert.match(savedModel.stdout, /Preprocessing written to .*churn-saved-model\/preprocessing\.json\n/);
    assert.match(savedModel.stdout, /tf\.saved_model\.load\(/);
    assert.ok(readFileSync(join(folder, 'saved_model.pb')).length > 0);
    assert.equal(JSON.parse(readFileSync(join(folder, 'preprocessing.json'), 'utf8')).model, 'saved_model.pb');
    assertUserError(runCli(['export', model, '--format', 'saved-model'], dir), 2, ['already holds a Polymodal folder', '--overwrite']);
  } finally {
    removeWorkspace(dir);
  }
});

test('polymodal export refuses a missing or unknown format and a folder that is not a model', () => {
  const dir = makeWorkspace();
  try {
    assertUserError(runCli(['export', dir, '--format', 'kers'], dir), 2, ['--format must be one of keras, onnx, tfjs-graph', 'Did you mean keras?']);
    assertUserError(runCli(['export', dir], dir), 2, ['missing --format']);
    assertUserError(runCli(['export', dir, '--format', 'keras'], dir), 2, ['not a Polymodal model folder']);
    assert.equal(existsSync(`${dir}.keras`), false);
  } finally {
    removeWorkspace(dir);
  }
});
