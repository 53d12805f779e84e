// Backbones imported from Keras files by @polymodal/keras (the committed fixtures that its own tests read) export
// like any other model: PolymodalBatchNormalization, nested models and Keras's layer options included.
import { test } from 'node:test';
import { join } from 'node:path';
import { loadKerasModel } from '@polymodal/keras';
import { assertExportsMatch, randomInputs } from '../test-fixtures/compare.js';
import { REPO_ROOT } from '../test-fixtures/plugin-layers.js';

const FIXTURES = join(REPO_ROOT, 'packages/keras/src/read/test-fixtures');

for (const name of ['custom_cnn', 'nested', 'tiny_sequential']) {
  test(`the Keras fixture ${name}.keras, imported, exports with equal predictions`, async () => {
    const model = await loadKerasModel(join(FIXTURES, `${name}.keras`));
    await assertExportsMatch(model, randomInputs(model, 7));
    model.dispose();
  });
}
