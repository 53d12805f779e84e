import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { PolymodalError } from '../errors.js';
import { selectBackend, type PackageImporter } from './select-backend.js';
import { tryImport } from './try-import.js';
import { TENSORFLOW_BACKEND_PACKAGE } from './tensorflow-extensions.js';

/** The real importer, except that the named packages are "not installed" or fail with the given error. */
function importerWithout(missing: Record<string, Error | undefined>): PackageImporter {
  return async (specifier) => (specifier in missing ? missing[specifier] : tryImport(specifier));
}

/** @polymodal/backend-tensorflow whose tfjs-node lookups answer `answer` (no real tfjs-node is touched). */
function fakeBackendPackage(answer: (flavour: string) => Error | undefined): PackageImporter {
  return async (specifier) => specifier === TENSORFLOW_BACKEND_PACKAGE
    ? { loadTfjsNode: answer, registerTensorflowBackendExtensions: () => ({ kernels: [], routines: { provider: 'fake', recurrentProduct: () => null } }) }
    : tryImport(specifier);
}

describe('selectBackend', () => {
  it('auto without any tfjs-node goes to wasm and says what it passed over, in one line, pointing at setup', async () => {
    const info = await selectBackend('auto', importerWithout({ [TENSORFLOW_BACKEND_PACKAGE]: undefined, '@tensorflow/tfjs-node-gpu': undefined, '@tensorflow/tfjs-node': undefined }));
    assert.equal(info.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.ok(!info.reason.includes('\n'));
    assert.match(info.reason, /^auto: tensorflow-gpu: @tensorflow\/tfjs-node-gpu is not installed; tensorflow: @tensorflow\/tfjs-node is not installed; chose wasm/);
    assert.match(info.reason, /polymodal setup tensorflow/);
    assert.deepEqual(info.notes, []);
  });

  it('auto passes over a tfjs-node that fails to load, and warns about it (a broken install is worth knowing)', async () => {
    const info = await selectBackend('auto', fakeBackendPackage((flavour) => (flavour === 'tensorflow' ? new Error('libtensorflow.so.2: cannot open shared object file') : undefined)));
    assert.equal(info.name, 'wasm');
    assert.match(info.reason, /tensorflow-gpu: @tensorflow\/tfjs-node-gpu is not installed in the project or the Polymodal cache/);
    assert.match(info.reason, /tensorflow: @tensorflow\/tfjs-node is installed but failed to load: libtensorflow\.so\.2: cannot open/);
    assert.equal(info.notes.filter((note) => note.includes('failed to load')).length, 1);
  });

  it('asking for tensorflow without it is a usage error (exit 2) that names setup and the install line', async () => {
    await assert.rejects(selectBackend('tensorflow', fakeBackendPackage(() => undefined)), (error: unknown) => {
      assert.ok(error instanceof PolymodalError);
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /^backend "tensorflow" needs @tensorflow\/tfjs-node, which is not installed in the project or the Polymodal cache$/);
      assert.match(error.details.hint ?? '', /polymodal setup tensorflow\b.*npm install @tensorflow\/tfjs-node@4\.22\.0.*--backend wasm/);
      return true;
    });
    await assert.rejects(selectBackend('tensorflow-gpu', fakeBackendPackage(() => undefined)), /needs @tensorflow\/tfjs-node-gpu/);
  });

  it('cpu and wasm are "requested"', async () => {
    assert.equal((await selectBackend('cpu')).reason, 'requested');
    assert.equal((await selectBackend('wasm')).reason, 'requested');
  });

  // Last: once tfjs-node has loaded, its backend stays registered in this process.
  it('auto prefers tensorflow (a built tfjs-node, here from `polymodal setup tensorflow`) over wasm, and says where it came from', async (t) => {
    const backendPackage = await tryImport(TENSORFLOW_BACKEND_PACKAGE) as { cachedBuilds?: (flavour: string) => unknown[] } | undefined;
    if (!backendPackage?.cachedBuilds || backendPackage.cachedBuilds('tensorflow').length === 0) {
      const reason = 'no tfjs-node build in the Polymodal cache (run `polymodal setup tensorflow`)';
      if (process.env['POLYMODAL_REQUIRE_REFERENCE'] === '1') throw new Error(`POLYMODAL_REQUIRE_REFERENCE=1: ${reason}`);
      return t.skip(reason);
    }
    const info = await selectBackend('auto');
    assert.equal(info.name, 'tensorflow');
    assert.equal(tf.getBackend(), 'tensorflow');
    assert.match(info.reason, /^auto: tensorflow-gpu: @tensorflow\/tfjs-node-gpu is not installed in the project or the Polymodal cache; chose tensorflow \(@tensorflow\/tfjs-node built in .*tfjs-node-4\.22\.0-tf/);
    assert.equal(tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync()[0]), 3);
  });
});
