import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';

import { acceleratedRoutines } from './accelerated-routines.js';
import { selectBackend } from './select-backend.js';
import { loadWasmBackendExtensions, WASM_BACKEND_PACKAGE, type WasmBackendExtensionsModule } from './wasm-extensions.js';

describe('loading @polymodal/backend-wasm for the wasm backend', () => {
  before(async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    assert.equal(await tf.setBackend('wasm'), true, 'the wasm backend failed to initialise');
  });

  it('without the package: one line naming the missing training kernels and the install line, nothing registered', async () => {
    const { notes, kernels } = await loadWasmBackendExtensions(async () => undefined);
    assert.equal(kernels, undefined);
    assert.equal(notes.length, 1);
    const [note] = notes;
    assert.ok(!note.includes('\n'), note);
    assert.match(note, /^@polymodal\/backend-wasm is not installed: /);
    for (const kernel of ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'UnsortedSegmentSum']) {
      assert.ok(note.includes(kernel), `${kernel} in: ${note}`);
    }
    assert.match(note, /Conv1D, Conv2D, SeparableConv2D, DepthwiseConv2D and Embedding layers cannot train on wasm/);
    assert.match(note, /install @polymodal\/backend-wasm/);
    assert.equal(acceleratedRoutines('wasm'), undefined);
  });

  it('an installed package that fails to load, or is not the expected one, gets the same warning with the reason', async () => {
    const [failed] = (await loadWasmBackendExtensions(async () => new Error('boom\n    at somewhere'))).notes;
    assert.match(failed, /^@polymodal\/backend-wasm is installed but failed to load \(boom\): .*install @polymodal\/backend-wasm/);
    const [wrong] = (await loadWasmBackendExtensions(async () => ({ something: 1 }))).notes;
    assert.match(wrong, /has no registerWasmBackendExtensions\(\)/);
    assert.equal(acceleratedRoutines('wasm'), undefined);
  });

  it("selectBackend('wasm') registers the package's kernels and routines, and warns of nothing", async () => {
    // The package's entry satisfies core's contract (a type error here otherwise).
    const entry: WasmBackendExtensionsModule = await import('@polymodal/backend-wasm');
    assert.equal(typeof entry.registerWasmBackendExtensions, 'function');
    const info = await selectBackend('wasm');
    assert.deepEqual(info.notes, []);
    assert.equal(info.tfjsBackend, 'wasm');
    assert.ok(tf.getKernel('UnsortedSegmentSum', 'wasm') != null);
    const routines = acceleratedRoutines('wasm');
    assert.equal(routines?.provider, WASM_BACKEND_PACKAGE);
    const product = routines!.recurrentProduct(Float32Array.from([1, 2, 3, 4, 5, 6]), 1, 2, 3);
    assert.ok(product, 'the wasm routines run on the wasm backend');
    try {
      assert.deepEqual(Array.from(product.forward(Float32Array.from([1, -1]))), [-3, -3, -3]);
    } finally {
      product.dispose();
    }
    assert.match(info.wasmKernels ?? '', /^Polymodal's SIMD kernels with(out)? fused multiply-adds/);
    assert.deepEqual((await loadWasmBackendExtensions()).notes, [], 'loading again is harmless');
  });
});
