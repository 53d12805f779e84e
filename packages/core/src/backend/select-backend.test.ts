import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
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

  describe('wasm threads (tfjs threaded build, opt-in)', () => {
    const WASM_PACKAGE = '@polymodal/backend-wasm';
    const cpus = availableParallelism();

    /** A conv2d and a matMul from seeded data, as host arrays. */
    const probe = () => tf.tidy(() => {
      const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7919 + i * 12.9898));
      const conv = tf.conv2d(tf.tensor4d(values(2 * 10 * 10 * 4, 1), [2, 10, 10, 4]), tf.tensor4d(values(3 * 3 * 4 * 8, 2), [3, 3, 4, 8]), 1, 'same');
      const product = tf.matMul(tf.tensor2d(values(64 * 200, 3), [64, 200]), tf.tensor2d(values(200 * 48, 4), [200, 48]));
      return [conv.dataSync().slice(), product.dataSync().slice()];
    });

    /** The real package with its threading replaced: `unavailable` as the reason, or a 'wasm' factory that fails to start. */
    async function threadingFake(failure: { unavailable: string } | { startError: string }): Promise<PackageImporter> {
      const real = await tryImport(WASM_PACKAGE) as Record<string, unknown>;
      let original: ReturnType<typeof tf.findBackendFactory> | null = null;
      const fake = {
        ...real,
        wasmThreadsUnavailable: () => ('unavailable' in failure ? failure.unavailable : null),
        registerThreadedWasmBackend: () => {
          original ??= tf.findBackendFactory('wasm');
          tf.removeBackend('wasm');
          tf.registerBackend('wasm', async () => { throw new Error((failure as { startError: string }).startError); }, 2);
        },
        restoreSingleThreadedWasmBackend: () => {
          if (original == null) return;
          tf.removeBackend('wasm');
          tf.registerBackend('wasm', original, 2);
          original = null;
        },
        threadedWasmStartFailure: () => new Error((failure as { startError: string }).startError),
      };
      return async (specifier) => (specifier === WASM_PACKAGE ? fake : tryImport(specifier));
    }

    it('refuses a thread count that is not a whole number, or is more than this machine can use, naming the option (exit 2)', async () => {
      for (const wasmThreads of [0, 1.5, -2]) {
        await assert.rejects(selectBackend('wasm', tryImport, { wasmThreads }), (error: unknown) => {
          assert.ok(error instanceof PolymodalError);
          assert.equal(error.exitCode, 2);
          assert.match(error.message, /^wasmThreads must be a whole number of threads from 1 to \d/);
          return true;
        });
      }
      await assert.rejects(selectBackend('wasm', tryImport, { wasmThreads: Math.min(cpus, 8) + 1 }), /^PolymodalError: wasmThreads \d+ would have no effect beyond \d+: \d+ CPUs are available here/);
      process.env['POLYMODAL_WASM_THREADS'] = 'two';
      try {
        await assert.rejects(selectBackend('wasm'), /POLYMODAL_WASM_THREADS must be a whole number of threads from 1 to \d+, got "two"/);
      } finally {
        delete process.env['POLYMODAL_WASM_THREADS'];
      }
    });

    it('refuses threads off wasm: they would have no effect', async () => {
      await assert.rejects(selectBackend('cpu', tryImport, { wasmThreads: 2 }), /2 wasm threads would have no effect: the backend is cpu, not wasm/);
      await assert.rejects(selectBackend('tensorflow', tryImport, { wasmThreads: 2 }), /the backend is tensorflow, not wasm/);
    });

    it('with 2 threads runs the threaded build, with the single-threaded results, and 1 goes back', { skip: cpus < 2 ? `${cpus} CPU here: 2 threads would be refused` : false }, async () => {
      const single = await selectBackend('wasm');
      assert.equal(single.wasmThreads, 1);
      const expected = probe();
      const threaded = await selectBackend('wasm', tryImport, { wasmThreads: 2 });
      assert.equal(threaded.wasmThreads, 2);
      assert.equal(threaded.reason, "requested (2 XNNPACK threads: tfjs's threaded build)");
      assert.deepEqual(threaded.notes, []);
      const memory = (tf.backend() as unknown as { wasm: { wasmMemory?: { buffer: unknown } } }).wasm.wasmMemory;
      assert.ok(memory?.buffer instanceof SharedArrayBuffer, 'the heap is shared: the threaded build is active');
      const actual = probe();
      actual.forEach((values, i) => values.forEach((v, j) => assert.ok(Math.abs(v - expected[i]![j]!) <= 1e-5 * (1 + Math.abs(expected[i]![j]!)), `probe ${i}[${j}]: ${v} vs ${expected[i]![j]}`)));
      const back = await selectBackend('wasm');
      assert.equal(back.wasmThreads, 1);
      assert.equal(back.reason, 'requested');
      const heap = (tf.backend() as unknown as { wasm: { asm: { memory: { buffer: unknown } } } }).wasm.asm.memory;
      assert.ok(!(heap.buffer instanceof SharedArrayBuffer), "tfjs's single-threaded build again");
    });

    it('falls back to one thread with a note saying why when threads cannot run here', { skip: cpus < 2 ? `${cpus} CPU here` : false }, async () => {
      const info = await selectBackend('wasm', await threadingFake({ unavailable: 'this Node has no SharedArrayBuffer' }), { wasmThreads: 2 });
      assert.equal(info.wasmThreads, 1);
      assert.equal(info.reason, 'requested');
      assert.deepEqual(info.notes, ['2 wasm threads asked for, running single-threaded: this Node has no SharedArrayBuffer']);
    });

    it('falls back to one thread, and still trains, when the threaded build fails to start', { skip: cpus < 2 ? `${cpus} CPU here` : false }, async () => {
      const info = await selectBackend('wasm', await threadingFake({ startError: 'worker exited with code 1' }), { wasmThreads: 2 });
      assert.equal(info.wasmThreads, 1);
      assert.deepEqual(info.notes, ['2 wasm threads asked for, running single-threaded: its threads did not start (worker exited with code 1)']);
      assert.equal(tf.getBackend(), 'wasm');
      assert.equal(tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync()[0]), 3);
    });
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
